package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.api.topic.MessageTopicStatus;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicStatusLogicTest {
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final Instant LATER = NOW.plusSeconds(3600);

  static MessageTopic topic(String name, String created, String specYaml) {
    return Fixtures.parse(MessageTopic.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageTopic
        metadata: {name: %s, namespace: streaming, creationTimestamp: "%s"}
        spec:
        """.formatted(name, created) + specYaml.indent(2));
  }

  static MessageTopic topic(String name, String created) {
    return topic(name, created, "brokerRef: {name: events}");
  }

  static MessageBroker broker(String name, String statusYaml) {
    return Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: %s, namespace: streaming}
        spec: {}
        """.formatted(name) + statusYaml);
  }

  static final MessageTopic ORDERS = topic("orders", "2025-01-01T00:00:00Z");
  static final MessageBroker READY_BROKER = broker("events", """
      status:
        conditions: [{type: Ready, status: "True", reason: AllReplicasReady, message: 1/1 replicas ready}]
      """);
  static final MessageBroker STARTING_BROKER = broker("events", """
      status:
        conditions: [{type: Ready, status: "False", reason: ReplicasNotReady, message: 0/3 replicas ready}]
      """);
  static final MessageBroker NEW_BROKER = broker("events", "");
  static final MessageBroker EXTERNAL_BROKER = Fixtures.parse(MessageBroker.class, """
      apiVersion: capstan.dev/v1alpha1
      kind: MessageBroker
      metadata: {name: events, namespace: streaming}
      spec: {external: {bootstrapServers: "kafka:9092"}}
      status:
        conditions: [{type: Ready, status: "False", reason: Unreachable, message: "Kafka at kafka:9092 did not answer"}]
      """);
  static final ObservedTopic IN_KAFKA =
      new ObservedTopic("orders", "q1w2e3r4t5y6u7i8o9p0aQ", 3, 1, Map.of("cleanup.policy", "delete"));

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("no broker", ORDERS, null, List.of(), "BrokerNotFound",
            "MessageBroker events (spec.brokerRef.name) not found in namespace streaming"),
        Arguments.of("broker without status", ORDERS, NEW_BROKER, List.of(), "BrokerNotReady",
            "it has no Ready condition yet"),
        Arguments.of("broker starting", ORDERS, STARTING_BROKER, List.of(), "BrokerNotReady",
            "not ready (ReplicasNotReady: 0/3 replicas ready)"),
        Arguments.of("broker ready", ORDERS, READY_BROKER, List.of(), null, null),
        Arguments.of("an external broker is not held back by its Ready condition", ORDERS, EXTERNAL_BROKER,
            List.of(), null, null),
        Arguments.of("itself in the list is no conflict", ORDERS, READY_BROKER, List.of(ORDERS),
            null, null),
        Arguments.of("an older claim wins, even without a broker",
            topic("orders-v2", "2025-02-01T00:00:00Z", "{brokerRef: {name: events}, topicName: orders}"),
            null, List.of(ORDERS), "ResourceConflict",
            "MessageTopic orders already manages topic orders in MessageBroker events"),
        Arguments.of("a younger claim loses to this one", ORDERS, READY_BROKER,
            List.of(topic("orders-v2", "2025-02-01T00:00:00Z", "{brokerRef: {name: events}, topicName: orders}")),
            null, null),
        Arguments.of("same second: the name decides (b loses)",
            topic("b", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, topicName: t}"), READY_BROKER,
            List.of(topic("a", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, topicName: t}")),
            "ResourceConflict", "MessageTopic a already manages topic t"),
        Arguments.of("same second: the name decides (a wins)",
            topic("a", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, topicName: t}"), READY_BROKER,
            List.of(topic("b", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, topicName: t}")),
            null, null),
        Arguments.of("same topic name in another broker", ORDERS, READY_BROKER,
            List.of(topic("old", "2024-01-01T00:00:00Z", "{brokerRef: {name: audit}, topicName: orders}")),
            null, null),
        Arguments.of("another topic name in the same broker", ORDERS, READY_BROKER,
            List.of(topic("payments", "2024-01-01T00:00:00Z")),
            null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kafkaIsAskedOnlyForAnUnclaimedTopicOfAReachableBroker(
      String name, MessageTopic topic, MessageBroker broker, List<MessageTopic> others, String reason, String message) {
    var blocked = TopicStatusLogic.blocked(topic, broker, others);
    if (reason == null) {
      assertThat(blocked).isEmpty();
      return;
    }
    assertThat(blocked).isPresent();
    MessageTopicStatus status = TopicStatusLogic.status(topic, blocked.get(), null, NOW);
    Condition ready = Conditions.find(status.conditions(), "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(reason);
    assertThat(ready.getMessage()).contains(message);
    assertThat(status.conditions()).hasSize(1);
  }

  @Test
  void topicNameIsTheDeclaredOneOrTheResourceName() {
    assertThat(TopicStatusLogic.topicName(ORDERS)).isEqualTo("orders");
    var renamed = topic("orders-cr", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, topicName: shop.orders}");
    assertThat(TopicStatusLogic.topicName(renamed)).isEqualTo("shop.orders");
    assertThat(TopicStatusLogic.status(renamed, TopicStatusLogic.inSync(renamed, IN_KAFKA), IN_KAFKA, NOW).topicName())
        .isEqualTo("shop.orders");
  }

  private static MessageTopicStatus blockedStatus(MessageTopic topic, MessageBroker broker, Instant now) {
    return TopicStatusLogic.status(topic, TopicStatusLogic.blocked(topic, broker, List.of()).orElseThrow(), null, now);
  }

  @Test
  void statusDescribesTheCurrentGenerationAndClaimsNothingKafkaDidNotSay() {
    var topic = topic("orders", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, partitions: 6}");
    topic.getMetadata().setGeneration(4L);
    MessageTopicStatus status = blockedStatus(topic, STARTING_BROKER, NOW);
    assertThat(status.observedGeneration()).isEqualTo(4L);
    assertThat(status.conditions().get(0).getObservedGeneration()).isEqualTo(4L);
    assertThat(status.topicId()).isNull();
    assertThat(status.partitions()).isNull();
    assertThat(status.replicationFactor()).isNull();
  }

  @Test
  void inSyncReportsKafkasTopicAndAnUnansweredCheckKeepsIt() {
    var topic = topic("orders", "2025-01-01T00:00:00Z", "{brokerRef: {name: events}, partitions: 3}");
    MessageTopicStatus synced = TopicStatusLogic.status(topic, TopicStatusLogic.inSync(topic, IN_KAFKA), IN_KAFKA, NOW);
    assertThat(synced.topicId()).isEqualTo("q1w2e3r4t5y6u7i8o9p0aQ");
    assertThat(synced.partitions()).isEqualTo(3);
    assertThat(synced.replicationFactor()).isEqualTo(1);
    Condition ready = synced.conditions().get(0);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("TopicInSync");
    assertThat(ready.getMessage()).isEqualTo(
        "topic orders in MessageBroker events has 3 partitions, replication factor 1 and the declared config");

    // The broker stops answering: the id stays, for the finalizer to delete the right topic.
    topic.setStatus(synced);
    MessageTopicStatus unreachable = TopicStatusLogic.status(topic,
        Conditions.Desired.isFalse("Ready", "BrokerUnreachable", "no answer"), null, LATER);
    assertThat(unreachable.topicId()).isEqualTo("q1w2e3r4t5y6u7i8o9p0aQ");
    assertThat(unreachable.partitions()).isEqualTo(3);
    assertThat(unreachable.conditions().get(0).getLastTransitionTime()).isEqualTo(LATER.toString());
  }

  @Test
  void readyKeepsItsTransitionTimeWhileItStaysFalse() {
    var topic = topic("orders", "2025-01-01T00:00:00Z");
    topic.setStatus(blockedStatus(topic, null, NOW));
    MessageTopicStatus next = blockedStatus(topic, STARTING_BROKER, LATER);
    Condition ready = next.conditions().get(0);
    assertThat(ready.getReason()).isEqualTo("BrokerNotReady");
    assertThat(ready.getLastTransitionTime()).isEqualTo(NOW.toString());
  }

  @Test
  void aPausedTopicKeepsItsStatusAndSaysItIsPaused() {
    var topic = topic("orders", "2025-01-01T00:00:00Z");
    topic.setStatus(TopicStatusLogic.status(topic, TopicStatusLogic.inSync(topic, IN_KAFKA), IN_KAFKA, NOW));
    topic.getMetadata().setGeneration(2L);
    topic.getMetadata().setAnnotations(Map.of("capstan.dev/paused", "true"));

    MessageTopicStatus paused = TopicStatusLogic.paused(topic, LATER);
    assertThat(paused.observedGeneration()).isEqualTo(1L);
    assertThat(paused.topicId()).isEqualTo(IN_KAFKA.topicId());
    assertThat(paused.partitions()).isEqualTo(3);
    assertThat(paused.conditions()).extracting(Condition::getType).containsExactly("Ready", "ReconciliationPaused");
    assertThat(paused.conditions().get(0).getReason()).isEqualTo("TopicInSync");
    assertThat(paused.conditions().get(0).getLastTransitionTime()).isEqualTo(NOW.toString());
    assertThat(paused.conditions().get(1).getStatus()).isEqualTo("True");
    assertThat(paused.conditions().get(1).getReason()).isEqualTo("PausedByAnnotation");
    // Paused again: nothing changes, so nothing is written.
    topic.setStatus(paused);
    assertThat(TopicStatusLogic.paused(topic, LATER.plusSeconds(60))).isEqualTo(paused);

    topic.getMetadata().setAnnotations(Map.of());
    MessageTopicStatus resumed = blockedStatus(topic, null, LATER);
    assertThat(resumed.observedGeneration()).isEqualTo(2L);
    assertThat(resumed.conditions()).extracting(Condition::getType).containsExactly("Ready");
    assertThat(resumed.conditions().get(0).getReason()).isEqualTo("BrokerNotFound");
  }
}
