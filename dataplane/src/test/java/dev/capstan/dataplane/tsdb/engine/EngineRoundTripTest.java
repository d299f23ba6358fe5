package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.testing.ManualClock;
import static dev.capstan.dataplane.tsdb.engine.Data.HOUR;
import static dev.capstan.dataplane.tsdb.engine.Data.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random writes — out of order, duplicate times, several field types, several shard
 * groups — through memtable, flushes, compactions and a restart, checked after every round
 * against a TreeMap model in which the last write wins.
 */
class EngineRoundTripTest {
  private static final String DB = "db";
  private static final List<String> CPU_FIELDS = List.of("value", "count");
  private static final List<String> MEM_FIELDS = List.of("used", "ok", "note");
  private static final List<String> HOSTS = List.of("a", "b", "c", "d", "e");

  @TempDir Path dir;

  /** series text → field → time → value */
  private final TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> model = new TreeMap<>();

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void readsMatchTheModelThroughFlushCompactionAndRestart(long seed) throws Exception {
    Random rnd = new Random(seed);
    // Tiny thresholds so a few thousand points go through many flushes, compactions and blocks.
    EngineOptions options = EngineOptions.defaults().withFlushValues(150).withCompactionFiles(3)
        .withRetentionCheckInterval(Duration.ZERO);
    // Fsync on a timer: this test is about merging, durability is the crash test's.
    options = new EngineOptions(FsyncPolicy.INTERVAL, Duration.ofSeconds(1), 4096, options.flushValues(), options.flushBytes(),
        options.compactionFiles(), 16, options.retentionCheckInterval());
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(0, T0).plus(Duration.ofDays(30)));
    TsdbEngine engine = TsdbEngine.open(dir, options, clock);
    try {
      engine.createDatabase(DB);
      Map<String, Long> lastTime = new LinkedHashMap<>();
      int written = 0;
      for (int round = 0; round < 8; round++) {
        for (int batch = 0; batch < 10; batch++) {
          List<Point> points = new ArrayList<>();
          int n = 1 + rnd.nextInt(60);
          for (int i = 0; i < n; i++) {
            points.add(randomPoint(rnd, lastTime));
          }
          assertThat(engine.write(DB, null, points).dropped()).isZero();
          points.forEach(this::apply);
          written += n;
        }
        assertMatchesModel(engine, rnd);
      }
      assertThat(engine.fileCounts(DB, "autogen").values()).as("flushes happened").anyMatch(c -> c > 0);
      // Tiered: at most compactionFiles - 1 files per level, and few levels at this size.
      assertThat(engine.fileCounts(DB, "autogen").values()).as("compactions keep few files").allMatch(c -> c <= 6);
      assertThat(engine.fileCounts(DB, "autogen")).as("several shard groups").hasSizeGreaterThan(1);
      engine.flushAndCompact();
      assertThat(engine.fileCounts(DB, "autogen").values()).allMatch(c -> c == 1);
      assertMatchesModel(engine, rnd);
      // More writes after compaction: duplicates of compacted times must still win.
      for (int batch = 0; batch < 5; batch++) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          points.add(randomPoint(rnd, lastTime));
        }
        engine.write(DB, null, points);
        points.forEach(this::apply);
      }
      assertMatchesModel(engine, rnd);
      System.out.printf("seed %d: %d points written, files per group %s%n", seed, written, engine.fileCounts(DB, "autogen"));
    } finally {
      engine.close();
    }
    try (TsdbEngine reopened = TsdbEngine.open(dir, options, clock)) {
      assertMatchesModel(reopened, rnd);
      assertThat(reopened.series(DB, null)).extracting(SeriesKey::text).containsExactlyElementsOf(model.keySet());
    }
  }

  private Point randomPoint(Random rnd, Map<String, Long> lastTime) {
    boolean cpu = rnd.nextBoolean();
    String host = HOSTS.get(rnd.nextInt(HOSTS.size()));
    String measurement = cpu ? "cpu" : "mem";
    String seriesText = measurement + ",host=" + host;
    long last = lastTime.getOrDefault(seriesText, T0);
    double dice = rnd.nextDouble();
    long time;
    if (dice < 0.15 && model.containsKey(seriesText)) {
      // an exact duplicate of a time the series already has
      List<Long> times = new ArrayList<>();
      model.get(seriesText).values().forEach(m -> times.addAll(m.keySet()));
      time = times.get(rnd.nextInt(times.size()));
    } else if (dice < 0.35) {
      time = last - (long) (rnd.nextDouble() * 48 * HOUR); // out of order, maybe into an older shard group
    } else {
      time = last + (1 + rnd.nextInt(7200)) * Data.SECOND * 10;
      lastTime.put(seriesText, time);
    }
    Map<String, FieldValue> fields = new LinkedHashMap<>();
    List<String> names = cpu ? CPU_FIELDS : MEM_FIELDS;
    for (String name : names) {
      if (rnd.nextInt(3) > 0) {
        fields.put(name, value(name, rnd));
      }
    }
    if (fields.isEmpty()) {
      fields.put(names.get(0), value(names.get(0), rnd));
    }
    return new Point(measurement, List.of(new Tag("host", host)), fields, time);
  }

  private static FieldValue value(String field, Random rnd) {
    return switch (field) {
      case "value" -> FieldValue.of(Math.round(rnd.nextGaussian() * 10000) / 100.0);
      case "count", "used" -> FieldValue.of((long) rnd.nextInt(1000));
      case "ok" -> FieldValue.of(rnd.nextBoolean());
      default -> FieldValue.of("note-" + rnd.nextInt(50));
    };
  }

  private void apply(Point p) {
    String text = p.measurement() + ",host=" + p.tags().get(0).value();
    TreeMap<String, TreeMap<Long, Object>> fields = model.computeIfAbsent(text, k -> new TreeMap<>());
    p.fields().forEach((name, value) -> fields.computeIfAbsent(name, k -> new TreeMap<>()).put(p.timestampNanos(), Data.plain(value)));
  }

  private void assertMatchesModel(TsdbEngine engine, Random rnd) {
    List<String> all = new ArrayList<>(CPU_FIELDS);
    all.addAll(MEM_FIELDS);
    assertThat(Data.readAll(engine, DB, null, null, all)).isEqualTo(model);
    for (int q = 0; q < 10; q++) {
      long a = T0 - 48 * HOUR + (long) (rnd.nextDouble() * 30 * 24 * HOUR);
      long b = a + (long) (rnd.nextDouble() * 10 * 24 * HOUR);
      String host = HOSTS.get(rnd.nextInt(HOSTS.size()));
      Predicate<SeriesKey> condition = q % 2 == 0 ? k -> true : k -> k.tag("host").equals(host);
      String measurement = q % 3 == 0 ? null : "cpu";
      List<String> fields = q % 3 == 0 ? all : CPU_FIELDS;
      ReadRequest request = new ReadRequest(DB, "autogen", new SeriesFilter(measurement, condition), fields, a, b);
      assertThat(Data.read(engine, request)).as("range [%d, %d] %s", a, b, measurement).isEqualTo(expected(measurement, condition,
          fields, a, b));
      // The same read limited to the newest or oldest few points per field: one block or many,
      // from the memtable, several files and several shard groups.
      int[] sizes = {1, 2, 5, 17, 300};
      ReadRequest.Limit limit = new ReadRequest.Limit(sizes[rnd.nextInt(sizes.length)], rnd.nextBoolean());
      assertThat(Data.read(engine, request.withLimit(limit))).as("range [%d, %d] %s, %s", a, b, measurement, limit)
          .isEqualTo(limited(expected(measurement, condition, fields, a, b), limit));
    }
    ReadRequest.Limit limit = new ReadRequest.Limit(1 + rnd.nextInt(3), rnd.nextBoolean());
    ReadRequest everything = new ReadRequest(DB, null, SeriesFilter.all(null), all, Long.MIN_VALUE, Long.MAX_VALUE, limit);
    assertThat(Data.read(engine, everything)).as("all time, %s", limit).isEqualTo(limited(model, limit));
  }

  /** The model's answer cut to the limit's points per series field. */
  private static TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> limited(
      TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> full, ReadRequest.Limit limit) {
    TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> out = new TreeMap<>();
    full.forEach((series, byField) -> {
      TreeMap<String, TreeMap<Long, Object>> fields = new TreeMap<>();
      byField.forEach((field, points) -> {
        List<Long> times = new ArrayList<>(limit.newest() ? points.descendingKeySet() : points.keySet());
        TreeMap<Long, Object> kept = new TreeMap<>();
        times.stream().limit(limit.points()).forEach(t -> kept.put(t, points.get(t)));
        fields.put(field, kept);
      });
      out.put(series, fields);
    });
    return out;
  }

  private TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> expected(String measurement, Predicate<SeriesKey> condition,
      List<String> fields, long a, long b) {
    TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> out = new TreeMap<>();
    model.forEach((text, byField) -> {
      String[] parts = text.split(",host=");
      SeriesKey key = SeriesKey.of(parts[0], Map.of("host", parts[1]));
      if ((measurement != null && !measurement.equals(parts[0])) || !condition.test(key)) {
        return;
      }
      TreeMap<String, TreeMap<Long, Object>> selected = new TreeMap<>();
      byField.forEach((field, points) -> {
        if (fields.contains(field) && !points.subMap(a, true, b, true).isEmpty()) {
          selected.put(field, new TreeMap<>(points.subMap(a, true, b, true)));
        }
      });
      if (!selected.isEmpty()) {
        out.put(text, selected);
      }
    });
    return out;
  }
}
