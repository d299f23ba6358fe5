package dev.capstan.controllers.common;

import static dev.capstan.api.common.ConditionTypes.DEGRADED;
import static dev.capstan.api.common.ConditionTypes.PROGRESSING;
import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.controllers.common.Conditions.Desired;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Optional;

/**
 * What a StatefulSet or Deployment says about its pods, and the Ready, Progressing and
 * Degraded conditions that follow. Pure: the reconciler passes in what it observed.
 */
public record WorkloadHealth(
    String kind, boolean exists, int desired, int current, int ready, int updated, boolean observedLatest) {

  public static WorkloadHealth of(Optional<StatefulSet> observed, int desired) {
    return observed
        .map(sts -> {
          var s = sts.getStatus();
          return s == null
              ? observed("StatefulSet", desired, sts, null, null, null, null)
              : observed("StatefulSet", desired, sts, s.getObservedGeneration(), s.getReplicas(),
                  s.getReadyReplicas(), s.getUpdatedReplicas());
        })
        .orElse(missing("StatefulSet", desired));
  }

  public static WorkloadHealth ofDeployment(Optional<Deployment> observed, int desired) {
    return observed
        .map(d -> {
          var s = d.getStatus();
          return s == null
              ? observed("Deployment", desired, d, null, null, null, null)
              : observed("Deployment", desired, d, s.getObservedGeneration(), s.getReplicas(),
                  s.getReadyReplicas(), s.getUpdatedReplicas());
        })
        .orElse(missing("Deployment", desired));
  }

  private static WorkloadHealth missing(String kind, int desired) {
    return new WorkloadHealth(kind, false, desired, 0, 0, 0, false);
  }

  /** StatefulSets and Deployments report the same counters, each in its own status class. */
  private static WorkloadHealth observed(String kind, int desired, HasMetadata workload,
      Long observedGeneration, Integer replicas, Integer ready, Integer updated) {
    boolean latest = observedGeneration != null
        && observedGeneration >= workload.getMetadata().getGeneration();
    return new WorkloadHealth(kind, true, desired, nz(replicas), nz(ready), nz(updated), latest);
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  public boolean isReady() {
    return exists && observedLatest && ready >= desired && updated >= desired;
  }

  public boolean isRollingOut() {
    return exists && (!observedLatest || updated < desired || current != desired);
  }

  /** Ready, Progressing and Degraded for a workload that was reconciled without error. */
  public List<Desired> conditions() {
    String counts = ready + "/" + desired + " replicas ready";
    Desired readyCondition =
        isReady()
            ? Desired.isTrue(READY, "AllReplicasReady", counts)
            : Desired.isFalse(
                READY, exists ? "ReplicasNotReady" : "WorkloadMissing",
                exists ? counts : kind + " not created yet");
    Desired progressing =
        !exists || isRollingOut()
            ? Desired.isTrue(PROGRESSING, "RollingOut", updated + "/" + desired + " replicas updated")
            : Desired.isFalse(PROGRESSING, "RolloutComplete", "all replicas run the desired spec");
    Desired degraded =
        exists && !isRollingOut() && ready < desired
            ? Desired.isTrue(DEGRADED, "ReplicasUnavailable", (desired - ready) + " replicas not ready")
            : Desired.isFalse(DEGRADED, "AsExpected", "no fault observed");
    return List.of(readyCondition, progressing, degraded);
  }
}
