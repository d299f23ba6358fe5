package dev.capstan.controllers.lb;

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
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a LoadBalancer into the balancers' ServiceAccount, Role and RoleBinding, its
 * ConfigMap, Service and Deployment of balancers.
 */
@ControllerConfiguration(
    name = "loadbalancer",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrPauseChanged.class))
public class LoadBalancerReconciler extends WorkloadReconciler<LoadBalancer, LoadBalancerStatus> {
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

  public LoadBalancerReconciler(ControllerSettings settings, EventRecorder events, Clock clock) {
    super(events, clock);
    this.deployment = new OwnedResource<>(
        Deployment.class, "balancers", lb -> LoadBalancerResources.deployment(lb, settings));
  }

  @Override
  protected List<OwnedResource<?, LoadBalancer>> ownedResources() {
    // The identity comes before the Deployment: a pod naming a missing ServiceAccount is not
    // created, and the ReplicaSet controller only retries with back-off.
    return List.of(serviceAccount, role, roleBinding, configMap, service, deployment);
  }

  /** Without healthyServers, which the balancers write from their health checks. */
  @Override
  protected LoadBalancerStatus operatorOwned(LoadBalancerStatus s) {
    return new LoadBalancerStatus(
        s.observedGeneration(), s.conditions(), s.replicas(), s.readyReplicas(), s.selector(), s.endpoints(), null);
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
    return new LoadBalancerStatus(
        generation,
        conditions,
        health.current(),
        health.ready(),
        Labels.selectorString(LoadBalancerResources.COMPONENT, lb),
        LoadBalancerResources.endpoints(lb),
        // Only the balancers know which servers pass their health checks; they report it.
        null);
  }

  private WorkloadHealth health(LoadBalancer lb, Context<LoadBalancer> context) {
    return WorkloadHealth.ofDeployment(
        deployment.getSecondaryResource(lb, context), lb.getSpec().replicasOrDefault());
  }
}
