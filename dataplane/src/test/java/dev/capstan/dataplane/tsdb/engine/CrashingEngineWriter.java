package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only child process for {@link EngineCrashTest}: opens the engine in {@code args[0]} and
 * writes batches forever, point {@code n} at {@code T0 + n s} with value {@code n}, starting at
 * {@code args[1]}; after each acknowledged batch it prints the batch's last {@code n}. Small
 * flush and compaction thresholds make the kill land in flushes and compactions too.
 */
public final class CrashingEngineWriter {
  static final int BATCH = 10;

  private CrashingEngineWriter() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    long next = Long.parseLong(args[1]);
    EngineOptions options = EngineOptions.defaults().withFlushValues(300).withCompactionFiles(3)
        .withRetentionCheckInterval(Duration.ZERO).withWalSegmentBytes(8192);
    TsdbEngine engine = TsdbEngine.open(dataDir, options, Clock.systemUTC());
    engine.createDatabase("db");
    while (true) {
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++, next++) {
        batch.add(Data.cpu("h" + (next % 3), next, Data.T0 + next * Data.SECOND));
      }
      engine.write("db", null, batch);
      System.out.println(next - 1);
      System.out.flush();
    }
  }
}
