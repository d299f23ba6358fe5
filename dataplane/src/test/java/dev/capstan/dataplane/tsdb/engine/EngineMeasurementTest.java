package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size target on its data set — 1M regular float points, 10 s apart, 2-decimal
 * random walks, 100 series — plus write and read speeds, printed (speeds are not asserted: two
 * shared cores make them noise; the size is deterministic).
 */
class EngineMeasurementTest {
  private static final int SERIES = 100;
  private static final int POINTS_PER_SERIES = 10_000;

  @TempDir Path dir;

  @Test
  void aMillionRegularFloatPointsTakeAtMost1point4BytesEachOnDisk() throws Exception {
    Random rnd = new Random(2026);
    long[] hundredths = new long[SERIES];
    for (int s = 0; s < SERIES; s++) {
      hundredths[s] = 2000 + rnd.nextInt(1000);
    }
    List<List<Tag>> tags = new ArrayList<>();
    for (int s = 0; s < SERIES; s++) {
      tags.add(List.of(new Tag("host", "host-" + s)));
    }
    try (TsdbEngine engine = TsdbEngine.open(dir, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO),
        new ManualClock(Instant.ofEpochSecond(0, Data.T0)))) {
      engine.createDatabase("db");
      long writeNanos = 0;
      for (int from = 0; from < POINTS_PER_SERIES; from += 50) {
        List<Point> batch = new ArrayList<>(50 * SERIES);
        for (int i = from; i < from + 50; i++) {
          for (int s = 0; s < SERIES; s++) {
            hundredths[s] += rnd.nextInt(11) - 5;
            batch.add(new Point("cpu", tags.get(s), Map.of("value", FieldValue.of(hundredths[s] / 100.0)),
                Data.T0 + i * 10 * Data.SECOND));
          }
        }
        long t = System.nanoTime();
        engine.write("db", null, batch);
        writeNanos += System.nanoTime() - t;
      }
      long total = (long) SERIES * POINTS_PER_SERIES;
      long c = System.nanoTime();
      engine.flushAndCompact();
      long compactNanos = System.nanoTime() - c;
      double perPoint = (double) engine.fileBytes("db") / total;

      long r = System.nanoTime();
      LongAdder read = new LongAdder();
      engine.read(new ReadRequest("db", null, SeriesFilter.all("cpu"), List.of("value"), Long.MIN_VALUE, Long.MAX_VALUE),
          (key, fields) -> read.add(fields.get("value").size()));
      long readNanos = System.nanoTime() - r;

      long h = System.nanoTime();
      LongAdder hour = new LongAdder();
      long mid = Data.T0 + 50_000 * Data.SECOND;
      engine.read(new ReadRequest("db", null, SeriesFilter.all("cpu"), List.of("value"), mid, mid + 3600 * Data.SECOND - 1),
          (key, fields) -> hour.add(fields.get("value").size()));
      long hourNanos = System.nanoTime() - h;

      System.out.printf("1M points: %.3f B/point in files (%d bytes, data dir %d bytes incl. WAL); write %.0f points/s "
              + "(batches of 5000, fsync each); flush+compaction %d ms; full read %d points in %d ms; one hour of 100 series "
              + "(%d points) in %.1f ms%n",
          perPoint, engine.fileBytes("db"), Fs.sizeOf(dir), total / (writeNanos / 1e9), compactNanos / 1_000_000, read.sum(),
          readNanos / 1_000_000, hour.sum(), hourNanos / 1e6);
      assertThat(read.sum()).isEqualTo(total);
      assertThat(hour.sum()).isEqualTo(SERIES * 360L);
      assertThat(perPoint).isLessThanOrEqualTo(1.4);
    }
  }
}
