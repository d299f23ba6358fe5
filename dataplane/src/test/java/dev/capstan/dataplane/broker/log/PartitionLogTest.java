package dev.capstan.dataplane.broker.log;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionLogTest {

  private static final long NOW = 1_700_000_000_000L;

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(NOW);

  /** What the test appended: the batch as sent and the offsets it got. */
  record Appended(long baseOffset, long lastOffset, long maxTimestamp, byte[] sent) {
  }

  private static LogConfig config(int segmentBytes, int indexIntervalBytes) {
    return new LogConfig(segmentBytes, Long.MAX_VALUE, indexIntervalBytes, Long.MAX_VALUE);
  }

  private static Appended append(PartitionLog log, int records, long maxTimestamp, int valueBytes) throws IOException {
    byte[] batch = TestBatches.batch(records, maxTimestamp - 5, maxTimestamp, valueBytes);
    long base = log.append(batch);
    return new Appended(base, base + records - 1, maxTimestamp, batch);
  }

  @Test
  void offsetsAreAssignedContiguouslyAcrossAppendsAndRolls() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(400, 0), clock)) {
      List<Long> bases = new ArrayList<>();
      long expected = 0;
      for (int i = 0; i < 20; i++) {
        int records = 1 + i % 4;
        bases.add(log.append(TestBatches.batch(records, NOW + i)));
        assertThat(bases.get(i)).isEqualTo(expected);
        expected += records;
      }

      assertThat(log.logEndOffset()).isEqualTo(expected).isEqualTo(50);
      assertThat(log.logStartOffset()).isZero();
      assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(3).startsWith(0L);
      assertThat(bases).containsAll(log.segmentBaseOffsets());
      try (var files = Files.list(dir)) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .contains("00000000000000000000.log", "00000000000000000000.index",
                "00000000000000000000.timeindex");
      }
    }
  }

  @Test
  void aSegmentNeverGrowsPastSegmentBytesUnlessOneBatchIsLarger() throws IOException {
    int batchSize = TestBatches.batch(1, NOW).length;
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 3, 0), clock)) {
      for (int i = 0; i < 10; i++) {
        log.append(TestBatches.batch(1, NOW));
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L, 9L);

      long big = log.append(TestBatches.batch(1, NOW, NOW, batchSize * 5));

      assertThat(log.segmentBaseOffsets()).endsWith(big);
      assertThat(log.read(big, 1)).hasSizeGreaterThan(batchSize * 3);
    }
  }

  @Test
  void storedBatchIsTheSentOneWithOnlyTheBaseOffsetReplaced() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      append(log, 3, NOW, 10);
      Appended second = append(log, 2, NOW + 1, 10);

      byte[] stored = log.read(second.baseOffset(), 1);

      assertThat(TestBatches.baseOffset(stored, 0)).isEqualTo(3);
      assertThat(Arrays.copyOfRange(stored, 8, stored.length))
          .isEqualTo(Arrays.copyOfRange(second.sent(), 8, second.sent().length));
      assertThat(TestBatches.crcValid(stored, 0)).isTrue();
      assertThat(TestBatches.baseOffset(second.sent(), 0))
          .as("the caller's array is untouched").isEqualTo(TestBatches.PRODUCER_BASE_OFFSET);
    }
  }

  @Test
  void aBatchInTheMiddleOfABufferIsAppendedFromItsPositionAndTheBufferIsLeftAsItWas() throws IOException {
    byte[] first = TestBatches.batch(3, NOW);
    byte[] second = TestBatches.batch(2, NOW + 1, NOW + 1, 30);
    ByteBuffer request = ByteBuffer.allocate(5 + first.length + second.length + 7);
    request.put(new byte[5]).put(first).put(second).put(new byte[7]);
    byte[] before = request.array().clone();
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      ByteBuffer view = request.duplicate().position(5).limit(5 + first.length);
      assertThat(log.append(view)).isZero();
      assertThat(view.position()).isEqualTo(5);
      view = request.duplicate().position(5 + first.length).limit(5 + first.length + second.length);
      assertThat(log.append(view)).isEqualTo(3);

      byte[] stored = log.read(0, Integer.MAX_VALUE);
      assertThat(stored).hasSize(first.length + second.length);
      assertThat(TestBatches.baseOffset(stored, first.length)).isEqualTo(3);
      assertThat(Arrays.copyOfRange(stored, first.length + 8, stored.length))
          .isEqualTo(Arrays.copyOfRange(second, 8, second.length));
      assertThat(TestBatches.crcValid(stored, 0)).isTrue();
      assertThat(TestBatches.crcValid(stored, first.length)).isTrue();
      assertThat(request.array()).as("the request buffer is untouched").isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "index interval {0} bytes")
  @ValueSource(ints = {0, 150, 1 << 20})
  void readingAnyOffsetStartsWithTheBatchHoldingIt(int indexIntervalBytes) throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(1_000, indexIntervalBytes), clock)) {
      List<Appended> appended = new ArrayList<>();
      Random random = new Random(7);
      for (int i = 0; i < 60; i++) {
        appended.add(append(log, 1 + random.nextInt(5), NOW + i, random.nextInt(30)));
      }

      for (Appended batch : appended) {
        for (long offset = batch.baseOffset(); offset <= batch.lastOffset(); offset++) {
          byte[] read = log.read(offset, 1);
          assertThat(TestBatches.baseOffset(read, 0)).as("offset %d", offset).isEqualTo(batch.baseOffset());
          assertThat(read).hasSize(batch.sent().length);
        }
      }
      assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(5);
    }
  }

  @Test
  void readReturnsWholeBatchesUpToMaxBytesFromOneSegment() throws IOException {
    int batchSize = TestBatches.batch(2, NOW).length;
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 4, 0), clock)) {
      for (int i = 0; i < 8; i++) {
        log.append(TestBatches.batch(2, NOW));
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 8L);

      assertThat(log.read(0, batchSize * 2 + batchSize / 2)).hasSize(batchSize * 2);
      assertThat(log.read(3, 1)).as("one batch even over the limit").hasSize(batchSize);
      assertThat(log.read(5, Integer.MAX_VALUE)).as("stops at the segment end").hasSize(batchSize * 2);
      assertThat(log.read(8, Integer.MAX_VALUE)).hasSize(batchSize * 4);
      byte[] several = log.read(2, batchSize * 3);
      assertThat(List.of(TestBatches.baseOffset(several, 0), TestBatches.baseOffset(several, batchSize),
          TestBatches.baseOffset(several, 2 * batchSize))).containsExactly(2L, 4L, 6L);
    }
  }

  /** The bytes a slice covers, read through its own channel. */
  private static byte[] bytesOf(LogSlice slice) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(slice.sizeInBytes());
    while (out.hasRemaining()) {
      if (slice.channel().read(out, slice.position() + out.position()) < 0) {
        throw new IOException("slice ends early");
      }
    }
    return out.array();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 300, 1000, Integer.MAX_VALUE})
  void slicesWalkEveryBatchOnceInOrderAcrossRollsWithTheBytesReadReturns(int maxBytes) throws IOException {
    Random random = new Random(maxBytes);
    int batchSize = TestBatches.batch(3, NOW).length;
    List<Long> expectedBases = new ArrayList<>();
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 5, 0), clock)) {
      for (int i = 0; i < 40; i++) {
        expectedBases.add(append(log, 1 + random.nextInt(5), NOW + i, random.nextInt(40)).baseOffset());
      }
      assertThat(log.segmentBaseOffsets()).as("several segments").hasSizeGreaterThan(3);

      List<Long> bases = new ArrayList<>();
      long next = 0;
      while (next < log.logEndOffset()) {
        LogSlice slice = log.slice(next, maxBytes).orElseThrow();
        byte[] bytes;
        try (slice) {
          bytes = bytesOf(slice);
        }
        assertThat(slice.channel().isOpen()).as("closing the slice closes its channel").isFalse();
        assertThat(bytes).isEqualTo(log.read(next, maxBytes));
        for (int position = 0; position < bytes.length; position += TestBatches.size(bytes, position)) {
          assertThat(TestBatches.crcValid(bytes, position)).isTrue();
          BatchHeader header = BatchHeader.read(ByteBuffer.wrap(bytes, position, bytes.length - position).slice());
          bases.add(header.baseOffset());
          next = header.nextOffset();
        }
      }
      assertThat(bases).containsExactlyElementsOf(expectedBases);
      assertThat(log.slice(log.logEndOffset(), maxBytes)).as("nothing at the end").isEmpty();
      assertThatThrownBy(() -> log.slice(log.logEndOffset() + 1, maxBytes))
          .isInstanceOf(OffsetOutOfRangeException.class);
    }
  }

  @Test
  void aSliceStillReadsItsBatchesAfterRetentionDeletedTheSegment() throws IOException {
    int batchSize = TestBatches.batch(2, NOW).length;
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 2, 0), clock)) {
      for (int i = 0; i < 6; i++) {
        log.append(TestBatches.batch(2, NOW + i));
      }
      byte[] expected = log.read(0, Integer.MAX_VALUE);
      try (LogSlice slice = log.slice(0, Integer.MAX_VALUE).orElseThrow()) {
        assertThat(log.deleteOldSegments(NOW, -1, 1)).isPositive();
        assertThat(log.logStartOffset()).isPositive();
        assertThat(dir.resolve(LogSegment.fileName(0, LogSegment.LOG_SUFFIX))).doesNotExist();

        assertThat(bytesOf(slice)).isEqualTo(expected).hasSize(batchSize * 2);
      }
    }
  }

  @Test
  void readAtTheEndIsEmptyAndOutsideTheLogIsRejected() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      assertThat(log.read(0, 100)).isEmpty();
      log.append(TestBatches.batch(3, NOW));

      assertThat(log.read(3, 100)).isEmpty();
      assertThatThrownBy(() -> log.read(4, 100)).isInstanceOf(OffsetOutOfRangeException.class)
          .hasMessageContaining("offset 4 is outside the log's range [0, 3]");
      assertThatThrownBy(() -> log.read(-1, 100)).isInstanceOf(OffsetOutOfRangeException.class);
    }
  }

  @Test
  void offsetForTimestampFindsTheFirstBatchReachingIt() throws IOException {
    // max timestamps out of order, as producers with skewed clocks send them
    long[] maxTimestamps = {100, 300, 200, 300, 500, 400, 700};
    try (PartitionLog log = PartitionLog.open(dir, config(300, 0), clock)) {
      for (long ts : maxTimestamps) {
        log.append(TestBatches.batch(2, ts - 50, ts, 10));
      }

      assertThat(log.offsetForTimestamp(0)).hasValue(0);
      assertThat(log.offsetForTimestamp(100)).hasValue(0);
      assertThat(log.offsetForTimestamp(101)).hasValue(2);
      assertThat(log.offsetForTimestamp(300)).hasValue(2);
      assertThat(log.offsetForTimestamp(301)).hasValue(8);
      assertThat(log.offsetForTimestamp(450)).hasValue(8);
      assertThat(log.offsetForTimestamp(600)).hasValue(12);
      assertThat(log.offsetForTimestamp(701)).isEmpty();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void offsetForTimestampMatchesALinearScanBeforeAndAfterReopen(long seed) throws IOException {
    Random random = new Random(seed);
    LogConfig config = config(200 + random.nextInt(2_000), random.nextInt(300));
    List<Appended> appended = new ArrayList<>();
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      for (int i = 0; i < 200; i++) {
        appended.add(append(log, 1 + random.nextInt(4), 1_000 + i * 10L + random.nextInt(200), random.nextInt(40)));
      }
      assertTimestampLookups(log, appended);
    }
    try (PartitionLog reopened = PartitionLog.open(dir, config, clock)) {
      assertTimestampLookups(reopened, appended);
    }
  }

  private static void assertTimestampLookups(PartitionLog log, List<Appended> appended) throws IOException {
    for (long ts = 900; ts <= 3_300; ts += 7) {
      long target = ts;
      OptionalLong expected = appended.stream().filter(a -> a.maxTimestamp() >= target)
          .mapToLong(Appended::baseOffset).findFirst();
      assertThat(log.offsetForTimestamp(ts)).as("timestamp %d", ts).isEqualTo(expected);
    }
  }

  @Test
  void segmentRollsOnceItsFirstBatchIsSegmentMsOld() throws IOException {
    LogConfig config = new LogConfig(1 << 20, 1_000, 0, Long.MAX_VALUE);
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      log.append(TestBatches.batch(1, clock.millis()));
      clock.advance(999);
      log.append(TestBatches.batch(1, clock.millis()));
      assertThat(log.segmentBaseOffsets()).containsExactly(0L);

      clock.advance(1);
      log.append(TestBatches.batch(1, clock.millis()));

      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
    }
  }

  @Test
  void anEmptyActiveSegmentDoesNotRollHoweverOld() throws IOException {
    LogConfig config = new LogConfig(1 << 20, 1_000, 0, Long.MAX_VALUE);
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      clock.advance(10_000);
      log.append(TestBatches.batch(1, clock.millis()));

      assertThat(log.segmentBaseOffsets()).containsExactly(0L);
    }
  }

  @Test
  void flushPolicySyncsEveryNMessages() throws IOException {
    LogConfig config = new LogConfig(1 << 20, Long.MAX_VALUE, 0, 5);
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      List<Long> recoveryPoints = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        log.append(TestBatches.batch(2, NOW));
        recoveryPoints.add(log.recoveryPoint());
      }

      // 2, 4 records unsynced; the third batch reaches 6 >= 5 and syncs; likewise at 12
      assertThat(recoveryPoints).containsExactly(0L, 0L, 6L, 6L, 6L, 12L);
    }
  }

  @Test
  void withoutAnIntervalOnlyAnExplicitFlushSyncs() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      for (int i = 0; i < 100; i++) {
        log.append(TestBatches.batch(3, NOW));
      }
      assertThat(log.recoveryPoint()).isZero();

      log.flush();

      assertThat(log.recoveryPoint()).isEqualTo(300);
    }
  }

  @Test
  void anInvalidBatchIsRejectedAndLeavesTheLogUnchanged() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      log.append(TestBatches.batch(2, NOW));
      byte[] corrupt = TestBatches.batch(2, NOW);
      corrupt[corrupt.length - 1] ^= 0x40;
      byte[] twoBatches = ByteBuffer.allocate(corrupt.length * 2)
          .put(TestBatches.batch(2, NOW)).put(TestBatches.batch(2, NOW)).array();

      assertThatThrownBy(() -> log.append(corrupt)).isInstanceOf(CorruptBatchException.class)
          .hasMessageContaining("crc mismatch");
      assertThatThrownBy(() -> log.append(twoBatches)).isInstanceOf(CorruptBatchException.class)
          .hasMessageContaining("batchLength declares");
      assertThat(log.logEndOffset()).isEqualTo(2);
      assertThat(log.sizeInBytes()).isEqualTo(corrupt.length);
    }
  }

  @Test
  void aStartedFlushCoversWhatWasAppendedBeforeItAndMovesTheRecoveryPointOnlyThatFar() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      append(log, 3, NOW, 10);
      PartitionLog.Flush flush = log.startFlush();
      // appended while the sync runs (the owner's lock is free then): not covered by this flush
      append(log, 2, NOW + 1, 10);

      flush.sync();
      assertThat(log.recoveryPoint()).as("not moved before done()").isZero();
      flush.done();

      assertThat(flush.endOffset()).isEqualTo(3);
      assertThat(log.recoveryPoint()).isEqualTo(3);
      assertThat(log.logEndOffset()).isEqualTo(5);
    }
  }

  @Test
  void aCheckedBatchIsAppendedAsItsBytesWouldBe() throws IOException {
    byte[] bytes = TestBatches.batch(3, NOW);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).position(0);

    CheckedBatch checked = CheckedBatch.check(buffer);

    assertThat(buffer.position()).isZero();
    assertThat(checked.sizeInBytes()).isEqualTo(bytes.length);
    assertThat(checked.lastOffsetDelta()).isEqualTo(2);
    try (PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock)) {
      assertThat(log.append(bytes)).isZero();
      assertThat(log.append(checked)).isEqualTo(3);
      assertThat(log.append(checked)).isEqualTo(6);
      byte[] read = log.read(3, 1);
      assertThat(java.util.Arrays.copyOfRange(read, 8, read.length))
          .isEqualTo(java.util.Arrays.copyOfRange(bytes, 8, bytes.length));
      assertThat(ByteBuffer.wrap(read).getLong(0)).isEqualTo(3);
    }
  }

  @Test
  void aFlushWhoseSegmentRolledMeanwhileStillSyncsAndAnOlderOneNeverMovesTheRecoveryPointBack() throws IOException {
    int batchSize = TestBatches.batch(1, NOW).length;
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 2, 0), clock)) {
      log.append(TestBatches.batch(1, NOW));
      PartitionLog.Flush older = log.startFlush();
      for (int i = 0; i < 4; i++) {
        log.append(TestBatches.batch(1, NOW));
      }
      assertThat(log.segmentBaseOffsets()).as("rolled past the flushed segment").hasSizeGreaterThan(1);
      log.flush();

      older.sync();
      older.done();

      assertThat(log.recoveryPoint()).isEqualTo(5);
    }
  }

  @Test
  void overlappingFlushesAcrossARollEachCoverTheirStartAndEndingOutOfOrderKeepsTheHigherRecoveryPoint() throws IOException {
    int batchSize = TestBatches.batch(1, NOW).length;
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 2, 0), clock)) {
      log.append(TestBatches.batch(1, NOW));
      PartitionLog.Flush first = log.startFlush();
      log.append(TestBatches.batch(1, NOW));
      log.append(TestBatches.batch(1, NOW));
      assertThat(log.segmentBaseOffsets()).as("the first flush's segment rolled").hasSize(2);
      PartitionLog.Flush second = log.startFlush();
      log.append(TestBatches.batch(1, NOW));

      // the later flush ends first, the earlier one after it: both run beside each other
      second.sync();
      second.done();
      assertThat(log.recoveryPoint()).isEqualTo(3);
      first.sync();
      first.done();

      assertThat(first.endOffset()).isEqualTo(1);
      assertThat(second.endOffset()).isEqualTo(3);
      assertThat(log.recoveryPoint()).as("never moved back by the earlier flush").isEqualTo(3);
    }
  }

  @Test
  void aFlushWhoseRolledSegmentRetentionDeletedFailsWithClosedChannelSoTheOwnerSyncsTheLog() throws IOException {
    int batchSize = TestBatches.batch(1, NOW).length;
    try (PartitionLog log = PartitionLog.open(dir, config(batchSize * 2, 0), clock)) {
      log.append(TestBatches.batch(1, NOW));
      PartitionLog.Flush flush = log.startFlush();
      log.append(TestBatches.batch(1, NOW));
      log.append(TestBatches.batch(1, NOW));
      assertThat(log.deleteOldSegments(NOW, -1, 0)).isEqualTo(1);

      assertThatThrownBy(flush::sync).isInstanceOf(java.nio.channels.ClosedChannelException.class);
      assertThat(log.recoveryPoint()).as("the roll synced the deleted segment").isGreaterThanOrEqualTo(flush.endOffset());
    }
  }

  @Test
  void aFlushOfAClosedLogFailsWithClosedChannelSoTheOwnerCanSyncTheReopenedOne() throws IOException {
    PartitionLog log = PartitionLog.open(dir, config(1 << 20, 0), clock);
    log.append(TestBatches.batch(1, NOW));
    PartitionLog.Flush flush = log.startFlush();
    log.close();

    assertThatThrownBy(flush::sync).isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }

  @Test
  void checkingRefusesWhatAppendRefuses() {
    byte[] corrupt = TestBatches.batch(2, NOW);
    corrupt[corrupt.length - 1] ^= 0x40;

    assertThatThrownBy(() -> CheckedBatch.check(ByteBuffer.wrap(corrupt))).isInstanceOf(CorruptBatchException.class)
        .hasMessageContaining("crc mismatch");
    assertThatThrownBy(() -> CheckedBatch.check(ByteBuffer.wrap(corrupt, 0, 20))).isInstanceOf(CorruptBatchException.class)
        .hasMessageContaining("shorter than the v2 header");
  }
}
