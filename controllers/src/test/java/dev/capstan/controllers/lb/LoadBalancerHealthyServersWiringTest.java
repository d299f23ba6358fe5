package dev.capstan.controllers.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.common.ConditionTypes;
import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LoadBalancer controller in JOSDK against Fabric8's CRUD mock API server, with balancers
 * played by a fake reader: healthyServers follows what the ready balancers report, found as the
 * ready endpoints of the balancers' Service, and says why when none answers.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class LoadBalancerHealthyServersWiringTest {
  private static final String NS = "shop";
  KubernetesClient client;
  private Operator operator;
  /** What each balancer answers, by pod IP; absent: it does not answer. */
  private final Map<String, Integer> reports = new ConcurrentHashMap<>();
  private final Set<String> asked = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() {
    BalancerStatusReader fake = (Collection<String> addresses, int port) -> {
      assertThat(port).isEqualTo(9901);
      asked.addAll(addresses);
      Map<String, Integer> answers = new ConcurrentHashMap<>();
      addresses.forEach(a -> {
        Integer n = reports.get(a);
        if (n != null) {
          answers.put(a, n);
        }
      });
      return answers;
    };
    // The mock API server knows no server-side apply; plain creates, updates and merge patches
    // stand in for it here.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(1)));
    operator.register(new LoadBalancerReconciler(ControllerSettings.defaults(), EventRecorder.NONE,
        Clock.systemUTC(), fake, Duration.ofMillis(200)));
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.stop();
  }

  @Test
  void healthyServersFollowsWhatTheReadyBalancersAgreeOn() {
    client.resource(Fixtures.parse(LoadBalancer.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: LoadBalancer
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 2
          listeners: [{port: 8080}]
          backends: [{host: app.example, port: 80}]
        """)).create();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.apps().deployments().inNamespace(NS).withName("web").get() != null);
    assertThat(lb().getStatus() == null ? null : lb().getStatus().healthyServers())
        .as("no balancer ready: nothing to report").isNull();

    // What the EndpointSlice controller and the kubelet would do: two ready balancer pods, a
    // third not ready, and the Deployment saying two are ready.
    reports.putAll(Map.of("10.0.0.1", 3, "10.0.0.2", 4, "10.0.0.3", 9));
    client.resource(new EndpointSliceBuilder()
        .withNewMetadata().withName("web-x7k2p").withNamespace(NS)
        .addToLabels(LoadBalancerReconciler.SERVICE_NAME_LABEL, "web").endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(
            HealthyServersTest.endpoint(true, "10.0.0.1"),
            HealthyServersTest.endpoint(true, "10.0.0.2"),
            HealthyServersTest.endpoint(false, "10.0.0.3"))
        .build()).create();
    Deployment d = client.apps().deployments().inNamespace(NS).withName("web").get();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(2).withReadyReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(2).build());
    client.resource(d).updateStatus();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(lb().getStatus().healthyServers()).as("the lowest count of the ready balancers").isEqualTo(3));

    // A server fails its checks on one balancer: no watched object changes, the recheck sees it.
    reports.put("10.0.0.1", 1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(lb().getStatus().healthyServers()).isEqualTo(1));

    // No balancer answers: the count is unknown, and Ready says why.
    reports.clear();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(lb().getStatus().healthyServers()).isNull();
      assertThat(ready().getStatus()).isEqualTo("True");
      assertThat(ready().getMessage()).endsWith(
          "; healthyServers unknown: none of the 2 ready balancers answered GET /status on port 9901");
    });
    assertThat(asked).as("a balancer that is not ready is not asked").containsOnly("10.0.0.1", "10.0.0.2");
  }

  private LoadBalancer lb() {
    return client.resources(LoadBalancer.class).inNamespace(NS).withName("web").get();
  }

  private Condition ready() {
    return lb().getStatus().conditions().stream()
        .filter(c -> c.getType().equals(ConditionTypes.READY)).findFirst().orElseThrow();
  }
}
