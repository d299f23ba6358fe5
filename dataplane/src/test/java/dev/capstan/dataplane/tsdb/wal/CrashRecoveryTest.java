package dev.capstan.dataplane.tsdb.wal;

import static dev.capstan.dataplane.tsdb.wal.Payloads.expected;
import static dev.capstan.dataplane.tsdb.wal.Payloads.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process is killed with SIGKILL while it appends; every write it acknowledged must be in
 * the reopened log, intact. This is a process crash: the kernel keeps the page cache, so it does
 * not prove what a power loss would (that rests on forcing before acknowledging).
 */
class CrashRecoveryTest {
  private static final int ACKNOWLEDGED_BEFORE_KILL = 300;
  private static final long SEGMENT_BYTES = 8192;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void everyAcknowledgedRecordSurvivesRepeatedlyKilledWriters() throws Exception {
    Path log = tmp.resolve("wal");
    long lastAcknowledged = 0;
    // Later rounds also exercise a writer that starts by recovering its killed predecessor's log.
    for (int round = 1; round <= 3; round++) {
      List<Long> acknowledged = runAndKillWriter(log, round);
      assertThat(acknowledged).as("round %d", round).hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
      assertThat(acknowledged).as("acknowledgements increase").isSorted().doesNotHaveDuplicates();
      assertThat(acknowledged.get(0)).as("the writer continued the log").isGreaterThan(lastAcknowledged);
      lastAcknowledged = acknowledged.get(acknowledged.size() - 1);

      try (WriteAheadLog wal = WriteAheadLog.open(log, new WalOptions(SEGMENT_BYTES, FsyncPolicy.EVERY_BATCH))) {
        assertThat(wal.lastSequence()).isGreaterThanOrEqualTo(lastAcknowledged);
        // Every record kept, acknowledged or not, is whole and in order, and none is missing.
        assertThat(readAll(wal, 1)).isEqualTo(expected(1, wal.lastSequence()));
        System.out.printf("round %d: %d batches acknowledged up to %d, log recovered to %d, torn tail %d bytes, %d segments%n",
            round, acknowledged.size(), lastAcknowledged, wal.lastSequence(), wal.recovery().droppedBytes(), wal.segmentFiles().size());
        if (round == 3) {
          assertThat(wal.segmentFiles()).as("the writers rolled segments").hasSizeGreaterThan(3);
          long next = wal.lastSequence() + 1;
          assertThat(wal.append(Payloads.batch(next, 2))).isEqualTo(next + 1);
          assertThat(readAll(wal, next)).isEqualTo(expected(next, next + 1));
        }
      }
    }
  }

  /** Starts a writer, kills it after it has acknowledged enough, and returns all it acknowledged. */
  private List<Long> runAndKillWriter(Path log, int round) throws Exception {
    Path stderr = tmp.resolve("writer-" + round + ".stderr");
    Process writer = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        CrashingWriter.class.getName(), log.toString(), Long.toString(SEGMENT_BYTES))
        .redirectError(stderr.toFile())
        .start();
    List<Long> acknowledged = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        acknowledged.add(Long.parseLong(line));
        if (acknowledged.size() == ACKNOWLEDGED_BEFORE_KILL) {
          // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe,
          // and acknowledgements already in the pipe when the kill lands count too.
          writer.toHandle().destroyForcibly();
        }
      }
      assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      writer.destroyForcibly();
    }
    assertThat(acknowledged).as("writer stderr: %s", Files.readString(stderr)).isNotEmpty();
    return acknowledged;
  }
}
