package dev.capstan.controllers.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.controllers.common.Conditions.Desired;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkloadHealthTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // exists, desired, current, ready, updated, latest -> Ready, Progressing, Degraded (reasons)
        Arguments.of(false, 3, 0, 0, 0, false, "WorkloadMissing", "RollingOut", "AsExpected"),
        Arguments.of(true, 3, 3, 0, 3, false, "ReplicasNotReady", "RollingOut", "AsExpected"),
        Arguments.of(true, 3, 3, 1, 1, true, "ReplicasNotReady", "RollingOut", "AsExpected"),
        Arguments.of(true, 3, 3, 3, 3, true, "AllReplicasReady", "RolloutComplete", "AsExpected"),
        Arguments.of(true, 3, 3, 2, 3, true, "ReplicasNotReady", "RolloutComplete", "ReplicasUnavailable"),
        Arguments.of(true, 2, 3, 3, 2, true, "AllReplicasReady", "RollingOut", "AsExpected"),
        Arguments.of(true, 3, 3, 3, 3, false, "ReplicasNotReady", "RollingOut", "AsExpected"));
  }

  @ParameterizedTest(name = "[{index}] exists={0} {3}/{1} ready, {4} updated, latest={5}")
  @MethodSource("cases")
  void conditionsFollowTheWorkload(boolean exists, int desired, int current, int ready, int updated,
      boolean latest, String readyReason, String progressingReason, String degradedReason) {
    var health = new WorkloadHealth("StatefulSet", exists, desired, current, ready, updated, latest);
    var conditions = health.conditions();
    assertThat(conditions).extracting(Desired::type).containsExactly("Ready", "Progressing", "Degraded");
    assertThat(conditions).extracting(Desired::reason).containsExactly(readyReason, progressingReason, degradedReason);
    assertThat(conditions.get(0).status()).isEqualTo(readyReason.equals("AllReplicasReady"));
    assertThat(conditions.get(1).status()).isEqualTo(progressingReason.equals("RollingOut"));
    assertThat(conditions.get(2).status()).isEqualTo(degradedReason.equals("ReplicasUnavailable"));
  }
}
