package dev.capstan.controllers.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.controllers.common.Conditions.Desired;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123Z");
  private static final Instant T1 = Instant.parse("2026-11-01T11:00:00Z");

  @Test
  void transitionTimeIsKeptWhileStatusStaysTheSame() {
    var first = Conditions.merge(List.of(), List.of(Desired.isFalse("Ready", "ReplicasNotReady", "0/1")), 1L, T0);
    assertThat(first.get(0).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    var same = Conditions.merge(first, List.of(Desired.isFalse("Ready", "ReplicasNotReady", "0/1 still")), 2L, T1);
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(same.get(0).getMessage()).isEqualTo("0/1 still");
    assertThat(same.get(0).getObservedGeneration()).isEqualTo(2L);
    var flipped = Conditions.merge(same, List.of(Desired.isTrue("Ready", "AllReplicasReady", "1/1")), 2L, T1);
    assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo("2026-11-01T11:00:00Z");
    assertThat(flipped.get(0).getStatus()).isEqualTo("True");
  }

  @Test
  void typesNotDesiredAreDroppedAndOrderFollowsDesired() {
    var current = Conditions.merge(List.of(),
        List.of(Desired.isTrue("ReconciliationPaused", "PausedByAnnotation", "x"), Desired.isTrue("Ready", "r", "m")), 1L, T0);
    var next = Conditions.merge(current,
        List.of(Desired.isFalse("Degraded", "AsExpected", "ok"), Desired.isTrue("Ready", "r", "m")), 1L, T1);
    assertThat(next).extracting(c -> c.getType()).containsExactly("Degraded", "Ready");
    assertThat(Conditions.isTrue(next, "Ready")).isTrue();
    assertThat(Conditions.find(next, "ReconciliationPaused")).isNull();
  }
}
