package dev.capstan.controllers.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.support.Fixtures;
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

  @BeforeEach
  void start() {
    // The mock API server knows no server-side apply; plain creates, updates and merge patches
    // stand in for it here.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(1)));
    operator.register(new MessageBrokerReconciler(ControllerSettings.defaults(), EventRecorder.NONE, Clock.systemUTC()));
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
          .extracting(Condition::getReason).isEqualTo("ConnectivityNotChecked");
      assertThat(Conditions.find(status.conditions(), "Degraded"))
          .extracting(Condition::getReason).isEqualTo("LeftoverWorkload");
    });
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
