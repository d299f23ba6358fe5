package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiered compaction inside one shard: overlapping rewrites of one series through many levels. */
class ShardCompactionTest {
  @TempDir Path dir;

  @Test
  void theNewestValueWinsAcrossLevelsAndFilesStayFew() throws Exception {
    EngineOptions options = EngineOptions.defaults().withFlushValues(20).withCompactionFiles(2)
        .withRetentionCheckInterval(Duration.ZERO);
    options = new EngineOptions(options.fsync(), options.fsyncInterval(), options.walSegmentBytes(), options.flushValues(),
        options.flushBytes(), options.compactionFiles(), 7, options.retentionCheckInterval());
    Random rnd = new Random(7);
    TreeMap<Long, Object> model = new TreeMap<>();
    int maxFiles = 0;
    try (Shard shard = Shard.open(dir.resolve("0_1000000000000"), 0, 1_000_000_000_000L, options)) {
      for (int batch = 0; batch < 64; batch++) {
        List<SeriesPoint> points = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          long time = rnd.nextInt(150) * Data.SECOND; // a small range: most writes overwrite older files' times
          double value = batch * 100 + i;
          points.add(SeriesPoint.of(Data.cpu("a", value, time)));
          model.put(time, value);
        }
        shard.write(points, 0);
        maxFiles = Math.max(maxFiles, shard.fileCount());
        FieldData read = shard.read("cpu,host=a", "value", Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(Data.toMap(read.toBlock())).as("after batch %d", batch).isEqualTo(model);
      }
      // 32 flushes with a fan-in of 2 climb five levels; a counter never holds more than one file per level.
      assertThat(maxFiles).isBetween(1, 6);
      assertThat(Data.toMap(shard.read("cpu,host=a", "value", 50 * Data.SECOND, 60 * Data.SECOND).toBlock()))
          .isEqualTo(model.subMap(50 * Data.SECOND, true, 60 * Data.SECOND, true));
    }
    try (Shard reopened = Shard.open(dir.resolve("0_1000000000000"), 0, 1_000_000_000_000L, options)) {
      assertThat(Data.toMap(reopened.read("cpu,host=a", "value", Long.MIN_VALUE, Long.MAX_VALUE).toBlock())).isEqualTo(model);
    }
  }
}
