package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.tsdb.engine.EngineOptions;
import dev.capstan.dataplane.tsdb.engine.TsdbEngine;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * last(), first() and LIMIT read only the newest or oldest points of each series field. Over the
 * real engine — seeded out-of-order writes and duplicate times, spread over the memtable,
 * several files, many small blocks and several one-hour shard groups — every query must answer
 * exactly as over a model store that always returns every point in range.
 */
class LimitedReadQueryTest {
  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final List<String> HOSTS = List.of("a", "b", "c");
  private static final String CUT = " WHERE time >= '2026-01-01T00:47:13Z' AND time <= '2026-01-01T03:12:07Z'";
  private static final List<String> QUERIES = List.of(
      "SELECT last(v) FROM cpu GROUP BY *",
      "SELECT first(v) FROM cpu GROUP BY host",
      "SELECT last(v), last(i) FROM cpu",
      "SELECT first(v), first(i) FROM cpu GROUP BY host",
      "SELECT last(*) FROM cpu GROUP BY host",
      "SELECT last(v) FROM cpu" + CUT + " GROUP BY host",
      "SELECT first(i) FROM cpu" + CUT + " GROUP BY host",
      "SELECT last(v) FROM cpu" + CUT + " GROUP BY host ORDER BY time DESC",
      "SELECT first(v) FROM cpu WHERE time > '2026-01-01T01:00:00Z' ORDER BY time DESC",
      "SELECT last(v) FROM cpu WHERE host = 'b' AND time < '2026-01-01T02:30:00Z'",
      "SELECT v FROM cpu LIMIT 5",
      "SELECT v, i FROM cpu ORDER BY time DESC LIMIT 7",
      "SELECT v FROM cpu" + CUT + " LIMIT 4 OFFSET 3",
      "SELECT i FROM cpu" + CUT + " GROUP BY host ORDER BY time DESC LIMIT 3 OFFSET 2",
      "SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1",
      "SELECT v FROM cpu WHERE v > 0 ORDER BY time DESC LIMIT 3");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void limitedReadsAnswerAsFullReads(long seed) throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-01-02T00:00:00Z"), ZoneOffset.UTC);
    // Tiny flushes and blocks: a few hundred points make many files and blocks per series.
    EngineOptions options = new EngineOptions(FsyncPolicy.INTERVAL, Duration.ofSeconds(1), 4096, 60, 1 << 20, 3, 4,
        Duration.ZERO);
    InMemoryTsdbStore model = new InMemoryTsdbStore(clock, false);
    try (TsdbEngine engine = TsdbEngine.open(dir, options, clock)) {
      for (TsdbStore store : List.of(engine, model)) {
        store.createDatabase("db");
        store.createRetentionPolicy("db", new RetentionPolicy("hourly", Duration.ZERO, Duration.ofHours(1), 1, true));
      }
      Random rnd = new Random(seed);
      long[] last = new long[HOSTS.size()];
      for (int batch = 0; batch < 40; batch++) {
        List<Point> points = new ArrayList<>();
        for (int n = 1 + rnd.nextInt(30); n > 0; n--) {
          int h = rnd.nextInt(HOSTS.size());
          double dice = rnd.nextDouble();
          long time;
          if (dice < 0.15 && last[h] > 0) {
            time = T0 + (last[h] - T0) / (1 + rnd.nextInt(3)) / SECOND * SECOND; // maybe a duplicate of a written time
          } else if (dice < 0.35) {
            time = T0 + (long) (rnd.nextDouble() * 4 * 3600) * SECOND; // out of order, any shard group
          } else {
            last[h] = Math.max(last[h], T0) + (1 + rnd.nextInt(120)) * SECOND;
            time = last[h];
          }
          Map<String, FieldValue> fields = rnd.nextInt(4) == 0
              ? Map.of("i", FieldValue.of((long) rnd.nextInt(100)))
              : rnd.nextBoolean() ? Map.of("v", FieldValue.of(rnd.nextGaussian()))
              : Map.of("v", FieldValue.of(rnd.nextGaussian()), "i", FieldValue.of((long) rnd.nextInt(100)));
          points.add(new Point("cpu", List.of(new Tag("host", HOSTS.get(h))), fields, time));
        }
        assertThat(engine.write("db", null, points).dropped()).isZero();
        model.write("db", null, points);
      }
      assertThat(filesPerShardGroup()).as("files per shard group").hasSizeGreaterThan(2).anyMatch(files -> files > 1);
      QueryExecutor overEngine = new QueryExecutor(engine, clock);
      QueryExecutor overModel = new QueryExecutor(model, clock);
      for (String query : QUERIES) {
        String expected = json(overModel, query);
        assertThat(expected).as(query).contains("\"values\"");
        assertThat(json(overEngine, query)).as(query).isEqualTo(expected);
      }
    }
  }

  private List<Long> filesPerShardGroup() throws Exception {
    try (Stream<Path> groups = Files.list(dir.resolve("data/db/hourly"))) {
      return groups.map(group -> {
        try (Stream<Path> files = Files.list(group)) {
          return files.filter(f -> f.toString().endsWith(".tsf")).count();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  private static String json(QueryExecutor executor, String query) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InfluxJson.write(executor.execute(query, new QueryContext("db", null)), new JsonOptions(false, null), out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
