package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the node does with its ConfigMap: create and alter, never drop, idempotently. */
class ApplyConfigTest {
  @TempDir Path dir;
  private TsdbEngine engine;

  @BeforeEach
  void open() throws Exception {
    engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO),
        new ManualClock(Instant.ofEpochSecond(0, Data.T0)));
  }

  @AfterEach
  void close() throws Exception {
    engine.close();
  }

  private static TsdbNodeConfig config(TsdbNodeConfig.Database... databases) {
    return new TsdbNodeConfig(8086, 1, false, List.of(databases));
  }

  private static TsdbNodeConfig.RetentionPolicy rp(String name, String duration, String shard, boolean isDefault) {
    return new TsdbNodeConfig.RetentionPolicy(name, duration, shard, isDefault);
  }

  @Test
  void createsWhatIsMissingOnceAndThenChangesNothing() {
    TsdbNodeConfig config = config(new TsdbNodeConfig.Database("metrics", List.of(
        rp("raw", "2d", null, true), rp("forever", "INF", "7d", false), rp("fine", "6h", "10m", false))));

    assertThat(engine.applyConfig(config)).containsExactly("created database metrics", "created retention policy metrics.raw",
        "created retention policy metrics.forever", "created retention policy metrics.fine");
    assertThat(engine.retentionPolicies("metrics")).containsExactly(
        new RetentionPolicy("autogen", Duration.ZERO, Duration.ofDays(7), 1, false),
        new RetentionPolicy("raw", Duration.ofDays(2), Duration.ofDays(1), 1, true),
        new RetentionPolicy("forever", Duration.ZERO, Duration.ofDays(7), 1, false),
        // influxd raises a shard duration below an hour to an hour
        new RetentionPolicy("fine", Duration.ofHours(6), Duration.ofHours(1), 1, false));

    assertThat(engine.applyConfig(config)).as("idempotent").isEmpty();
  }

  @Test
  void altersChangedPoliciesAndDefaultsButNeverDropsWhatUsersCreated() {
    engine.applyConfig(config(new TsdbNodeConfig.Database("metrics", List.of(rp("raw", "2d", null, true)))));
    engine.createDatabase("adhoc");
    engine.createRetentionPolicy("metrics", new RetentionPolicy("mine", Duration.ofDays(1), Duration.ofHours(1), 1, false));

    List<String> changes = engine.applyConfig(config(new TsdbNodeConfig.Database("metrics", List.of(
        rp("raw", "3d", "1d", false), rp("mine", "1d", "1h", true)))));

    assertThat(changes).containsExactly("altered retention policy metrics.raw", "altered retention policy metrics.mine");
    assertThat(engine.databases()).containsExactly("metrics", "adhoc");
    assertThat(engine.retentionPolicies("metrics")).containsExactly(
        new RetentionPolicy("autogen", Duration.ZERO, Duration.ofDays(7), 1, false),
        new RetentionPolicy("raw", Duration.ofDays(3), Duration.ofDays(1), 1, false),
        new RetentionPolicy("mine", Duration.ofDays(1), Duration.ofHours(1), 1, true));
  }

  @Test
  void aBadDurationChangesNothingAndNamesWhereItIs() {
    TsdbNodeConfig bad = config(new TsdbNodeConfig.Database("ok", List.of(rp("raw", "2d", null, true))),
        new TsdbNodeConfig.Database("metrics", List.of(rp("raw", "2x", null, false))));
    assertThatThrownBy(() -> engine.applyConfig(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tsdb config: database metrics, retention policy raw: invalid duration '2x' (use InfluxDB literals such as 90m, 7d or INF)");
    assertThatThrownBy(() -> engine.applyConfig(config(new TsdbNodeConfig.Database("m", List.of(rp("r", "30m", null, false))))))
        .hasMessage("tsdb config: database m, retention policy r: retention policy duration must be at least 1h0m0s");
    assertThat(engine.databases()).isEmpty();
  }
}
