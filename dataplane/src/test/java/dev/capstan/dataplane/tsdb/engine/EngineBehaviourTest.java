package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.testing.ManualClock;
import static dev.capstan.dataplane.tsdb.engine.Data.HOUR;
import static dev.capstan.dataplane.tsdb.engine.Data.SECOND;
import static dev.capstan.dataplane.tsdb.engine.Data.T0;
import static dev.capstan.dataplane.tsdb.engine.Data.cpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.StoreException;
import dev.capstan.dataplane.tsdb.store.WriteOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract's semantics: errors in influxd's words, partial writes, policies, deletes, concurrency. */
class EngineBehaviourTest {
  private static final String DB = "db";
  private static final Duration HOURS = Duration.ofHours(1);

  @TempDir Path dir;
  private ManualClock clock;
  private TsdbEngine engine;

  @BeforeEach
  void open() throws Exception {
    clock = new ManualClock(Instant.ofEpochSecond(0, T0));
    engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO), clock);
    engine.createDatabase(DB);
  }

  @AfterEach
  void close() throws Exception {
    engine.close();
  }

  @Test
  void aConflictingFieldTypeDropsOnlyThatPointWithInfluxdsMessage() {
    engine.write(DB, null, List.of(cpu("a", 1.5, T0)));
    WriteOutcome outcome = engine.write(DB, null, List.of(
        cpu("a", 2.5, T0 + SECOND),
        Data.point("cpu", "a", "value", FieldValue.of(3L), T0 + 2 * SECOND),
        Data.point("cpu", "b", "value", FieldValue.of(true), T0 + 3 * SECOND),
        cpu("b", 4.5, T0 + 4 * SECOND)));

    assertThat(outcome).isEqualTo(new WriteOutcome(2, 2, Optional.of(
        "field type conflict: input field \"value\" on measurement \"cpu\" is type integer, already exists as type float")));
    assertThat(Data.readAll(engine, DB, null, "cpu", List.of("value"))).isEqualTo(Map.of(
        "cpu,host=a", Map.of("value", new TreeMap<>(Map.of(T0, 1.5, T0 + SECOND, 2.5))),
        "cpu,host=b", Map.of("value", new TreeMap<>(Map.of(T0 + 4 * SECOND, 4.5)))));
    assertThat(engine.fieldKeys(DB, "cpu")).containsExactly(Map.entry("value", FieldType.FLOAT));
  }

  @Test
  void aPointWithOneConflictingFieldIsDroppedWhole() {
    engine.write(DB, null, List.of(cpu("a", 1.5, T0)));
    Point mixed = new Point("cpu", List.of(), Data.fields("idle", FieldValue.of(1L), "value", FieldValue.of("x")), T0);
    assertThat(engine.write(DB, null, List.of(mixed)).dropped()).isEqualTo(1);
    assertThat(engine.fieldKeys(DB, "cpu")).as("the refused point fixed no type").containsOnlyKeys("value");
  }

  @Test
  void pointsOlderThanTheRetentionAreDropped() {
    engine.createRetentionPolicy(DB, new RetentionPolicy("short", Duration.ofHours(2), HOURS, 1, false));
    long now = T0;
    WriteOutcome outcome = engine.write(DB, "short", List.of(cpu("a", 1, now - 3 * HOUR), cpu("a", 2, now - 4 * HOUR),
        cpu("a", 3, now - HOUR), cpu("a", 4, now)));
    assertThat(outcome).isEqualTo(new WriteOutcome(2, 2, Optional.of("points beyond retention policy")));
    assertThat(Data.readAll(engine, DB, "short", "cpu", List.of("value")).get("cpu,host=a").get("value"))
        .containsOnlyKeys(now - HOUR, now);
  }

  @Test
  void aTypeConflictIsReportedBeforePointsBeyondRetention() {
    engine.createRetentionPolicy(DB, new RetentionPolicy("short", Duration.ofHours(2), HOURS, 1, false));
    engine.write(DB, "short", List.of(cpu("a", 1, T0)));
    WriteOutcome outcome = engine.write(DB, "short", List.of(cpu("a", 1, T0 - 5 * HOUR),
        Data.point("cpu", "a", "value", FieldValue.of(1L), T0)));
    assertThat(outcome.dropped()).isEqualTo(2);
    assertThat(outcome.error()).hasValueSatisfying(e -> assertThat(e).startsWith("field type conflict: "));
  }

  static Stream<Arguments> missingThings() {
    ReadRequest readMissingDb = new ReadRequest("nope", null, SeriesFilter.all(null), List.of("v"), 0, 1);
    ReadRequest readMissingRp = new ReadRequest(DB, "nope", SeriesFilter.all(null), List.of("v"), 0, 1);
    return Stream.of(
        Arguments.of("write to a missing database", (Consumer<TsdbEngine>) e -> e.write("nope", null, List.of(cpu("a", 1, T0))),
            "database not found: nope"),
        Arguments.of("write to a missing policy", (Consumer<TsdbEngine>) e -> e.write(DB, "nope", List.of(cpu("a", 1, T0))),
            "retention policy not found: nope"),
        Arguments.of("read a missing database", (Consumer<TsdbEngine>) e -> e.read(readMissingDb, (k, f) -> { }),
            "database not found: nope"),
        Arguments.of("read a missing policy", (Consumer<TsdbEngine>) e -> e.read(readMissingRp, (k, f) -> { }),
            "retention policy not found: nope"),
        Arguments.of("series of a missing database", (Consumer<TsdbEngine>) e -> e.series("nope", null), "database not found: nope"),
        Arguments.of("series count of a missing database", (Consumer<TsdbEngine>) e -> e.seriesCount("nope"),
            "database not found: nope"),
        Arguments.of("policies of a missing database", (Consumer<TsdbEngine>) e -> e.retentionPolicies("nope"),
            "database not found: nope"),
        Arguments.of("alter a missing policy", (Consumer<TsdbEngine>) e -> e.alterRetentionPolicy(DB,
            new RetentionPolicy("nope", Duration.ZERO, HOURS, 1, false)), "retention policy not found: nope"),
        Arguments.of("retention below an hour", (Consumer<TsdbEngine>) e -> e.createRetentionPolicy(DB,
            new RetentionPolicy("r", Duration.ofMinutes(30), HOURS, 1, false)), "retention policy duration must be at least 1h0m0s"),
        Arguments.of("retention shorter than its shards", (Consumer<TsdbEngine>) e -> e.createRetentionPolicy(DB,
            new RetentionPolicy("r", Duration.ofHours(2), Duration.ofHours(3), 1, false)),
            "retention policy duration must be greater than the shard duration"),
        Arguments.of("an existing policy with other settings", (Consumer<TsdbEngine>) e -> e.createRetentionPolicy(DB,
            new RetentionPolicy("autogen", Duration.ofDays(3), Duration.ofDays(1), 1, false)), "retention policy already exists"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingThings")
  void errorsUseInfluxdsMessages(String what, Consumer<TsdbEngine> action, String message) {
    assertThatThrownBy(() -> action.accept(engine)).isInstanceOf(StoreException.class).hasMessage(message);
  }

  @Test
  void policiesAreCreatedIdempotentlyAlteredAndDefaultedAsInInfluxd() throws Exception {
    RetentionPolicy week = new RetentionPolicy("week", Duration.ofDays(7), Duration.ofDays(1), 1, false);
    engine.createRetentionPolicy(DB, week);
    engine.createRetentionPolicy(DB, week);
    assertThatThrownBy(() -> engine.createRetentionPolicy(DB, week.withDefault(true)))
        .hasMessage("retention policy conflicts with an existing policy");
    engine.alterRetentionPolicy(DB, new RetentionPolicy("week", Duration.ofDays(14), Duration.ofDays(1), 1, true));
    assertThat(engine.retentionPolicies(DB)).containsExactly(
        new RetentionPolicy("autogen", Duration.ZERO, Duration.ofDays(7), 1, false),
        new RetentionPolicy("week", Duration.ofDays(14), Duration.ofDays(1), 1, true));
    engine.write(DB, null, List.of(cpu("a", 1, T0)));
    assertThat(Data.readAll(engine, DB, "week", "cpu", List.of("value"))).containsOnlyKeys("cpu,host=a");

    // Dropping the default leaves its name as the default, so writes without a policy fail, as in influxd.
    engine.dropRetentionPolicy(DB, "week");
    engine.dropRetentionPolicy(DB, "week");
    assertThatThrownBy(() -> engine.write(DB, null, List.of(cpu("a", 1, T0)))).hasMessage("retention policy not found: week");
    assertThat(Files.exists(engine.policyDirectory(DB, "week"))).isFalse();
    assertThat(engine.series(DB, null)).isEmpty();

    engine.createDatabase("second");
    engine.createDatabase("second");
    engine.close();
    engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO), clock);
    assertThat(engine.databases()).containsExactly(DB, "second");
    assertThat(engine.retentionPolicies(DB)).extracting(RetentionPolicy::name).containsExactly("autogen");
    assertThat(engine.retentionPolicies("second")).containsExactly(
        new RetentionPolicy("autogen", Duration.ZERO, Duration.ofDays(7), 1, true));
  }

  @Test
  void deleteRemovesPointsInRangeFromMemtableAndFilesAndEmptySeriesFromTheIndex() {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      points.add(cpu("a", i, T0 + i * SECOND));
      points.add(cpu("b", i, T0 + i * SECOND));
    }
    engine.write(DB, null, points.subList(0, 10));
    engine.flushAndCompact(); // half in a file, half in the memtable
    engine.write(DB, null, points.subList(10, 20));

    engine.delete(DB, new SeriesFilter("cpu", k -> k.tag("host").equals("a")), T0 + 2 * SECOND, T0 + 7 * SECOND);
    engine.delete(DB, new SeriesFilter("cpu", k -> k.tag("host").equals("b")), Long.MIN_VALUE, Long.MAX_VALUE);

    var data = Data.readAll(engine, DB, null, "cpu", List.of("value"));
    assertThat(data).containsOnlyKeys("cpu,host=a");
    assertThat(data.get("cpu,host=a").get("value")).containsOnlyKeys(T0, T0 + SECOND, T0 + 8 * SECOND, T0 + 9 * SECOND);
    assertThat(engine.series(DB, "cpu")).extracting(SeriesKey::text).containsExactly("cpu,host=a");

    // New writes after a delete land normally.
    engine.write(DB, null, List.of(cpu("b", 42, T0 + 5 * SECOND)));
    assertThat(Data.readAll(engine, DB, null, "cpu", List.of("value"))).containsOnlyKeys("cpu,host=a", "cpu,host=b");
  }

  @Test
  void dropMeasurementRemovesItsSeriesDataAndFieldTypes() {
    engine.write(DB, null, List.of(cpu("a", 1, T0), Data.point("mem", "a", "used", FieldValue.of(5L), T0)));
    engine.flushAndCompact();
    engine.write(DB, null, List.of(cpu("a", 2, T0 + SECOND)));

    assertThat(engine.seriesCount(DB)).isEqualTo(2).isEqualTo(engine.series(DB, null).size());
    engine.write(DB, null, List.of(cpu("b", 3, T0), cpu("c", 4, T0)));
    assertThat(engine.seriesCount(DB)).isEqualTo(4);

    engine.dropMeasurement(DB, "cpu");

    assertThat(engine.seriesCount(DB)).as("only mem,host=a is left").isEqualTo(1);
    assertThat(engine.measurements(DB)).containsExactly("mem");
    assertThat(engine.fieldKeys(DB, "cpu")).isEmpty();
    assertThat(Data.readAll(engine, DB, null, "cpu", List.of("value"))).isEmpty();
    // The type is free again.
    assertThat(engine.write(DB, null, List.of(Data.point("cpu", "a", "value", FieldValue.of("s"), T0))).dropped()).isZero();
    assertThat(engine.fieldKeys(DB, "cpu")).containsExactly(Map.entry("value", FieldType.STRING));
  }

  @Test
  void dropDatabaseRemovesItsDirectoryAndIsIdempotent() {
    engine.write(DB, null, List.of(cpu("a", 1, T0)));
    Path dbDir = engine.policyDirectory(DB, "autogen").getParent();
    assertThat(dbDir).isDirectory();
    engine.dropDatabase(DB);
    engine.dropDatabase(DB);
    assertThat(dbDir).doesNotExist();
    assertThat(engine.databases()).isEmpty();
    assertThatThrownBy(() -> engine.measurements(DB)).hasMessage("database not found: db");
  }

  @Test
  void namesAreEncodedIntoSafeDirectoryNames() {
    assertThat(TsdbEngine.dirName("my db/../x")).isEqualTo("my%20db%2F%2E%2E%2Fx");
    assertThat(TsdbEngine.dirName("autogen")).isEqualTo("autogen");
  }

  @Test
  void concurrentWritersAndReadersSeeEveryAcknowledgedPoint() throws Exception {
    int writers = 4;
    int batches = 50;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String host = "h" + w;
        futures.add(pool.submit(() -> {
          for (int b = 0; b < batches; b++) {
            List<Point> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
              batch.add(cpu(host, b, T0 + (b * 20L + i) * SECOND));
            }
            assertThat(engine.write(DB, null, batch).written()).isEqualTo(20);
            // A write is visible as soon as it returns.
            long last = T0 + (b * 20L + 19) * SECOND;
            var seen = Data.read(engine, new ReadRequest(DB, null, new SeriesFilter("cpu", k -> k.tag("host").equals(host)),
                List.of("value"), last, last));
            assertThat(seen).containsOnlyKeys("cpu,host=" + host);
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        for (int r = 0; r < 50; r++) {
          Data.readAll(engine, DB, null, "cpu", List.of("value")); // checks order and ascending times itself
        }
        return null;
      }));
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    var all = Data.readAll(engine, DB, null, "cpu", List.of("value"));
    assertThat(all).hasSize(writers);
    all.values().forEach(fields -> assertThat(fields.get("value")).hasSize(batches * 20));
  }
}
