package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.controllers.broker.MessageBrokerReconciler;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The topic controller in JOSDK, against Fabric8's CRUD mock API server and a real Apache
 * Kafka (KRaft, one combined broker and controller) started once for the class. What it
 * asserts of Kafka it reads through an Admin client of its own.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class MessageTopicKafkaTest {
  private static final String NS = "streaming";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static KafkaClusterTestKit kafka;
  private static Admin admin;

  KubernetesClient client;
  private Operator operator;
  private KafkaAdmins admins;

  @BeforeAll
  static void startKafka() throws Exception {
    // Kafka's own INFO lines would bury the operator's; slf4j-simple reads these per logger.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.kafka", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.state.change.logger", "off");
    kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .build();
    kafka.format();
    kafka.startup();
    kafka.waitForReadyBrokers();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  @AfterAll
  static void stopKafka() throws Exception {
    if (admin != null) {
      admin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void start() {
    admins = new KafkaAdmins();
    // The mock API server knows no server-side apply; merge patches do the same here.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(1)));
    // The broker controller asks through the same Admin clients as the topics, as in the operator.
    operator.register(new MessageBrokerReconciler(ControllerSettings.defaults(), EventRecorder.NONE, Clock.systemUTC(),
        admins::describeCluster,
        new MessageTopicReconciler.SyncIntervals(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2))));
    // A short resync, so that a change made by hand in Kafka is reverted within the test's patience.
    operator.register(new MessageTopicReconciler(EventRecorder.NONE, Clock.systemUTC(), admins,
        new MessageTopicReconciler.SyncIntervals(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(2))));
    operator.start();
    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec:
          external: {bootstrapServers: "%s"}
        """.formatted(kafka.bootstrapServers()))).create();
  }

  @AfterEach
  void stop() {
    operator.stop();
    admins.close();
  }

  @Test
  void createGrowRevertDriftAndRefuseADecrease() throws Exception {
    create("orders", """
        brokerRef: {name: events}
        partitions: 2
        retention: {time: 1h}
        config: {max.message.bytes: "200000"}
        """);
    MessageTopic synced = awaitReady("orders", "True", "TopicInSync");
    TopicDescription created = describe("orders").orElseThrow();
    assertThat(created.partitions()).hasSize(2);
    assertThat(overrides("orders")).isEqualTo(Map.of(
        "cleanup.policy", "delete", "retention.ms", "3600000", "max.message.bytes", "200000"));
    assertThat(synced.getStatus().topicId()).isEqualTo(created.topicId().toString());
    assertThat(synced.getStatus().topicName()).isEqualTo("orders");
    assertThat(synced.getStatus().partitions()).isEqualTo(2);
    assertThat(synced.getStatus().replicationFactor()).isEqualTo(1);
    assertThat(synced.getStatus().observedGeneration()).isEqualTo(synced.getMetadata().getGeneration());
    assertThat(synced.getMetadata().getFinalizers()).containsExactly("capstan.dev/topic-deletion");

    // Someone shortens retention and adds an override by hand: both are reverted.
    alterByHand("orders", Map.of("retention.ms", "60000", "segment.ms", "600000"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(overrides("orders")).isEqualTo(Map.of(
        "cleanup.policy", "delete", "retention.ms", "3600000", "max.message.bytes", "200000")));

    // Growing: Kafka gets the partitions, the status says so.
    patchSpec("orders", Map.of("partitions", 5));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(describe("orders").orElseThrow().partitions()).hasSize(5);
      MessageTopic grown = get("orders");
      assertThat(grown.getStatus().partitions()).isEqualTo(5);
      assertThat(grown.getStatus().observedGeneration()).isEqualTo(grown.getMetadata().getGeneration());
    });

    // A decrease (which the schema forbids on update, but a topic found in Kafka can still ask) is refused.
    patchSpec("orders", Map.of("partitions", 3));
    MessageTopic refused = awaitReady("orders", "False", "NotSupported");
    assertThat(Conditions.find(refused.getStatus().conditions(), "Ready").getMessage())
        .isEqualTo("spec.partitions is 3 but topic orders has 5 and Kafka cannot remove partitions:"
            + " set spec.partitions to 5 or more");
    assertThat(refused.getStatus().partitions()).isEqualTo(5);
    TopicDescription after = describe("orders").orElseThrow();
    assertThat(after.partitions()).hasSize(5);
    assertThat(after.topicId()).isEqualTo(created.topicId());
  }

  @Test
  void theBrokerDecidesWhatTheSpecLeavesOutAndJudgesWhatItSets() throws Exception {
    // Kafka takes compact as it comes; a config it does not know is its to refuse.
    create("changelog", "{brokerRef: {name: events}, cleanupPolicy: compact}");
    awaitReady("changelog", "True", "TopicInSync");
    assertThat(describe("changelog").orElseThrow().partitions()).hasSize(1);
    assertThat(overrides("changelog")).containsEntry("cleanup.policy", "compact");

    create("bad-config", "{brokerRef: {name: events}, config: {max.message.bytes: lots}}");
    MessageTopic invalid = awaitReady("bad-config", "False", "InvalidConfig");
    assertThat(Conditions.find(invalid.getStatus().conditions(), "Ready").getMessage())
        .startsWith("Kafka at " + kafka.bootstrapServers() + " refused to create topic bad-config")
        .contains("lots");
    assertThat(describe("bad-config")).isEmpty();

    create("too-safe", "{brokerRef: {name: events}, replicationFactor: 3}");
    awaitReady("too-safe", "False", "InvalidReplicationFactor");
    assertThat(describe("too-safe")).isEmpty();
  }

  @Test
  void aReplicationFactorChangeIsRefusedAndKafkaLeftAlone() throws Exception {
    admin.createTopics(List.of(new NewTopic("audit", 2, (short) 1))).all().get();
    create("audit", "{brokerRef: {name: events}, replicationFactor: 2, config: {segment.ms: \"3600000\"}}");
    MessageTopic refused = awaitReady("audit", "False", "NotSupported");
    assertThat(Conditions.find(refused.getStatus().conditions(), "Ready").getMessage())
        .startsWith("spec.replicationFactor is 2 but topic audit has 1 and the Admin API cannot change it");
    assertThat(overrides("audit")).isEmpty();
  }

  @Test
  void aSecondResourceForTheSameTopicIsRefusedUntilTheFirstGoes() throws Exception {
    create("payments", "{brokerRef: {name: events}, retention: {time: 2h}}");
    MessageTopic first = awaitReady("payments", "True", "TopicInSync");
    create("payments-v2", "{brokerRef: {name: events}, topicName: payments, retention: {time: 1d}}");
    MessageTopic second = awaitReady("payments-v2", "False", "ResourceConflict");
    assertThat(second.getStatus().topicId()).isNull();
    assertThat(overrides("payments")).containsEntry("retention.ms", "7200000");

    // The first goes, with Delete, and takes its Kafka topic; the second then makes its own.
    client.resources(MessageTopic.class).inNamespace(NS).withName("payments").delete();
    MessageTopic takenOver = awaitReady("payments-v2", "True", "TopicInSync");
    TopicDescription now = describe("payments").orElseThrow();
    assertThat(now.topicId().toString())
        .isEqualTo(takenOver.getStatus().topicId())
        .isNotEqualTo(first.getStatus().topicId());
    assertThat(overrides("payments")).containsEntry("retention.ms", "86400000");
  }

  @Test
  void deletionHonoursTheDeletionPolicy() throws Exception {
    create("clicks", "{brokerRef: {name: events}}");
    create("ledger", "{brokerRef: {name: events}, deletionPolicy: Retain}");
    String ledgerId = awaitReady("ledger", "True", "TopicInSync").getStatus().topicId();
    awaitReady("clicks", "True", "TopicInSync");

    client.resources(MessageTopic.class).inNamespace(NS).withName("clicks").delete();
    client.resources(MessageTopic.class).inNamespace(NS).withName("ledger").delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(client.resources(MessageTopic.class).inNamespace(NS).list().getItems()).isEmpty();
      assertThat(describe("clicks")).isEmpty();
    });
    assertThat(describe("ledger")).hasValueSatisfying(t -> assertThat(t.topicId().toString()).isEqualTo(ledgerId));
  }

  @Test
  void aDeletionWaitsForAnUnreachableClusterAndSaysHowToLetGo() throws Exception {
    create("metrics", "{brokerRef: {name: events}}");
    String id = awaitReady("metrics", "True", "TopicInSync").getStatus().topicId();

    patchBroker("127.0.0.1:1");
    awaitReady("metrics", "False", "BrokerUnreachable");
    client.resources(MessageTopic.class).inNamespace(NS).withName("metrics").delete();
    MessageTopic waiting = await().atMost(WAIT).until(() -> get("metrics"),
        t -> Conditions.find(t.getStatus().conditions(), "Ready").getMessage().contains("delete topic"));
    assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(Conditions.find(waiting.getStatus().conditions(), "Ready").getReason()).isEqualTo("BrokerUnreachable");
    assertThat(waiting.getStatus().topicId()).isEqualTo(id);
    assertThat(Conditions.find(waiting.getStatus().conditions(), "Ready").getMessage())
        .startsWith("Kafka at 127.0.0.1:1 did not answer while trying to delete topic metrics (id " + id + ")")
        .endsWith("If the cluster is gone for good, remove the finalizer capstan.dev/topic-deletion by hand"
            + " (docs/topics.md)");
    assertThat(describe("metrics")).isPresent();

    // The cluster is back: the retried deletion goes through.
    patchBroker(kafka.bootstrapServers());
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(get("metrics")).isNull();
      assertThat(describe("metrics")).isEmpty();
    });
  }

  @Test
  void anUnreachableClusterIsReportedWithinSeconds() {
    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: gone, namespace: streaming}
        spec:
          external: {bootstrapServers: "127.0.0.1:1"}
        """)).create();
    create("lost", "{brokerRef: {name: gone}}");
    MessageTopic lost = awaitReady("lost", "False", "BrokerUnreachable");
    assertThat(Conditions.find(lost.getStatus().conditions(), "Ready").getMessage())
        .startsWith("Kafka at 127.0.0.1:1 did not answer while trying to describe topic lost");

    // Nothing was ever created, so nothing holds the deletion up.
    client.resources(MessageTopic.class).inNamespace(NS).withName("lost").delete();
    await().atMost(WAIT).until(() -> get("lost") == null);
  }

  @Test
  void anExternalBrokerIsReadyWithTheClusterIdOfTheKafkaItNames() {
    MessageBroker broker = await().atMost(WAIT).until(() -> broker("events"), b -> isReady(b, "True", "ClusterReachable"));
    assertThat(broker.getStatus().clusterId()).isEqualTo(kafka.nodes().clusterId()).isNotBlank();
    assertThat(broker.getStatus().bootstrapServers()).isEqualTo(kafka.bootstrapServers());
    assertThat(Conditions.find(broker.getStatus().conditions(), "Ready").getMessage()).isEqualTo(
        "Kafka cluster " + kafka.nodes().clusterId() + " at " + kafka.bootstrapServers() + " answered with 1 broker");
  }

  @Test
  void anExternalBrokerAtAClosedPortIsUnreachableWithinTheTimeout() throws Exception {
    String closed = "127.0.0.1:" + closedPort();
    long started = System.nanoTime();
    assertThatThrownBy(() -> admins.describeCluster(closed)).isInstanceOf(TimeoutException.class);
    // The Admin call gives up on its own (3 s), well before a reconciler thread would be missed.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: closed, namespace: streaming}
        spec:
          external: {bootstrapServers: "%s"}
        """.formatted(closed))).create();
    MessageBroker broker = await().atMost(WAIT).until(() -> broker("closed"), b -> isReady(b, "False", "Unreachable"));
    assertThat(Conditions.find(broker.getStatus().conditions(), "Ready").getMessage())
        .startsWith("Kafka at " + closed + " did not answer while trying to describe the cluster: ");
    assertThat(broker.getStatus().clusterId()).isNull();
  }

  /** A port nothing listens on: bound by the OS for a moment, then closed. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private MessageBroker broker(String name) {
    return client.resources(MessageBroker.class).inNamespace(NS).withName(name).get();
  }

  private static boolean isReady(MessageBroker broker, String status, String reason) {
    if (broker == null || broker.getStatus() == null) {
      return false;
    }
    Condition ready = Conditions.find(broker.getStatus().conditions(), "Ready");
    return ready != null && status.equals(ready.getStatus()) && reason.equals(ready.getReason());
  }

  private void create(String name, String spec) {
    MessageTopic topic = Fixtures.parse(MessageTopic.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageTopic
        metadata: {name: %s, namespace: streaming}
        spec:
        """.formatted(name) + spec.indent(2));
    topic.getMetadata().setUid(null);
    client.resource(topic).create();
  }

  private void patchBroker(String bootstrapServers) {
    client.resources(MessageBroker.class).inNamespace(NS).withName("events")
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(
            Map.of("spec", Map.of("external", Map.of("bootstrapServers", bootstrapServers)))));
  }

  private MessageTopic get(String name) {
    return client.resources(MessageTopic.class).inNamespace(NS).withName(name).get();
  }

  private void patchSpec(String name, Map<String, Object> spec) {
    client.resources(MessageTopic.class).inNamespace(NS).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("spec", spec)));
  }

  private MessageTopic awaitReady(String name, String status, String reason) {
    return await().atMost(WAIT).until(() -> get(name), current -> {
      if (current == null || current.getStatus() == null) {
        return false;
      }
      Condition ready = Conditions.find(current.getStatus().conditions(), "Ready");
      return ready != null && status.equals(ready.getStatus()) && reason.equals(ready.getReason());
    });
  }

  private static Optional<TopicDescription> describe(String topic) throws InterruptedException {
    try {
      return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw new AssertionError(e);
    }
  }

  private static Map<String, String> overrides(String topic) throws Exception {
    var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Map<String, String> result = new TreeMap<>();
    for (ConfigEntry entry : admin.describeConfigs(List.of(resource)).all().get().get(resource).entries()) {
      if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
        result.put(entry.name(), entry.value());
      }
    }
    return result;
  }

  private static void alterByHand(String topic, Map<String, String> set) throws Exception {
    var ops = set.entrySet().stream()
        .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
        .toList();
    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops)).all().get();
    assertThat(overrides(topic)).containsEntry("retention.ms", set.get("retention.ms"));
  }
}
