package dev.capstan.controllers.lb;

import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.config.Ports;
import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.api.lb.LoadBalancerStatus;
import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.common.Labels;
import dev.capstan.controllers.common.OwnedResource;
import dev.capstan.controllers.common.SpecOrPauseChanged;
import dev.capstan.controllers.common.WorkloadHealth;
import dev.capstan.controllers.common.WorkloadReconciler;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a LoadBalancer into the balancers' ServiceAccount, Role and RoleBinding, its
 * ConfigMap, Service and Deployment of balancers, and reports in status.healthyServers the
 * count of servers its ready balancers agree are healthy, looked up again every
 * {@link #RECHECK}.
 */
@ControllerConfiguration(
    name = "loadbalancer",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrPauseChanged.class))
public class LoadBalancerReconciler extends WorkloadReconciler<LoadBalancer, LoadBalancerStatus> {
  /** How often healthyServers follows the balancers' health checks by default. */
  public static final Duration RECHECK = Duration.ofSeconds(15);
  /** The label the EndpointSlice controller puts on the slices of a Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final OwnedResource<ConfigMap, LoadBalancer> configMap =
      new OwnedResource<>(ConfigMap.class, "config", LoadBalancerResources::configMap);
  private final OwnedResource<Service, LoadBalancer> service =
      new OwnedResource<>(Service.class, "service", LoadBalancerResources::service);
  private final OwnedResource<ServiceAccount, LoadBalancer> serviceAccount =
      new OwnedResource<>(ServiceAccount.class, "serviceaccount", LoadBalancerResources::serviceAccount);
  private final OwnedResource<Role, LoadBalancer> role =
      new OwnedResource<>(Role.class, "role", LoadBalancerResources::role);
  private final OwnedResource<RoleBinding, LoadBalancer> roleBinding =
      new OwnedResource<>(RoleBinding.class, "rolebinding", LoadBalancerResources::roleBinding);
  private final OwnedResource<Deployment, LoadBalancer> deployment;

  private final BalancerStatusReader balancers;
  private final Duration recheck;

  public LoadBalancerReconciler(ControllerSettings settings, EventRecorder events, Clock clock) {
    this(settings, events, clock, new HttpBalancerStatusReader(), RECHECK);
  }

  /**
   * @param balancers asks the ready balancers for their healthy-server counts
   * @param recheck how often healthyServers is brought up to date when nothing else changes
   */
  public LoadBalancerReconciler(ControllerSettings settings, EventRecorder events, Clock clock,
      BalancerStatusReader balancers, Duration recheck) {
    super(events, clock);
    this.balancers = balancers;
    this.recheck = recheck;
    this.deployment = new OwnedResource<>(
        Deployment.class, "balancers", lb -> LoadBalancerResources.deployment(lb, settings));
  }

  @Override
  protected List<OwnedResource<?, LoadBalancer>> ownedResources() {
    // The identity comes before the Deployment: a pod naming a missing ServiceAccount is not
    // created, and the ReplicaSet controller only retries with back-off.
    return List.of(serviceAccount, role, roleBinding, configMap, service, deployment);
  }

  /** Balancers' health follows their servers, which no informer watches: look again regularly. */
  @Override
  protected Optional<Duration> recheckAfter(LoadBalancer lb) {
    return Optional.of(recheck);
  }

  @Override
  protected Optional<String> invalidSpec(LoadBalancer lb) {
    return LoadBalancerResources.invalid(lb);
  }

  @Override
  protected List<Desired> observedConditions(LoadBalancer lb, Context<LoadBalancer> context) {
    return health(lb, context).conditions();
  }

  @Override
  protected LoadBalancerStatus status(
      LoadBalancer lb, Context<LoadBalancer> context, Long generation, List<Condition> conditions) {
    WorkloadHealth health = health(lb, context);
    HealthyServers healthy = health.ready() > 0 ? healthyServers(lb, context) : HealthyServers.NOT_ASKED;
    return new LoadBalancerStatus(
        generation,
        noted(conditions, healthy.unknownBecause()),
        health.current(),
        health.ready(),
        Labels.selectorString(LoadBalancerResources.COMPONENT, lb),
        LoadBalancerResources.endpoints(lb),
        healthy.count());
  }

  /**
   * Asks the ready balancers, found as the ready endpoints of their Service. Only the balancers
   * know which servers pass their health checks.
   */
  private HealthyServers healthyServers(LoadBalancer lb, Context<LoadBalancer> context) {
    List<EndpointSlice> slices;
    try {
      slices = context.getClient().discovery().v1().endpointSlices()
          .inNamespace(lb.getMetadata().getNamespace())
          .withLabel(SERVICE_NAME_LABEL, LoadBalancerResources.serviceName(lb))
          .list().getItems();
    } catch (KubernetesClientException e) {
      return HealthyServers.unknown("cannot list the EndpointSlices of Service "
          + LoadBalancerResources.serviceName(lb) + ": " + e.getMessage());
    }
    List<String> ready = HealthyServers.readyAddresses(slices);
    return HealthyServers.of(ready, balancers.healthyServers(ready, Ports.ADMIN), Ports.ADMIN);
  }

  /**
   * The conditions with why healthyServers is unknown added to Ready's message: a Ready
   * balancer that cannot be asked is not a fault of the LoadBalancer, but the user should know
   * why the field is missing. The message changes only when the reason does, so this patches
   * the status once, not on every recheck.
   */
  static List<Condition> noted(List<Condition> conditions, String note) {
    if (note == null) {
      return conditions;
    }
    return conditions.stream()
        .map(c -> READY.equals(c.getType())
            ? new ConditionBuilder(c).withMessage(c.getMessage() + "; " + note).build()
            : c)
        .toList();
  }

  private WorkloadHealth health(LoadBalancer lb, Context<LoadBalancer> context) {
    return WorkloadHealth.ofDeployment(
        deployment.getSecondaryResource(lb, context), lb.getSpec().replicasOrDefault());
  }
}
