package dev.capstan.controllers.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.support.Fixtures;
import dev.capstan.controllers.topic.KafkaCluster;
import dev.capstan.controllers.topic.MessageTopicReconciler.SyncIntervals;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker controller running in JOSDK against Fabric8's CRUD mock API server: a broker that
 * runs pods gets its objects, and one switched to external gets none and says what is left.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class MessageBrokerReconcilerWiringTest {
  private static final String NS = "streaming";
  KubernetesClient client;
  private Operator operator;
  /** What the fake external cluster answers, changed by the tests; unreachable until then. */
  private final AtomicReference<Function<String, KafkaCluster>> cluster = new AtomicReference<>(servers -> {
    throw new TimeoutException("Timed out waiting for a node assignment. Call: describeCluster");
  });
  private final AtomicInteger probes = new AtomicInteger();
  private final List<String> recorded = new CopyOnWriteArrayList<>();
  private final EventRecorder events = new EventRecorder() {
    @Override
    public void normal(HasMetadata about, String reason, String message) {
      recorded.add("Normal " + reason);
    }

    @Override
    public void warning(HasMetadata about, String reason, String message) {
      recorded.add("Warning " + reason);
    }
  };

  @BeforeEach
  void start() {
    // The mock API server knows no server-side apply; plain creates, updates and merge patches
    // stand in for it here.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(1)));
    // Short intervals, so that the rescheduled checks happen within the test's patience.
    operator.register(new MessageBrokerReconciler(ControllerSettings.defaults(), events, Clock.systemUTC(),
        servers -> cluster.get().apply(servers),
        new SyncIntervals(Duration.ofMillis(300), Duration.ofMillis(200), Duration.ofSeconds(1))));
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.stop();
  }

  @Test
  void aBrokerRunsPodsUntilItIsPointedAtAnExternalCluster() {
    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec: {replicas: 3}
        """)).create();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(names(ConfigMap.class)).contains("events-config");
      assertThat(names(Service.class)).contains("events-brokers", "events-bootstrap");
      assertThat(names(StatefulSet.class)).containsExactly("events");
      assertThat(names(PodDisruptionBudget.class)).containsExactly("events");
      var status = broker().getStatus();
      assertThat(status).isNotNull();
      assertThat(status.bootstrapServers()).isEqualTo("events-bootstrap.streaming.svc:9092");
      assertThat(status.selector()).isEqualTo("app.kubernetes.io/name=broker,app.kubernetes.io/instance=events");
    });

    // A JSON patch replacing the whole spec carries no resourceVersion, so it cannot collide
    // with the status patches the operator makes meanwhile (edit() would, now and then: 409).
    client.resources(MessageBroker.class).inNamespace(NS).withName("events").patch(
        PatchContext.of(PatchType.JSON),
        "[{\"op\": \"replace\", \"path\": \"/spec\", "
            + "\"value\": {\"external\": {\"bootstrapServers\": \"kafka.corp:9092\"}}}]");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var status = broker().getStatus();
      assertThat(status).isNotNull();
      assertThat(status.bootstrapServers()).isEqualTo("kafka.corp:9092");
      assertThat(status.replicas()).isNull();
      assertThat(Conditions.find(status.conditions(), "Ready"))
          .extracting(Condition::getReason).isEqualTo("Unreachable");
      assertThat(Conditions.find(status.conditions(), "Degraded"))
          .extracting(Condition::getReason).isEqualTo("LeftoverWorkload");
    });
  }

  @Test
  void anExternalClusterIsCheckedAgainUntilItAnswersAndThenPeriodically() {
    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec: {external: {bootstrapServers: "kafka.corp:9092"}}
        """)).create();
    Condition down = awaitReady("False", "Unreachable");
    assertThat(down.getMessage()).isEqualTo("Kafka at kafka.corp:9092 did not answer while trying to describe"
        + " the cluster: Timed out waiting for a node assignment. Call: describeCluster");
    assertThat(broker().getStatus().clusterId()).isNull();
    assertThat(names(StatefulSet.class)).isEmpty();

    // Nothing about the resource changes: only the rescheduled check can see the cluster come up.
    cluster.set(servers -> {
      probes.incrementAndGet();
      return new KafkaCluster(servers.equals("kafka.corp:9092") ? "corp-cluster" : "wrong", 3);
    });
    Condition up = awaitReady("True", "ClusterReachable");
    assertThat(up.getMessage()).isEqualTo("Kafka cluster corp-cluster at kafka.corp:9092 answered with 3 brokers");
    assertThat(broker().getStatus().clusterId()).isEqualTo("corp-cluster");
    assertThat(broker().getStatus().bootstrapServers()).isEqualTo("kafka.corp:9092");

    // While it answers, it is still asked, every resync; the answer repeated records no event.
    int seen = probes.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> probes.get() >= seen + 3);
    assertThat(recorded).containsExactly("Warning Unreachable", "Normal ClusterReachable");

    // The cluster goes away again: the status says so, with the last id kept.
    cluster.set(servers -> {
      throw new TimeoutException("no answer within 3s");
    });
    assertThat(awaitReady("False", "Unreachable").getMessage()).endsWith(": no answer within 3s");
    assertThat(broker().getStatus().clusterId()).isEqualTo("corp-cluster");
    assertThat(recorded).containsExactly("Warning Unreachable", "Normal ClusterReachable", "Warning Unreachable");
  }

  private Condition awaitReady(String status, String reason) {
    return await().atMost(Duration.ofSeconds(10)).until(
        () -> {
          MessageBroker b = broker();
          return b == null || b.getStatus() == null ? null : Conditions.find(b.getStatus().conditions(), "Ready");
        },
        ready -> ready != null && status.equals(ready.getStatus()) && reason.equals(ready.getReason()));
  }

  private MessageBroker broker() {
    return client.resources(MessageBroker.class).inNamespace(NS).withName("events").get();
  }

  private List<String> names(Class<? extends HasMetadata> type) {
    return client.resources(type).inNamespace(NS).list().getItems().stream()
        .map(r -> r.getMetadata().getName())
        .toList();
  }
}
