package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KafkaErrorsTest {
  static Stream<Arguments> reasons() {
    return Stream.of(
        Arguments.of(new TimeoutException("Timed out waiting for a node assignment"), "BrokerUnreachable"),
        Arguments.of(new ConfigException("No resolvable bootstrap urls given in bootstrap.servers"),
            "BrokerUnreachable"),
        Arguments.of(new InvalidConfigurationException("Unknown topic config name: x"), "InvalidConfig"),
        Arguments.of(new PolicyViolationException("compact is not allowed"), "PolicyViolation"),
        Arguments.of(new TopicAuthorizationException("denied"), "TopicAuthorizationFailed"),
        Arguments.of(new InvalidReplicationFactorException("only 1 broker"), "InvalidReplicationFactor"),
        Arguments.of(new UnsupportedVersionException("no CreatePartitions"), "UnsupportedVersion"),
        Arguments.of(new KafkaException("Failed to create new KafkaAdminClient",
            new ConfigException("No resolvable bootstrap urls given in bootstrap.servers")), "BrokerUnreachable"),
        Arguments.of(new KafkaException("something"), "KafkaError"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("reasons")
  void reasonFollowsTheKafkaErrorClass(KafkaException e, String reason) {
    assertThat(KafkaErrors.reason(e)).isEqualTo(reason);
  }

  @Test
  void messageIsOneLineSayingWhatWasTriedAndWhatKafkaSaid() {
    assertThat(KafkaErrors.message("create topic orders", "k:9092",
            new PolicyViolationException("cleanup.policy=compact\n  is not supported")))
        .isEqualTo("Kafka at k:9092 refused to create topic orders: cleanup.policy=compact is not supported");
    assertThat(KafkaErrors.message("describe topic orders", "k:9092", new TimeoutException("no answer within 5s")))
        .isEqualTo("Kafka at k:9092 did not answer while trying to describe topic orders: no answer within 5s");
  }

  @Test
  void aWrappedCauseIsPartOfTheMessage() {
    assertThat(KafkaErrors.message("describe the cluster", "kafka-0.example:9092",
            new KafkaException("Failed to create new KafkaAdminClient",
                new ConfigException("No resolvable bootstrap urls given in bootstrap.servers"))))
        .isEqualTo("Kafka at kafka-0.example:9092 did not answer while trying to describe the cluster: Failed to create"
            + " new KafkaAdminClient: No resolvable bootstrap urls given in bootstrap.servers");
  }
}
