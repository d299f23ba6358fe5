package dev.capstan.dataplane.broker.log;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogRetentionTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long HOUR = 3_600_000L;
  private static final int BATCH_BYTES = TestBatches.batch(1, T0).length;
  /** Three one-record batches per segment. */
  private static final LogConfig CONFIG = new LogConfig(BATCH_BYTES * 3, Long.MAX_VALUE, 0, Long.MAX_VALUE);

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(T0);

  /** One batch an hour for {@code hours} hours: segment k holds offsets 3k..3k+2, stamped at hours 3k..3k+2. */
  private PartitionLog hourlyLog(int hours) throws IOException {
    PartitionLog log = PartitionLog.open(dir, CONFIG, clock);
    for (int hour = 0; hour < hours; hour++) {
      clock.set(T0 + hour * HOUR);
      log.append(TestBatches.batch(1, clock.millis()));
    }
    return log;
  }

  @ParameterizedTest(name = "now = hour {0}, retention {1} h -> segments from {2}")
  @CsvSource({
      // segment k's newest batch is at hour 3k+2; it goes when now - (3k+2) > retention
      "13, 11,  0",
      "13, 10,  3",
      "13,  9,  3",
      "14,  9,  3",
      "15,  9,  6",
      "100, 1, 12",
      "13, -1,  0",
  })
  void timeRetentionDeletesWholeExpiredSegmentsButNeverTheActiveOne(long nowHour, long retentionHours,
                                   long expectedStart) throws IOException {
    try (PartitionLog log = hourlyLog(14)) {
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L, 9L, 12L);

      long retentionMs = retentionHours < 0 ? -1 : retentionHours * HOUR;
      int deleted = log.deleteOldSegments(T0 + nowHour * HOUR, retentionMs, -1);

      assertThat(log.logStartOffset()).isEqualTo(expectedStart);
      assertThat(deleted).isEqualTo((int) expectedStart / 3);
      assertThat(log.segmentBaseOffsets()).first().isEqualTo(expectedStart);
      assertThat(log.segmentBaseOffsets()).last().isEqualTo(12L);
      assertThat(log.logEndOffset()).isEqualTo(14);
      for (long base = 0; base < expectedStart; base += 3) {
        assertThat(dir.resolve(LogSegment.fileName(base, ".log"))).doesNotExist();
        assertThat(dir.resolve(LogSegment.fileName(base, ".index"))).doesNotExist();
        assertThat(dir.resolve(LogSegment.fileName(base, ".timeindex"))).doesNotExist();
      }
    }
  }

  @Test
  void timeRetentionStopsAtTheFirstSegmentStillInRetention() throws IOException {
    // a late-stamped batch in the first segment keeps it, and with it every later segment
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      log.append(TestBatches.batch(1, T0));
      log.append(TestBatches.batch(1, T0 + 50 * HOUR));
      log.append(TestBatches.batch(1, T0));
      for (int i = 0; i < 6; i++) {
        log.append(TestBatches.batch(1, T0 + HOUR));
      }

      assertThat(log.deleteOldSegments(T0 + 20 * HOUR, 10 * HOUR, -1)).isZero();
      assertThat(log.logStartOffset()).isZero();
    }
  }

  @Test
  void retentionSurvivesAReopenBecauseTheTimeIndexKeepsEachSegmentsMaxTimestamp() throws IOException {
    hourlyLog(14).close();

    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      log.deleteOldSegments(T0 + 15 * HOUR, 9 * HOUR, -1);

      assertThat(log.segmentBaseOffsets()).containsExactly(6L, 9L, 12L);
    }
  }

  @Test
  void readingBelowTheNewStartIsOutOfRangeAndAppendsContinue() throws IOException {
    try (PartitionLog log = hourlyLog(14)) {
      log.deleteOldSegments(T0 + 100 * HOUR, HOUR, -1);

      assertThatThrownBy(() -> log.read(11, 100)).isInstanceOf(OffsetOutOfRangeException.class);
      assertThat(TestBatches.baseOffset(log.read(12, 100), 0)).isEqualTo(12);
      assertThat(log.offsetForTimestamp(T0)).hasValue(12);
      assertThat(log.append(TestBatches.batch(1, T0))).isEqualTo(14);
    }
  }

  @ParameterizedTest(name = "retention {0} batches -> start {1}")
  @CsvSource({
      // 14 batches in segments of 3,3,3,3,2; the oldest goes only while 'retention' bytes remain
      "14,  0",
      "12,  0",
      "11,  3",
      "9,   3",
      "8,   6",
      "5,   9",
      "3,   9",
      "0,  12",
      "-1,  0",
  })
  void byteRetentionDeletesOldestSegmentsWhileTheRestStillHoldsRetentionBytes(int retentionBatches,
                                       long expectedStart) throws IOException {
    try (PartitionLog log = hourlyLog(14)) {
      assertThat(log.sizeInBytes()).isEqualTo(14L * BATCH_BYTES);
      long retentionBytes = retentionBatches < 0 ? -1 : (long) retentionBatches * BATCH_BYTES;

      log.deleteOldSegments(clock.millis(), -1, retentionBytes);

      assertThat(log.logStartOffset()).isEqualTo(expectedStart);
      assertThat(log.sizeInBytes()).isEqualTo((14 - expectedStart) * BATCH_BYTES);
      assertThat(log.segmentBaseOffsets()).last().isEqualTo(12L);
    }
  }

  @Test
  void bothLimitsApplyTogether() throws IOException {
    try (PartitionLog log = hourlyLog(14)) {
      // time alone would delete segment 0; bytes alone would delete segments 0..1
      int deleted = log.deleteOldSegments(T0 + 13 * HOUR, 9 * HOUR, 8L * BATCH_BYTES);

      assertThat(deleted).isEqualTo(2);
      assertThat(log.segmentBaseOffsets()).containsExactly(6L, 9L, 12L);
      try (var files = Files.list(dir)) {
        assertThat(files.filter(f -> f.toString().endsWith(".log")).count()).isEqualTo(3);
      }
    }
  }

  @Test
  void aLogWithOnlyTheActiveSegmentKeepsIt() throws IOException {
    try (PartitionLog log = PartitionLog.open(dir, CONFIG, clock)) {
      log.append(TestBatches.batch(1, T0));

      assertThat(log.deleteOldSegments(T0 + 1_000 * HOUR, 1, 0)).isZero();
      assertThat(log.segmentBaseOffsets()).isEqualTo(List.of(0L));
      assertThat(log.logEndOffset()).isEqualTo(1);
    }
  }
}
