package dev.capstan.controllers.lb;

import static dev.capstan.controllers.lb.LoadBalancerResourcesTest.lb;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.api.lb.LoadBalancerStatus;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LoadBalancerReconcilerTest {
  private final LoadBalancerReconciler reconciler = new LoadBalancerReconciler(
      ControllerSettings.defaults(), EventRecorder.NONE, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

  @Test
  void theIdentityIsAppliedBeforeThePodsThatUseIt() {
    assertThat(reconciler.ownedResources())
        .extracting(r -> r.resourceType().getSimpleName() + "/" + r.name())
        .containsExactly("ServiceAccount/serviceaccount", "Role/role", "RoleBinding/rolebinding",
            "ConfigMap/config", "Service/service", "Deployment/balancers");
  }

  /**
   * Without a ready balancer there is nobody to ask: healthyServers stays unset, no EndpointSlice
   * is listed (the context would fail the test) and no reason is added to Ready.
   */
  @Test
  void healthyServersIsUnsetWhileNoBalancerIsReady() {
    // Listener port 9901 is the admin port: invalid, so no owned object is touched and the
    // reconcile needs nothing from the cluster.
    LoadBalancer lb = lb("listeners: [{port: 9901}]");
    UpdateControl<LoadBalancer> first = reconciler.reconcile(lb, NO_SECONDARIES);
    assertThat(first.isPatchStatus()).isTrue();
    LoadBalancerStatus written = first.getResource().orElseThrow().getStatus();
    assertThat(written.healthyServers()).isNull();
    assertThat(written.conditions()).extracting(c -> c.getReason()).containsOnly("InvalidSpec");
    assertThat(written.conditions()).extracting(c -> c.getMessage()).noneMatch(m -> m.contains("healthyServers"));
    assertThat(first.getScheduleDelay()).as("an invalid spec waits for the user, not the clock").isEmpty();

    // A count written before is taken back: the operator owns the field.
    lb.setStatus(withHealthyServers(written, 3));
    UpdateControl<LoadBalancer> next = reconciler.reconcile(lb, NO_SECONDARIES);
    assertThat(next.isPatchStatus()).isTrue();
    assertThat(next.getResource().orElseThrow().getStatus().healthyServers()).isNull();
  }

  @Test
  void aReasonIsAddedToReadyOnly() {
    List<Condition> conditions = List.of(
        new ConditionBuilder().withType("Ready").withStatus("True").withMessage("2/2 replicas ready").build(),
        new ConditionBuilder().withType("Degraded").withStatus("False").withMessage("no fault observed").build());
    assertThat(LoadBalancerReconciler.noted(conditions, null)).isSameAs(conditions);
    assertThat(LoadBalancerReconciler.noted(conditions, "healthyServers unknown: why"))
        .extracting(Condition::getMessage)
        .containsExactly("2/2 replicas ready; healthyServers unknown: why", "no fault observed");
  }

  private static LoadBalancerStatus withHealthyServers(LoadBalancerStatus s, int healthy) {
    return new LoadBalancerStatus(
        s.observedGeneration(), s.conditions(), s.replicas(), s.readyReplicas(), s.selector(), s.endpoints(), healthy);
  }

  /** A context of a cluster with no secondary objects; anything else it is asked fails the test. */
  @SuppressWarnings("unchecked")
  private static final Context<LoadBalancer> NO_SECONDARIES = (Context<LoadBalancer>) Proxy.newProxyInstance(
      Context.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, method, args) -> switch (method.getName()) {
        case "getSecondaryResources" -> Set.of();
        case "getSecondaryResourcesAsStream" -> Stream.empty();
        case "getSecondaryResource" -> Optional.empty();
        case "toString" -> "no secondaries";
        default -> throw new UnsupportedOperationException(method.getName());
      });
}
