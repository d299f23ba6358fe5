package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process is killed with SIGKILL mid-ingest (including mid-flush and mid-compaction);
 * after reopening, every point it acknowledged is there with its value. A process crash keeps
 * the page cache, so this does not prove what a power loss would; that rests on the fsyncs.
 */
class EngineCrashTest {
  private static final int ACKS_BEFORE_KILL = 150;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void everyAcknowledgedPointSurvivesKillMinus9() throws Exception {
    Path data = tmp.resolve("data");
    long next = 0;
    for (int round = 1; round <= 2; round++) {
      long lastAcknowledged = runAndKill(data, next, round);
      assertThat(lastAcknowledged).isGreaterThanOrEqualTo(next + (long) ACKS_BEFORE_KILL * CrashingEngineWriter.BATCH - 1);
      try (TsdbEngine engine = TsdbEngine.open(data, EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO),
          Clock.systemUTC())) {
        TreeMap<Long, Double> seen = new TreeMap<>();
        Data.readAll(engine, "db", null, "cpu", List.of("value")).values()
            .forEach(fields -> fields.get("value").forEach((t, v) -> seen.put(t, (Double) v)));
        for (long n = 0; n <= lastAcknowledged; n++) {
          assertThat(seen.get(Data.T0 + n * Data.SECOND)).as("point %d of %d acknowledged", n, lastAcknowledged).isEqualTo((double) n);
        }
        // Whatever else survived is a whole, correct point of an unacknowledged batch.
        for (Map.Entry<Long, Double> e : seen.tailMap(Data.T0 + (lastAcknowledged + 1) * Data.SECOND).entrySet()) {
          assertThat(e.getValue()).isEqualTo((double) ((e.getKey() - Data.T0) / Data.SECOND));
        }
        System.out.printf("round %d: acknowledged up to %d, recovered %d points%n", round, lastAcknowledged, seen.size());
      }
      next = lastAcknowledged + 1;
    }
  }

  private long runAndKill(Path data, long start, int round) throws Exception {
    Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CrashingEngineWriter.class.getName(), data.toString(), Long.toString(start))
        .redirectError(tmp.resolve("writer-" + round + ".stderr").toFile())
        .start();
    long last = -1;
    int acks = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        last = Long.parseLong(line);
        if (++acks == ACKS_BEFORE_KILL) {
          // SIGKILL; acknowledgements already in the pipe still count, so keep reading to EOF.
          writer.toHandle().destroyForcibly();
        }
      }
      assertThat(writer.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      writer.destroyForcibly();
    }
    assertThat(acks).as("writer acknowledged enough before dying (see writer-%d.stderr)", round).isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
    return last;
  }
}
