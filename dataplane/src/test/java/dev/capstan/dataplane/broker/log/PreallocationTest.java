package dev.capstan.dataplane.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import dev.capstan.dataplane.testing.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Zeros preallocated ahead of the active segment's log end: they never cover a batch, a crash
 * (the files copied while the log is open, as kill -9 leaves them in the page cache) is recovered
 * by cutting them, and a segment that rolls or closes ends at its last batch.
 */
class PreallocationTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final int CHUNK = 64 * 1024;
  /** 1 MiB segments, an index entry per 4 KiB, zeros 64 KiB at a time. */
  private static final LogConfig CONFIG = new LogConfig(1 << 20, Long.MAX_VALUE, 4096, Long.MAX_VALUE, CHUNK);

  @TempDir
  Path root;

  private final ManualClock clock = new ManualClock(NOW);

  @BeforeEach
  void directIoWorksHere() throws IOException {
    Path probe = root.resolve("probe");
    Files.write(probe, new byte[0]);
    try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
      // zeros are written with direct I/O; without it (tmpfs) the log does not preallocate at all
    } catch (UnsupportedOperationException | IOException e) {
      assumeTrue(false, "no direct I/O on the temporary directory's file system: " + e);
    }
  }

  /** Appends {@code count} batches of 1..4 records of varying size; returns each batch as read back, by base offset. */
  private static Map<Long, byte[]> append(PartitionLog log, int count, Random random) throws IOException {
    Map<Long, byte[]> appended = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      long base = log.append(TestBatches.batch(1 + random.nextInt(4), NOW + i, NOW + i + 1, 100 + random.nextInt(3000)));
      appended.put(base, log.read(base, 1));
    }
    return appended;
  }

  private static Path activeLog(Path dir, PartitionLog log) {
    List<Long> bases = log.segmentBaseOffsets();
    return dir.resolve(LogSegment.fileName(bases.get(bases.size() - 1), LogSegment.LOG_SUFFIX));
  }

  private static long activeBytes(PartitionLog log) throws IOException {
    List<Long> bases = log.segmentBaseOffsets();
    long base = bases.get(bases.size() - 1);
    long bytes = 0;
    for (long offset = base; offset < log.logEndOffset(); ) {
      byte[] batch = log.read(offset, 1);
      bytes += batch.length;
      offset = TestBatches.baseOffset(batch, 0) + 1 + ByteBuffer.wrap(batch).getInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET);
    }
    return bytes;
  }

  @Test
  void zerosStayAheadOfTheLogEndAndAreCutWhenACrashedLogReopens() throws IOException {
    Path dir = root.resolve("p0");
    Path crashed = root.resolve("crashed");
    Map<Long, byte[]> appended;
    long logEnd;
    long batchBytes;
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      appended = append(log, 60, new Random(1));
      Path active = activeLog(dir, log);
      batchBytes = activeBytes(log);
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(active) > batchBytes);
      assertThat(Files.size(active) - batchBytes).as("zeros ahead of the log end").isGreaterThanOrEqualTo(CHUNK / 4);
      assertThat(tail(active, batchBytes)).as("what lies past the last batch").containsOnly((byte) 0);
      logEnd = log.logEndOffset();
      copy(dir, crashed);
    }

    try (PartitionLog log = PartitionLog.open(crashed, CONFIG, clock)) {
      assertThat(log.logEndOffset()).isEqualTo(logEnd);
      assertThat(Files.size(activeLog(crashed, log))).as("zeros cut on recovery").isEqualTo(batchBytes);
      appended.forEach((base, batch) -> assertThat(read(log, base)).isEqualTo(batch));
      assertThat(log.offsetForTimestamp(NOW + 30)).as("time index rebuilt").hasValue(offsetOfBatch(appended, 29));
      assertThat(log.append(TestBatches.batch(3, NOW))).isEqualTo(logEnd);
    }
  }

  @ParameterizedTest(name = "{0} bytes of a batch written into the zeros")
  @ValueSource(ints = {1, 12, 61, 500})
  void aBatchTornInsideTheZerosIsCut(int kept) throws IOException {
    Path dir = root.resolve("p0");
    Path crashed = root.resolve("crashed");
    long logEnd;
    long batchBytes;
    byte[] next = TestBatches.batch(4, NOW, NOW + 1, 400);
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      append(log, 20, new Random(2));
      Path active = activeLog(dir, log);
      batchBytes = activeBytes(log);
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(active) > batchBytes + kept);
      logEnd = log.logEndOffset();
      copy(dir, crashed);
      try (FileChannel file = FileChannel.open(crashed.resolve(active.getFileName()), StandardOpenOption.WRITE)) {
        file.write(ByteBuffer.wrap(next, 0, kept), batchBytes);
      }
    }

    try (PartitionLog log = PartitionLog.open(crashed, CONFIG, clock)) {
      assertThat(log.logEndOffset()).isEqualTo(logEnd);
      assertThat(log.sizeInBytes()).isEqualTo(batchBytes);
      assertThat(log.append(next)).isEqualTo(logEnd);
      assertThat(log.read(logEnd, 1)).hasSize(next.length);
    }
  }

  @Test
  void rolledAndClosedSegmentsEndAtTheirLastBatch() throws IOException {
    Path dir = root.resolve("p0");
    Map<Long, byte[]> appended;
    List<Long> segments;
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      appended = append(log, 1500, new Random(3));
      segments = log.segmentBaseOffsets();
      assertThat(segments).hasSizeGreaterThan(2);
      long fileBytes = 0;
      for (long base : segments.subList(0, segments.size() - 1)) {
        fileBytes += Files.size(dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX)));
      }
      assertThat(fileBytes).as("inactive segments hold only batches").isEqualTo(log.sizeInBytes() - activeBytes(log));
    }
    long total = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(LogSegment.LOG_SUFFIX)).toList()) {
        total += Files.size(file);
      }
    }

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(total).as("a clean close cuts the zeros, too").isEqualTo(log.sizeInBytes());
      assertThat(log.segmentBaseOffsets()).isEqualTo(segments);
      appended.forEach((base, batch) -> assertThat(read(log, base)).isEqualTo(batch));
    }
  }

  @Test
  void zerosNeverLandOnAppendedBatches() throws IOException {
    // the smallest chunk, so that a fill is under way at almost every append
    LogConfig tiny = CONFIG.withPreallocateBytes(Preallocation.ALIGNMENT);
    Path dir = root.resolve("p0");
    Map<Long, byte[]> appended = new LinkedHashMap<>();
    long logEnd;
    try (PartitionLog log = PartitionLog.open(dir, tiny, clock)) {
      Random random = new Random(4);
      for (int i = 0; i < 400; i++) {
        byte[] batch = TestBatches.batch(1 + random.nextInt(3), NOW + i, NOW + i, 10 + random.nextInt(5000));
        appended.put(log.append(batch), batch);
      }
      appended.forEach((base, sent) -> assertThat(read(log, base)).hasSize(sent.length)
          .satisfies(batch -> assertThat(TestBatches.crcValid(batch, 0)).isTrue()));
      logEnd = log.logEndOffset();
    }
    try (PartitionLog log = PartitionLog.open(dir, tiny, clock)) {
      appended.forEach((base, sent) -> assertThat(TestBatches.crcValid(read(log, base), 0))
          .as("batch at %d after reopening", base).isTrue());
      assertThat(log.logEndOffset()).isEqualTo(logEnd);
    }
  }

  @Test
  void retentionCountsBatchesNotZeros() throws IOException {
    try (PartitionLog log = PartitionLog.open(root.resolve("p0"), CONFIG, clock)) {
      append(log, 700, new Random(5));
      int segments = log.segmentBaseOffsets().size();
      assertThat(segments).isGreaterThan(1);
      long active = activeBytes(log);
      // keep no more than the active segment's batches: every older segment goes
      assertThat(log.deleteOldSegments(NOW, -1, active)).isEqualTo(segments - 1);
      assertThat(log.sizeInBytes()).isEqualTo(active);
    }
  }

  @ParameterizedTest(name = "preallocateBytes {0}")
  @ValueSource(ints = {-4096, 100, 4097, (8 << 20) + 4096})
  void aChunkThatDirectIoCannotWriteIsRefused(int bytes) {
    assertThatThrownBy(() -> CONFIG.withPreallocateBytes(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("preallocateBytes must be 0 or a multiple of 4096");
  }

  private static byte[] read(PartitionLog log, long base) {
    try {
      return log.read(base, 1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long offsetOfBatch(Map<Long, byte[]> appended, int index) {
    return new ArrayList<>(appended.keySet()).get(index);
  }

  private static byte[] tail(Path file, long from) throws IOException {
    byte[] all = Files.readAllBytes(file);
    return java.util.Arrays.copyOfRange(all, (int) from, all.length);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }
}
