package dev.capstan.api.validation;

import static dev.capstan.api.validation.ValidationCase.accepts;
import static dev.capstan.api.validation.ValidationCase.rejects;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the API server accepts as a MessageTopic, created and updated. */
class MessageTopicValidationTest {
  static final String CRD = "messagetopics.capstan.dev.yaml";

  private static final String SIX_PARTITIONS =
      """
      spec:
        brokerRef: {name: events}
        topicName: orders
        partitions: 6
      """;

  static List<ValidationCase> cases() {
    return List.of(
        accepts(CRD, "a topic named by its resource", "spec: {brokerRef: {name: events}}"),
        accepts(CRD, "a topic with everything set",
            """
            spec:
              brokerRef: {name: events}
              topicName: orders.v1_eu-west
              partitions: 12
              replicationFactor: 3
              retention: {time: 7d, bytes: 10Gi}
              cleanupPolicy: compact
              deletionPolicy: Retain
              config: {max.message.bytes: "1048576", segment.ms: "3600000"}
            """),
        accepts(CRD, "few partitions on create, where there is nothing to shrink",
            "spec: {brokerRef: {name: events}, topicName: orders, partitions: 1}"),
        accepts(CRD, "partitions growing from 6 to 12",
            "spec: {brokerRef: {name: events}, topicName: orders, partitions: 12}")
            .updating(SIX_PARTITIONS),
        accepts(CRD, "partitions set where they were omitted",
            "spec: {brokerRef: {name: events}, partitions: 3}")
            .updating("spec: {brokerRef: {name: events}}"),
        accepts(CRD, "an update that changes only retention",
            "spec: {brokerRef: {name: events}, topicName: orders, partitions: 6, retention: {time: 1d}}")
            .updating(SIX_PARTITIONS),
        rejects(CRD, "partitions shrinking from 6 to 3",
            "spec: {brokerRef: {name: events}, topicName: orders, partitions: 3}",
            "spec.partitions: partitions may only grow: Kafka cannot remove partitions from a topic")
            .updating(SIX_PARTITIONS),
        rejects(CRD, "partitions removed after they were set",
            "spec: {brokerRef: {name: events}, topicName: orders}",
            "spec.partitions: partitions may only grow: Kafka cannot remove partitions from a topic")
            .updating(SIX_PARTITIONS),
        rejects(CRD, "topicName changed",
            "spec: {brokerRef: {name: events}, topicName: orders-v2, partitions: 6}",
            "spec.topicName: topicName is immutable: Kafka cannot rename a topic")
            .updating(SIX_PARTITIONS),
        rejects(CRD, "topicName set after the topic was named by its resource",
            "spec: {brokerRef: {name: events}, topicName: test}",
            "spec.topicName: topicName is immutable: Kafka cannot rename a topic")
            .updating("spec: {brokerRef: {name: events}}"),
        rejects(CRD, "brokerRef changed",
            "spec: {brokerRef: {name: other}, topicName: orders, partitions: 6}",
            "spec.brokerRef: brokerRef is immutable: create a new MessageTopic to move a topic")
            .updating(SIX_PARTITIONS),
        rejects(CRD, "retention.ms in config",
            "spec: {brokerRef: {name: events}, config: {retention.ms: '86400000'}}",
            "spec.config: config must not set cleanup.policy, retention.ms or retention.bytes: "
                + "use spec.cleanupPolicy and spec.retention"),
        rejects(CRD, "cleanup.policy in config",
            "spec: {brokerRef: {name: events}, config: {cleanup.policy: compact}}",
            "spec.config: config must not set cleanup.policy, retention.ms or retention.bytes: "
                + "use spec.cleanupPolicy and spec.retention"),
        rejects(CRD, "a cleanup policy Kafka does not know",
            "spec: {brokerRef: {name: events}, cleanupPolicy: compacted}",
            "spec.cleanupPolicy: Unsupported value: \"compacted\": supported values: \"compact\", \"delete\""),
        rejects(CRD, "a topic name with a space",
            "spec: {brokerRef: {name: events}, topicName: my orders}",
            "spec.topicName: should match '^[a-zA-Z0-9._-]+$'"),
        rejects(CRD, "a topic name of 250 characters",
            "spec: {brokerRef: {name: events}, topicName: " + "t".repeat(250) + "}",
            "spec.topicName: may not be more than 249 bytes"),
        rejects(CRD, "a topic without a broker", "spec: {topicName: orders}", "spec.brokerRef: Required value"),
        rejects(CRD, "a topic without a spec", "metadata: {name: orders}", "spec: Required value"),
        rejects(CRD, "zero partitions", "spec: {brokerRef: {name: events}, partitions: 0}",
            "spec.partitions: should be greater than or equal to 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void apiServerAnswersAsIntended(ValidationCase c) {
    c.assertOutcome();
  }
}
