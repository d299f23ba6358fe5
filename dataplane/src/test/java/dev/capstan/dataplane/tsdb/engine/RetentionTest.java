package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.testing.ManualClock;
import static dev.capstan.dataplane.tsdb.engine.Data.HOUR;
import static dev.capstan.dataplane.tsdb.engine.Data.T0;
import static dev.capstan.dataplane.tsdb.engine.Data.cpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.ShardGroupSpan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention drops whole shard groups once their end is older than now minus the duration. */
class RetentionTest {
  private static final String DB = "db";

  @TempDir Path dir;

  @Test
  void expiredShardGroupsLeaveDiskReadsAndTheIndexWhileInfinitePoliciesKeepEverything() throws Exception {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(0, T0));
    try (TsdbEngine engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO), clock)) {
      engine.createDatabase(DB);
      engine.createRetentionPolicy(DB, new RetentionPolicy("short", Duration.ofHours(2), Duration.ofHours(1), 1, false));
      // Groups [T0-2h, T0-1h), [T0-1h, T0), [T0, T0+1h).
      engine.write(DB, "short", List.of(cpu("a", 1, T0 - 90 * 60 * Data.SECOND), cpu("a", 2, T0 - HOUR / 2), cpu("a", 3, T0)));
      engine.write(DB, "short", List.of(Data.point("tmp", "a", "v", FieldValue.of(1L), T0)));
      engine.write(DB, "autogen", List.of(cpu("a", 0, T0 - 400 * 24 * HOUR), cpu("a", 1, T0)));
      engine.flushAndCompact();
      Path shortDir = engine.policyDirectory(DB, "short");
      assertThat(groups(shortDir)).hasSize(3);
      long before = Fs.sizeOf(shortDir);

      assertThat(engine.enforceRetention()).as("nothing has fully expired yet").isZero();
      long day = 24 * HOUR;
      // 7-day groups start on Mondays (see ShardGroups): T0 is a Thursday, T0 - 400 days a Wednesday.
      assertThat(engine.shardGroups()).containsExactly(
          new ShardGroupSpan(DB, "autogen", T0 - 402 * day, T0 - 395 * day),
          new ShardGroupSpan(DB, "autogen", T0 - 3 * day, T0 + 4 * day),
          new ShardGroupSpan(DB, "short", T0 - 2 * HOUR, T0 - HOUR),
          new ShardGroupSpan(DB, "short", T0 - HOUR, T0),
          new ShardGroupSpan(DB, "short", T0, T0 + HOUR));

      clock.advance(Duration.ofHours(1).plusNanos(1)); // the oldest group's end is now older than now - 2h
      assertThat(engine.enforceRetention()).isEqualTo(1);
      assertThat(groups(shortDir)).hasSize(2);
      assertThat(engine.shardGroups()).extracting(ShardGroupSpan::retentionPolicy, ShardGroupSpan::start)
          .as("the dropped group is no longer listed")
          .containsExactly(tuple("autogen", T0 - 402 * day), tuple("autogen", T0 - 3 * day),
              tuple("short", T0 - HOUR), tuple("short", T0));
      assertThat(Fs.sizeOf(shortDir)).as("disk space freed").isLessThan(before);
      assertThat(Data.readAll(engine, DB, "short", "cpu", List.of("value")).get("cpu,host=a").get("value"))
          .containsOnlyKeys(T0 - HOUR / 2, T0);

      clock.advance(Duration.ofDays(10));
      assertThat(engine.enforceRetention()).isEqualTo(2);
      assertThat(groups(shortDir)).isEmpty();
      assertThat(Data.readAll(engine, DB, "short", null, List.of("value", "v"))).isEmpty();
      assertThat(engine.measurements(DB)).as("series only in dropped groups leave the index").containsExactly("cpu");
      assertThat(Data.readAll(engine, DB, "autogen", "cpu", List.of("value")).get("cpu,host=a").get("value"))
          .as("an infinite policy keeps everything").containsOnlyKeys(T0 - 400 * 24 * HOUR, T0);
    }
  }

  @Test
  void theBackgroundCheckDropsExpiredGroups() throws Exception {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(0, T0));
    EngineOptions options = EngineOptions.defaults().withRetentionCheckInterval(Duration.ofMillis(20));
    try (TsdbEngine engine = TsdbEngine.open(dir, options, clock)) {
      engine.createDatabase(DB);
      engine.createRetentionPolicy(DB, new RetentionPolicy("short", Duration.ofHours(1), Duration.ofHours(1), 1, false));
      engine.write(DB, "short", List.of(cpu("a", 1, T0)));
      Path shortDir = engine.policyDirectory(DB, "short");
      assertThat(groups(shortDir)).hasSize(1);
      clock.advance(Duration.ofHours(3));
      await().atMost(Duration.ofSeconds(10)).until(() -> groups(shortDir).isEmpty());
      assertThat(engine.series(DB, null)).isEmpty();
    }
  }

  private static List<Path> groups(Path policyDir) throws Exception {
    if (!Files.isDirectory(policyDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(policyDir)) {
      return s.toList();
    }
  }
}
