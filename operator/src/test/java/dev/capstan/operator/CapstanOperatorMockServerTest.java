package dev.capstan.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.tsdb.TsdbCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator wired as {@code main} wires it, against Fabric8's mock API server: a fast
 * check of the controller loop. The e2e module proves the same against a real API server.
 */
@EnableKubernetesMockClient(crud = true)
class CapstanOperatorMockServerTest {
  KubernetesClient client;
  private CapstanOperator operator;

  @BeforeEach
  void start() {
    var config = new OperatorConfig(Set.of(), 0, false, "capstan-operator", null, "test", "capstan/dataplane:test");
    // The mock server knows no server-side apply; the real API server (e2e) is tested with it.
    operator = CapstanOperator.start(client, config, Clock.systemUTC(), o -> o
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withUseSSAToPatchPrimaryResource(false));
  }

  @AfterEach
  void stop() {
    operator.close();
  }

  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private static final String TSDB = """
      apiVersion: capstan.dev/v1alpha1
      kind: TsdbCluster
      metadata: {name: metrics, namespace: default}
      spec:
        replicas: 2
        replicationFactor: 1
        databases:
          - name: telegraf
            retentionPolicies: [{name: week, duration: 7d, default: true}]
      """;

  @Test
  void reconcilesATsdbClusterIntoItsObjectsAndStatus() {
    TsdbCluster created = client.resource(Serialization.unmarshal(TSDB, TsdbCluster.class)).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      StatefulSet sts = client.apps().statefulSets().inNamespace("default").withName("metrics").get();
      assertThat(sts).isNotNull();
      assertThat(sts.getSpec().getReplicas()).isEqualTo(2);
      assertThat(sts.getMetadata().getOwnerReferences())
          .anySatisfy(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
      assertThat(client.configMaps().inNamespace("default").withName("metrics-config").get()).isNotNull();
      assertThat(client.services().inNamespace("default").withName("metrics").get()).isNotNull();
      assertThat(client.services().inNamespace("default").withName("metrics-peers").get()).isNotNull();
      assertThat(client.resources(PodDisruptionBudget.class).inNamespace("default").withName("metrics").get()).isNotNull();
    });

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      TsdbCluster current = client.resources(TsdbCluster.class).inNamespace("default").withName("metrics").get();
      assertThat(current.getStatus()).isNotNull();
      assertThat(current.getStatus().observedGeneration()).isEqualTo(current.getMetadata().getGeneration());
      assertThat(current.getStatus().conditions()).extracting(c -> c.getType())
          .containsExactly("Ready", "Progressing", "Degraded");
      // No kubelet behind a mock server: pods never become ready.
      assertThat(current.getStatus().conditions().get(0).getStatus()).isEqualTo("False");
      assertThat(current.getStatus().endpoint()).isEqualTo("http://metrics.default.svc:8086");
    });
  }

  @Test
  void pauseAnnotationStopsChangesUntilRemoved() {
    client.resource(Serialization.unmarshal(TSDB, TsdbCluster.class)).create();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        client.apps().statefulSets().inNamespace("default").withName("metrics").get() != null);

    var resource = client.resources(TsdbCluster.class).inNamespace("default").withName("metrics");
    // Merge patches carry no resourceVersion: the operator patches the status meanwhile.
    resource.patch(MERGE, "{\"metadata\": {\"annotations\": {\"capstan.dev/paused\": \"true\"}}}");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(conditions(resource.get()))
            .anySatisfy(c -> {
              assertThat(c.getType()).isEqualTo("ReconciliationPaused");
              assertThat(c.getStatus()).isEqualTo("True");
            }));
    resource.patch(MERGE, "{\"spec\": {\"replicas\": 3}}");
    // Give the operator time to (wrongly) act, then check it did not.
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
        client.apps().statefulSets().inNamespace("default").withName("metrics").get().getSpec().getReplicas() == 2);

    resource.patch(MERGE, "{\"metadata\": {\"annotations\": {\"capstan.dev/paused\": null}}}");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(client.apps().statefulSets().inNamespace("default").withName("metrics").get().getSpec().getReplicas())
          .isEqualTo(3);
      assertThat(conditions(resource.get())).noneMatch(c -> c.getType().equals("ReconciliationPaused"));
    });
  }

  /** The status may still be unwritten when the test looks: no status, no conditions yet. */
  private static List<Condition> conditions(TsdbCluster cluster) {
    return cluster.getStatus() == null ? List.of() : cluster.getStatus().conditions();
  }

  @Test
  void servesHealthReadinessAndMetrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + operator.httpPort();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    client.resource(Serialization.unmarshal(TSDB, TsdbCluster.class)).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("capstan_operator_leader 1.0");
      assertThat(metrics).contains("capstan_events_total{kind=\"TsdbCluster\",reason=\"Created\",type=\"Normal\"}");
      assertThat(metrics).contains("operator_sdk_reconciliations");
      assertThat(metrics).contains("jvm_memory_used_bytes");
    });
  }
}
