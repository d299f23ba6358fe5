package dev.capstan.dataplane.tsdb.engine;

import static dev.capstan.dataplane.tsdb.engine.Data.SECOND;
import static dev.capstan.dataplane.tsdb.engine.Data.T0;
import static dev.capstan.dataplane.tsdb.engine.Data.cpu;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.testing.ManualClock;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes find already indexed series in a cache instead of building their keys again; the cache
 * must never hide a series from the index, also after deletes rebuilt the index without it.
 */
class EngineSeriesCacheTest {
  private static final String DB = "db";

  @TempDir Path dir;

  private static List<String> seriesOf(TsdbEngine engine, String measurement) {
    return engine.series(DB, measurement).stream().map(SeriesKey::text).toList();
  }

  @Test
  void aSeriesWrittenAgainAfterItsMeasurementWasDroppedIsIndexedAgain() throws Exception {
    try (TsdbEngine engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO),
        new ManualClock(Instant.ofEpochSecond(0, T0)))) {
      engine.createDatabase(DB);
      engine.write(DB, null, List.of(cpu("a", 1.0, T0), cpu("b", 2.0, T0)));
      engine.write(DB, null, List.of(cpu("a", 1.5, T0 + SECOND))); // from the cache: a new Point, equal tags
      assertThat(seriesOf(engine, "cpu")).containsExactly("cpu,host=a", "cpu,host=b");

      engine.dropMeasurement(DB, "cpu");
      assertThat(seriesOf(engine, "cpu")).isEmpty();

      engine.write(DB, null, List.of(cpu("a", 3.0, T0 + 2 * SECOND)));
      assertThat(seriesOf(engine, "cpu")).containsExactly("cpu,host=a");
      assertThat(Data.readAll(engine, DB, null, "cpu", List.of("value")))
          .containsOnlyKeys("cpu,host=a")
          .extractingByKey("cpu,host=a").extracting(fields -> fields.get("value")).isEqualTo(
              new java.util.TreeMap<>(java.util.Map.of(T0 + 2 * SECOND, (Object) 3.0)));
    }
  }

  @Test
  void pointsNamingTheSameTagListInstancesFindTheirOwnSeriesAcrossBatchesAndAfterADrop() throws Exception {
    // As the parser's key cache hands them out: one tag list instance per series, in every batch.
    List<Tag> a = List.of(new Tag("host", "a"));
    List<Tag> b = List.of(new Tag("host", "b"));
    List<Tag> none = List.of();
    try (TsdbEngine engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO),
        new ManualClock(Instant.ofEpochSecond(0, T0)))) {
      engine.createDatabase(DB);
      for (int batch = 0; batch < 3; batch++) {
        long t = T0 + batch * SECOND;
        engine.write(DB, null, List.of(value("cpu", a, 1 + batch, t), value("cpu", b, 10 + batch, t),
            value("cpu", none, 100 + batch, t), value("mem", none, 1000 + batch, t), value("mem", a, 2000 + batch, t)));
      }
      assertThat(seriesOf(engine, "cpu")).containsExactly("cpu", "cpu,host=a", "cpu,host=b");
      assertThat(seriesOf(engine, "mem")).containsExactly("mem", "mem,host=a");
      assertThat(Data.readAll(engine, DB, null, "cpu", List.of("value")).get("cpu,host=b").get("value"))
          .isEqualTo(new TreeMap<>(Map.of(T0, (Object) 10.0, T0 + SECOND, 11.0, T0 + 2 * SECOND, 12.0)));
      assertThat(Data.readAll(engine, DB, null, "mem", List.of("value")).get("mem").get("value"))
          .isEqualTo(new TreeMap<>(Map.of(T0, (Object) 1000.0, T0 + SECOND, 1001.0, T0 + 2 * SECOND, 1002.0)));

      engine.dropMeasurement(DB, "cpu");
      engine.write(DB, null, List.of(value("cpu", b, 20, T0 + 3 * SECOND)));

      assertThat(seriesOf(engine, "cpu")).containsExactly("cpu,host=b");
      assertThat(Data.readAll(engine, DB, null, "cpu", List.of("value")).get("cpu,host=b").get("value"))
          .isEqualTo(new TreeMap<>(Map.of(T0 + 3 * SECOND, (Object) 20.0)));
    }
  }

  private static Point value(String measurement, List<Tag> tags, double value, long time) {
    return new Point(measurement, tags, Map.of("value", FieldValue.of(value)), time);
  }
}
