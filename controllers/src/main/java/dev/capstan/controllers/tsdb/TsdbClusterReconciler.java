package dev.capstan.controllers.tsdb;

import dev.capstan.api.tsdb.TsdbCluster;
import dev.capstan.api.tsdb.TsdbClusterStatus;
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
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Reconciles a TsdbCluster into its ConfigMap, Services, StatefulSet and PDB. */
@ControllerConfiguration(
    name = "tsdbcluster",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrPauseChanged.class))
public class TsdbClusterReconciler extends WorkloadReconciler<TsdbCluster, TsdbClusterStatus> {
  private final OwnedResource<ConfigMap, TsdbCluster> configMap =
      new OwnedResource<>(ConfigMap.class, "config", TsdbClusterResources::configMap);
  private final OwnedResource<Service, TsdbCluster> peers =
      new OwnedResource<>(Service.class, "peers", TsdbClusterResources::peersService);
  private final OwnedResource<Service, TsdbCluster> client =
      new OwnedResource<>(Service.class, "client", TsdbClusterResources::clientService);
  private final OwnedResource<StatefulSet, TsdbCluster> statefulSet;
  private final OwnedResource<PodDisruptionBudget, TsdbCluster> pdb =
      new OwnedResource<>(PodDisruptionBudget.class, "pdb", TsdbClusterResources::podDisruptionBudget);

  public TsdbClusterReconciler(ControllerSettings settings, EventRecorder events, Clock clock) {
    super(events, clock);
    this.statefulSet =
        new OwnedResource<>(StatefulSet.class, "nodes", c -> TsdbClusterResources.statefulSet(c, settings));
  }

  @Override
  protected List<OwnedResource<?, TsdbCluster>> ownedResources() {
    return List.of(configMap, peers, client, statefulSet, pdb);
  }

  @Override
  protected Optional<String> invalidSpec(TsdbCluster cluster) {
    return TsdbClusterResources.invalid(cluster);
  }

  @Override
  protected List<Desired> observedConditions(TsdbCluster cluster, Context<TsdbCluster> context) {
    return health(cluster, context).conditions();
  }

  @Override
  protected TsdbClusterStatus status(
      TsdbCluster cluster, Context<TsdbCluster> context, Long generation, List<Condition> conditions) {
    WorkloadHealth health = health(cluster, context);
    return new TsdbClusterStatus(
        generation,
        conditions,
        health.current(),
        health.ready(),
        Labels.selectorString(TsdbClusterResources.COMPONENT, cluster),
        TsdbClusterResources.endpoint(cluster));
  }

  private WorkloadHealth health(TsdbCluster cluster, Context<TsdbCluster> context) {
    return WorkloadHealth.of(
        statefulSet.getSecondaryResource(cluster, context), cluster.getSpec().replicasOrDefault());
  }
}
