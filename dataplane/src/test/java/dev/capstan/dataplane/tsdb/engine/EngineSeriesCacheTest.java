package dev.capstan.dataplane.tsdb.engine;

import static dev.capstan.dataplane.tsdb.engine.Data.SECOND;
import static dev.capstan.dataplane.tsdb.engine.Data.T0;
import static dev.capstan.dataplane.tsdb.engine.Data.cpu;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.testing.ManualClock;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
}
