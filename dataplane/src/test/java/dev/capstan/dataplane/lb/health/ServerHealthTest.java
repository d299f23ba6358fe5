package dev.capstan.dataplane.lb.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerHealthTest {

  private static final long S = 1_000_000_000L;

  @Test
  void probesNeedFallFailuresToGoDownAndRiseSuccessesToComeBack() {
    ServerHealth h = new ServerHealth();
    assertThat(h.healthy()).isTrue();
    assertThat(h.probe(false, "connect refused", 2, 3)).isNull();
    assertThat(h.probe(false, "connect refused", 2, 3)).isNull();
    assertThat(h.probe(true, null, 2, 3)).isNull(); // a success resets the count of failures
    assertThat(h.probe(false, "connect refused", 2, 3)).isNull();
    assertThat(h.probe(false, "connect refused", 2, 3)).isNull();
    assertThat(h.probe(false, "connect refused", 2, 3))
        .isEqualTo(new ServerHealth.Change(false, "3 failed checks (connect refused)"));
    assertThat(h.healthy()).isFalse();
    assertThat(h.state()).isEqualTo("DOWN");
    assertThat(h.probe(true, null, 2, 3)).isNull();
    assertThat(h.probe(true, null, 2, 3)).isEqualTo(new ServerHealth.Change(true, "2 passed checks"));
    assertThat(h.healthy()).isTrue();
  }

  @Test
  void maxFailsWithinTheWindowEjectsForTheWindow() {
    ServerHealth h = new ServerHealth();
    assertThat(h.passiveFailure(0, 3, 10 * S, "reset")).isNull();
    assertThat(h.passiveFailure(5 * S, 3, 10 * S, "reset")).isNull();
    // The first failure is out of the window by now: still two within 10s.
    assertThat(h.passiveFailure(11 * S, 3, 10 * S, "reset")).isNull();
    ServerHealth.Change down = h.passiveFailure(12 * S, 3, 10 * S, "reset");
    assertThat(down.up()).isFalse();
    assertThat(down.reason()).isEqualTo("ejected for 10000ms after 3 failed request(s) (reset)");
    assertThat(h.state()).isEqualTo("EJECTED");
    assertThat(h.tick(21 * S)).isNull();
    assertThat(h.healthy()).isFalse();
    assertThat(h.tick(22 * S)).isEqualTo(new ServerHealth.Change(true, "ejection over, trying it again"));
    assertThat(h.healthy()).isTrue();
  }

  @Test
  void maxFailsZeroNeverEjects() {
    ServerHealth h = new ServerHealth();
    for (int i = 0; i < 100; i++) {
      assertThat(h.passiveFailure(i, 0, 10 * S, "reset")).isNull();
    }
    assertThat(h.healthy()).isTrue();
  }

  @Test
  void anEjectionEndingWhileProbesSayDownKeepsItDown() {
    ServerHealth h = new ServerHealth();
    h.passiveFailure(0, 1, S, "reset");
    h.probe(false, "connect refused", 1, 1);
    assertThat(h.tick(2 * S)).isNull();
    assertThat(h.state()).isEqualTo("DOWN");
  }
}
