package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.controllers.support.Fixtures;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DesiredTopicTest {
  private static MessageTopic topic(String spec) {
    return Fixtures.parse(MessageTopic.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageTopic
        metadata: {name: orders-cr, namespace: streaming}
        spec:
        """ + spec.indent(2));
  }

  private static MessageBroker broker(String spec) {
    return Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec:
        """ + spec.indent(2));
  }

  private static final MessageBroker PLAIN = broker("{}");
  private static final MessageBroker WITH_DEFAULTS =
      broker("topicDefaults: {partitions: 6, retentionTime: 1d, retentionBytes: 1Gi}");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("the minimum: the broker decides the rest",
            topic("brokerRef: {name: events}"), PLAIN,
            new DesiredTopic("orders-cr", null, null, Map.of("cleanup.policy", "delete"))),
        Arguments.of("everything declared",
            topic("""
                brokerRef: {name: events}
                topicName: shop.orders
                partitions: 12
                replicationFactor: 3
                retention: {time: 2h30m, bytes: 512Mi}
                cleanupPolicy: compact
                config: {max.message.bytes: "2097152", min.insync.replicas: "2"}
                """), WITH_DEFAULTS,
            new DesiredTopic("shop.orders", 12, 3, Map.of(
                "cleanup.policy", "compact", "retention.ms", "9000000", "retention.bytes", "536870912",
                "max.message.bytes", "2097152", "min.insync.replicas", "2"))),
        Arguments.of("the broker's topicDefaults fill partitions and retention",
            topic("brokerRef: {name: events}"), WITH_DEFAULTS,
            new DesiredTopic("orders-cr", 6, null, Map.of(
                "cleanup.policy", "delete", "retention.ms", "86400000", "retention.bytes", "1073741824"))),
        Arguments.of("the topic's own retention time wins; bytes still default",
            topic("{brokerRef: {name: events}, retention: {time: Infinite}}"), WITH_DEFAULTS,
            new DesiredTopic("orders-cr", 6, null, Map.of(
                "cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "1073741824"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void specAndBrokerDefaultsMakeTheKafkaTopic(String name, MessageTopic topic, MessageBroker broker, DesiredTopic expected) {
    assertThat(DesiredTopic.of(topic, broker)).isEqualTo(expected);
  }

  @Test
  void bytesKafkaCannotCountAreRefusedNamingTheField() {
    assertThatThrownBy(() -> DesiredTopic.of(
            topic("{brokerRef: {name: events}, retention: {bytes: 9000Pi}}"), PLAIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.retention.bytes 9000Pi is more bytes than Kafka can count (at most 9223372036854775807)");
    assertThatThrownBy(() -> DesiredTopic.of(topic("brokerRef: {name: events}"),
            broker("topicDefaults: {retentionBytes: 9000Pi}")))
        .hasMessageStartingWith("the broker's topicDefaults.retentionBytes 9000Pi is more bytes");
  }
}
