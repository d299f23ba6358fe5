package dev.capstan.controllers.common;

import static dev.capstan.api.common.ConditionTypes.DEGRADED;
import static dev.capstan.api.common.ConditionTypes.PROGRESSING;
import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.controllers.common.Conditions.Desired;
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
    if (observed.isEmpty()) {
      return new WorkloadHealth("StatefulSet", false, desired, 0, 0, 0, false);
    }
    StatefulSet sts = observed.get();
    var s = sts.getStatus();
    boolean latest =
        s != null
            && s.getObservedGeneration() != null
            && s.getObservedGeneration() >= sts.getMetadata().getGeneration();
    return new WorkloadHealth(
        "StatefulSet",
        true,
        desired,
        s == null ? 0 : nz(s.getReplicas()),
        s == null ? 0 : nz(s.getReadyReplicas()),
        s == null ? 0 : nz(s.getUpdatedReplicas()),
        latest);
  }

  public static WorkloadHealth ofDeployment(Optional<Deployment> observed, int desired) {
    if (observed.isEmpty()) {
      return new WorkloadHealth("Deployment", false, desired, 0, 0, 0, false);
    }
    Deployment d = observed.get();
    var s = d.getStatus();
    boolean latest =
        s != null
            && s.getObservedGeneration() != null
            && s.getObservedGeneration() >= d.getMetadata().getGeneration();
    return new WorkloadHealth(
        "Deployment",
        true,
        desired,
        s == null ? 0 : nz(s.getReplicas()),
        s == null ? 0 : nz(s.getReadyReplicas()),
        s == null ? 0 : nz(s.getUpdatedReplicas()),
        latest);
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
