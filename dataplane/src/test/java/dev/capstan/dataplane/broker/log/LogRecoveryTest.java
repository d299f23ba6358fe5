package dev.capstan.dataplane.broker.log;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogRecoveryTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final LogConfig CONFIG = new LogConfig(600, Long.MAX_VALUE, 100, Long.MAX_VALUE);

  @TempDir
  Path root;

  private final ManualClock clock = new ManualClock(NOW);

  /** Appends batches of 1..3 records; returns the base offsets, the last one being the log end offset. */
  private static List<Long> fill(PartitionLog log, int batches) throws IOException {
    List<Long> bases = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      bases.add(log.append(TestBatches.batch(1 + i % 3, NOW + i * 10L, NOW + i * 10L + 3, 5 + i % 7)));
    }
    bases.add(log.logEndOffset());
    return bases;
  }

  private static Map<Long, byte[]> readEveryBatch(PartitionLog log) throws IOException {
    Map<Long, byte[]> batches = new HashMap<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      byte[] batch = log.read(offset, 1);
      batches.put(offset, batch);
      offset = TestBatches.baseOffset(batch, 0) + 1
          + ByteBuffer.wrap(batch).getInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET);
    }
    return batches;
  }

  private static Path lastLogFile(Path dir, PartitionLog log) {
    List<Long> bases = log.segmentBaseOffsets();
    return dir.resolve(LogSegment.fileName(bases.get(bases.size() - 1), ".log"));
  }

  @Test
  void reopeningKeepsOffsetsBatchesSegmentsAndTimestamps() throws IOException {
    Path dir = root.resolve("p0");
    List<Long> bases;
    Map<Long, byte[]> before;
    List<Long> segments;
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      bases = fill(log, 40);
      before = readEveryBatch(log);
      segments = log.segmentBaseOffsets();
    }
    assertThat(segments).hasSizeGreaterThan(4);

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(log.logEndOffset()).isEqualTo(bases.get(40));
      assertThat(log.segmentBaseOffsets()).isEqualTo(segments);
      Map<Long, byte[]> after = readEveryBatch(log);
      assertThat(after.keySet()).isEqualTo(before.keySet());
      before.forEach((offset, batch) -> assertThat(after.get(offset)).isEqualTo(batch));
      assertThat(log.offsetForTimestamp(NOW + 200)).hasValue(bases.get(20));
      assertThat(log.append(TestBatches.batch(1, NOW))).isEqualTo(bases.get(40));
    }
  }

  @Test
  void aTornLastBatchIsCutAtEveryPossibleByte() throws IOException {
    Path original = root.resolve("original");
    List<Long> bases;
    Path lastLog;
    int lastBatchSize;
    try (PartitionLog log = PartitionLog.open(original, CONFIG, clock)) {
      bases = fill(log, 12);
      lastLog = lastLogFile(original, log);
      lastBatchSize = log.read(bases.get(11), 1).length;
    }
    long fullSize = Files.size(lastLog);
    assertThat(fullSize).as("the last segment holds more than its last batch").isGreaterThan(lastBatchSize);

    for (int kept = 0; kept < lastBatchSize; kept++) {
      Path dir = copy(original, root.resolve("torn-" + kept));
      truncate(dir.resolve(lastLog.getFileName()), fullSize - lastBatchSize + kept);

      try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
        assertThat(log.logEndOffset()).as("%d bytes of the last batch kept", kept).isEqualTo(bases.get(11));
        assertThat(Files.size(dir.resolve(lastLog.getFileName()))).isEqualTo(fullSize - lastBatchSize);
        assertThat(TestBatches.baseOffset(log.read(bases.get(10), 1), 0)).isEqualTo(bases.get(10));
        assertThat(log.append(TestBatches.batch(2, NOW))).isEqualTo(bases.get(11));
        assertThat(log.logEndOffset()).isEqualTo(bases.get(11) + 2);
      }
    }
  }

  @Test
  void zeroesAfterTheLastBatchAreCut() throws IOException {
    Path dir = root.resolve("p0");
    List<Long> bases;
    Path lastLog;
    long size;
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      bases = fill(log, 5);
      lastLog = lastLogFile(dir, log);
      size = Files.size(lastLog);
    }
    // a crash after the file grew but before the batch reached it leaves zeroes
    truncate(lastLog, size + 500);

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(log.logEndOffset()).isEqualTo(bases.get(5));
      assertThat(Files.size(lastLog)).isEqualTo(size);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13})
  void aCutAnywhereInTheActiveSegmentKeepsExactlyTheWholeBatchesBeforeIt(long seed) throws IOException {
    Random random = new Random(seed);
    LogConfig config = new LogConfig(5_000, Long.MAX_VALUE, random.nextInt(200), Long.MAX_VALUE);
    Path original = root.resolve("original");
    List<long[]> batches = new ArrayList<>(); // {base offset, end position in the last segment}
    Path lastLog;
    try (PartitionLog log = PartitionLog.open(original, config, clock)) {
      log.append(TestBatches.batch(1, NOW));
      while (log.segmentBaseOffsets().size() < 2) {
        log.append(TestBatches.batch(1 + random.nextInt(5), NOW, NOW + random.nextInt(100), random.nextInt(60)));
      }
      lastLog = lastLogFile(original, log);
      long position = Files.size(lastLog);
      batches.add(new long[] {log.logEndOffset(), position});
      for (int i = 0; i < 20; i++) {
        long base = log.append(TestBatches.batch(1 + random.nextInt(5), NOW, NOW, random.nextInt(60)));
        position += log.read(base, 1).length;
        batches.add(new long[] {log.logEndOffset(), position});
      }
    }
    long lastSegmentBase = Long.parseLong(lastLog.getFileName().toString().substring(0, 20));

    for (int trial = 0; trial < 40; trial++) {
      long cut = random.nextLong(Files.size(lastLog) + 1);
      Path dir = copy(original, root.resolve("cut-" + trial));
      truncate(dir.resolve(lastLog.getFileName()), cut);
      long kept = lastSegmentBase;
      long keptBytes = 0;
      for (long[] batch : batches) {
        if (batch[1] <= cut) {
          kept = batch[0];
          keptBytes = batch[1];
        }
      }

      try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
        assertThat(log.logEndOffset()).as("cut at %d", cut).isEqualTo(kept);
        assertThat(Files.size(dir.resolve(lastLog.getFileName()))).isEqualTo(keptBytes);
        assertThat(log.append(TestBatches.batch(1, NOW))).isEqualTo(kept);
      }
    }
  }

  @Test
  void timeBasedRollAfterReopenCountsFromTheFirstBatchTimestamp() throws IOException {
    Path dir = root.resolve("p0");
    LogConfig config = new LogConfig(1 << 20, 1_000, 0, Long.MAX_VALUE);
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      log.append(TestBatches.batch(1, NOW));
    }
    clock.advance(1_000);

    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      log.append(TestBatches.batch(1, clock.millis()));

      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 1L);
    }
  }

  @ParameterizedTest(name = "byte {0} of the last batch ({1}) changed")
  @CsvSource({
      "0, base offset breaks the offset sequence",
      "9, batch length",
      "16, magic",
      "18, crc",
      "21, attributes",
      "24, last offset delta",
      "40, max timestamp",
      "58, record count",
      "-1, last record byte",
  })
  void aCorruptLastBatchIsTruncated(int position, String field) throws IOException {
    Path dir = root.resolve("p0");
    List<Long> bases;
    Path lastLog;
    long lastBatchStart;
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      bases = fill(log, 8);
      lastLog = lastLogFile(dir, log);
      lastBatchStart = Files.size(lastLog) - log.read(bases.get(7), 1).length;
    }
    long at = position < 0 ? Files.size(lastLog) - 1 : lastBatchStart + position;
    try (RandomAccessFile file = new RandomAccessFile(lastLog.toFile(), "rw")) {
      file.seek(at);
      int original = file.read();
      file.seek(at);
      file.write(original ^ 0x10);
    }

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(log.logEndOffset()).isEqualTo(bases.get(7));
      assertThat(Files.size(lastLog)).isEqualTo(lastBatchStart);
      assertThat(log.append(TestBatches.batch(1, NOW))).isEqualTo(bases.get(7));
    }
  }

  @Test
  void deletedIndexesAreRebuiltByteForByte() throws IOException {
    Path dir = root.resolve("p0");
    Map<Path, byte[]> indexes;
    List<Long> bases;
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      bases = fill(log, 40);
      assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(4);
    }
    indexes = readIndexes(dir);
    assertThat(indexes.values()).anySatisfy(bytes -> assertThat(bytes).isNotEmpty());
    for (Path index : indexes.keySet()) {
      Files.delete(index);
    }

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(log.offsetForTimestamp(NOW + 300)).hasValue(bases.get(30));
      assertThat(TestBatches.baseOffset(log.read(bases.get(25) + 1, 1), 0)).isEqualTo(bases.get(25));
    }
    Map<Path, byte[]> rebuilt = readIndexes(dir);
    assertThat(rebuilt.keySet()).isEqualTo(indexes.keySet());
    indexes.forEach((path, bytes) -> assertThat(rebuilt.get(path)).as(path.toString()).isEqualTo(bytes));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "torn entry, 3",
      "entry pointing past a batch start, 0",
  })
  void anInconsistentIndexOfAnOlderSegmentIsRebuilt(String damage, int truncateBy) throws IOException {
    Path dir = root.resolve("p0");
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      fill(log, 40);
    }
    Map<Path, byte[]> indexes = readIndexes(dir);
    Path firstIndex = dir.resolve(LogSegment.fileName(0, ".index"));
    byte[] original = indexes.get(firstIndex);
    assertThat(original).hasSizeGreaterThanOrEqualTo(OffsetIndex.ENTRY_BYTES);
    if (truncateBy > 0) {
      Files.write(firstIndex, Arrays.copyOf(original, original.length - truncateBy));
    } else {
      byte[] shifted = original.clone();
      shifted[OffsetIndex.ENTRY_BYTES - 1] += 1; // the first entry's position now points inside a batch
      Files.write(firstIndex, shifted);
    }

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(log.logEndOffset()).isPositive();
    }

    assertThat(Files.readAllBytes(firstIndex)).isEqualTo(original);
  }

  @Test
  void indexesWithoutALogAreRemovedOnOpen() throws IOException {
    Path dir = root.resolve("p0");
    Files.createDirectories(dir);
    Path orphan = dir.resolve(LogSegment.fileName(77, ".index"));
    Path orphanTime = dir.resolve(LogSegment.fileName(77, ".timeindex"));
    Files.write(orphan, new byte[16]);
    Files.write(orphanTime, new byte[12]);

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      assertThat(log.segmentBaseOffsets()).containsExactly(0L);
    }

    assertThat(orphan).doesNotExist();
    assertThat(orphanTime).doesNotExist();
  }

  private static Map<Path, byte[]> readIndexes(Path dir) throws IOException {
    Map<Path, byte[]> indexes = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> !f.toString().endsWith(".log")).toList()) {
        indexes.put(file, Files.readAllBytes(file));
      }
    }
    return indexes;
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
    return to;
  }

  private static void truncate(Path file, long length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    }
  }
}
