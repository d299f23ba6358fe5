package dev.capstan.api.validation;

import static dev.capstan.api.validation.ValidationCase.accepts;
import static dev.capstan.api.validation.ValidationCase.rejects;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the API server accepts as a MessageBroker. */
class MessageBrokerValidationTest {
  static final String CRD = "messagebrokers.capstan.dev.yaml";

  private static final String NO_PODS =
      "spec.external: an external broker runs no pods: "
          + "replicas, storage, resources, image and durability are not allowed with external";

  private static final String BOOTSTRAP_PATTERN =
      "spec.external.bootstrapServers: should match "
          + "'^[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5})*$'";

  static List<ValidationCase> cases() {
    return List.of(
        accepts(CRD, "no spec at all: one broker pod", "metadata: {name: events}"),
        accepts(CRD, "three broker pods with storage and topic defaults",
            """
            spec:
              replicas: 3
              storage: {size: 50Gi, storageClassName: fast}
              topicDefaults: {partitions: 6, retentionTime: 3d, retentionBytes: 1Gi}
            """),
        accepts(CRD, "an external Kafka cluster",
            "spec: {external: {bootstrapServers: 'kafka-0.kafka:9092,kafka-1.kafka:9092'}}"),
        accepts(CRD, "an external Kafka at an IPv6 address", "spec: {external: {bootstrapServers: '[fd00::1]:9092'}}"),
        accepts(CRD, "an external Kafka with topic defaults",
            "spec: {external: {bootstrapServers: 'kafka:9092'}, topicDefaults: {partitions: 3}}"),
        rejects(CRD, "an external broker with replicas",
            "spec: {external: {bootstrapServers: 'kafka:9092'}, replicas: 3}", NO_PODS),
        rejects(CRD, "an external broker with storage",
            "spec: {external: {bootstrapServers: 'kafka:9092'}, storage: {size: 1Gi}}", NO_PODS),
        rejects(CRD, "an external broker with resources",
            "spec: {external: {bootstrapServers: 'kafka:9092'}, resources: {limits: {memory: 1Gi}}}", NO_PODS),
        accepts(CRD, "answers acks=all from the page cache, as Kafka does", "spec: {durability: PageCache}"),
        rejects(CRD, "an unknown durability", "spec: {durability: Async}",
            "spec.durability: Unsupported value: \"Async\": supported values: \"Fsync\", \"PageCache\""),
        rejects(CRD, "an external broker with a durability",
            "spec: {external: {bootstrapServers: 'kafka:9092'}, durability: Fsync}", NO_PODS),
        rejects(CRD, "an external broker with an image",
            "spec: {external: {bootstrapServers: 'kafka:9092'}, image: 'capstan:dev'}", NO_PODS),
        rejects(CRD, "a bootstrap server without a port", "spec: {external: {bootstrapServers: kafka}}",
            BOOTSTRAP_PATTERN),
        rejects(CRD, "bootstrap servers separated by spaces",
            "spec: {external: {bootstrapServers: 'a:9092 b:9092'}}", BOOTSTRAP_PATTERN),
        rejects(CRD, "bootstrap servers with a trailing comma",
            "spec: {external: {bootstrapServers: 'a:9092,'}}", BOOTSTRAP_PATTERN),
        rejects(CRD, "an external broker without bootstrap servers", "spec: {external: {}}",
            "spec.external.bootstrapServers: Required value"),
        rejects(CRD, "a retention time in years", "spec: {topicDefaults: {retentionTime: 1y}}",
            "spec.topicDefaults.retentionTime: should match '^(Infinite|([0-9]+(ms|s|m|h|d|w))+)$'"),
        rejects(CRD, "a fractional retention size", "spec: {topicDefaults: {retentionBytes: 1.5Gi}}",
            "spec.topicDefaults.retentionBytes: should match '^[0-9]+(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$'"),
        rejects(CRD, "65 broker pods", "spec: {replicas: 65}",
            "spec.replicas: should be less than or equal to 64"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void apiServerAnswersAsIntended(ValidationCase c) {
    c.assertOutcome();
  }

  @Test
  void anOmittedSpecIsStoredEmptyWithoutReplicas() {
    var stored = CrdValidator.load(CRD).defaulted("metadata: {name: events}");

    // No replicas default: an external broker must not get one.
    assertThat(stored.at("/spec").toString()).isEqualTo("{}");
  }
}
