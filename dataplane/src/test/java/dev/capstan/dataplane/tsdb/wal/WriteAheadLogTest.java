package dev.capstan.dataplane.tsdb.wal;

import static dev.capstan.dataplane.tsdb.wal.Payloads.appendRecords;
import static dev.capstan.dataplane.tsdb.wal.Payloads.expected;
import static dev.capstan.dataplane.tsdb.wal.Payloads.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class WriteAheadLogTest {
  private static final WalOptions SMALL_SEGMENTS = new WalOptions(4096, FsyncPolicy.EVERY_BATCH);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(FsyncPolicy.class)
  void manyBatchesRoundTripAcrossSegmentRolls(FsyncPolicy fsync) throws IOException {
    WalOptions options = new WalOptions(4096, fsync);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
      appendRecords(wal, 2000, 7);
      assertThat(wal.lastSequence()).isEqualTo(2000);
      // ~150 bytes per record against 4 KiB segments: many rolls.
      assertThat(wal.segmentFiles()).hasSizeGreaterThan(50);
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, 2000));
    }
    try (WriteAheadLog reopened = WriteAheadLog.open(dir, options)) {
      assertThat(reopened.recovery().droppedBytes()).isZero();
      assertThat(reopened.recovery().lastSequence()).isEqualTo(2000);
      assertThat(readAll(reopened, 1)).isEqualTo(expected(1, 2000));
    }
  }

  @Test
  void segmentsAreNamedByTheirFirstSequenceNumberAndRollBeforeABatchThatWouldOverflow() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(100, FsyncPolicy.EVERY_BATCH))) {
      wal.append(List.of(new byte[40], new byte[40])); // seqs 1-2: 112 bytes, over the limit but one batch
      wal.append(List.of(new byte[10]));                // seq 3: rolls
      wal.append(List.of(new byte[10]));                // seq 4: 26 + 26 fits
      wal.append(List.of(new byte[60]));                // seq 5: 52 + 76 does not, rolls
      assertThat(wal.segmentFiles()).extracting(p -> p.getFileName().toString())
          .containsExactly("00000000000000000001.wal", "00000000000000000003.wal", "00000000000000000005.wal");
      assertThat(wal.segmentFiles()).extracting(Files::size).containsExactly(112L, 52L, 76L);
    }
  }

  @Test
  void rollIfFullRollsOnlyWhenARecordOfThatSizeWouldNotFitAndAppendThenDoesNotRoll() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(100, FsyncPolicy.EVERY_BATCH))) {
      wal.rollIfFull(500);                              // empty segment: takes any record
      assertThat(wal.activeSegment()).isEqualTo(1);
      wal.append(List.of(new byte[40]));                // seq 1: 56 bytes
      wal.rollIfFull(28);                               // 56 + 44 fits exactly
      assertThat(wal.activeSegment()).isEqualTo(1);
      wal.rollIfFull(29);                               // 56 + 45 does not
      assertThat(wal.activeSegment()).isEqualTo(2);
      wal.append(List.of(new byte[29]));                // seq 2 in the new segment
      assertThat(wal.segmentFiles()).extracting(p -> p.getFileName().toString())
          .containsExactly("00000000000000000001.wal", "00000000000000000002.wal");
    }
  }

  @Test
  void replaySegmentsReadsEachSegmentHoldingARequestedRecordFromItsStart() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(100, FsyncPolicy.EVERY_BATCH))) {
      wal.append(List.of(new byte[30], new byte[30]));  // seqs 1-2: segment 1
      wal.append(List.of(new byte[30]));                // seq 3: rolls to segment 3
      wal.append(List.of(new byte[30]));                // seq 4
      wal.append(List.of(new byte[60]));                // seq 5: segment 5
      List<String> seen = new ArrayList<>();
      long delivered = wal.replaySegments(4, (segment, record) -> seen.add(segment + ":" + record.sequence()));
      assertThat(seen).containsExactly("3:3", "3:4", "5:5");
      assertThat(delivered).isEqualTo(3);
      assertThat(readAll(wal, 4)).as("replay still starts at the record asked for").extracting(WalRecord::sequence)
          .containsExactly(4L, 5L);
    }
  }

  @Test
  void reopenContinuesSequenceNumbers() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(wal.append(Payloads.batch(1, 3))).isEqualTo(3);
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(wal.lastSequence()).isEqualTo(3);
      assertThat(wal.append(Payloads.batch(4, 2))).isEqualTo(5);
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, 5));
    }
  }

  @Test
  void emptyLog() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir.resolve("new/wal"), SMALL_SEGMENTS)) {
      assertThat(wal.lastSequence()).isZero();
      assertThat(wal.recovery()).isEqualTo(new Recovery(1, 0, java.util.Optional.empty()));
      assertThat(readAll(wal, 1)).isEmpty();
      assertThat(wal.append(List.of())).as("an empty batch adds nothing").isZero();
      assertThat(wal.truncateBefore(Long.MAX_VALUE)).isZero();
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir.resolve("new/wal"), SMALL_SEGMENTS)) {
      assertThat(wal.lastSequence()).isZero();
      assertThat(wal.append(List.of(new byte[0]))).as("first record is 1").isEqualTo(1);
      assertThat(readAll(wal, 0)).containsExactly(new WalRecord(1, new byte[0]));
    }
  }

  @Test
  void largePayloadsRoundTrip() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    List<byte[]> payloads = new ArrayList<>();
    for (int size : new int[] {1 << 20, 5 << 20, 3 << 20 | 17, WriteAheadLog.MAX_PAYLOAD_BYTES}) {
      byte[] payload = new byte[size];
      random.nextBytes(payload);
      payloads.add(payload);
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(4 << 20, FsyncPolicy.EVERY_BATCH))) {
      for (byte[] payload : payloads) {
        wal.append(List.of(payload));
      }
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      List<WalRecord> read = readAll(wal, 1);
      assertThat(read).hasSize(4);
      for (int i = 0; i < 4; i++) {
        assertThat(read.get(i)).isEqualTo(new WalRecord(i + 1, payloads.get(i)));
      }
    }
  }

  @Test
  void payloadOverTheMaximumIsRejectedAndNothingIsWritten() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      wal.append(List.of(new byte[] {1}));
      assertThatThrownBy(() -> wal.append(List.of(new byte[] {2}, new byte[WriteAheadLog.MAX_PAYLOAD_BYTES + 1])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("exceeds the maximum");
      assertThat(wal.append(List.of(new byte[] {3}))).isEqualTo(2);
      assertThat(readAll(wal, 1)).containsExactly(new WalRecord(1, new byte[] {1}), new WalRecord(2, new byte[] {3}));
    }
  }

  @ParameterizedTest(name = "replay from {0}")
  @CsvSource({"0, 1", "1, 1", "2, 2", "250, 250", "999, 999", "1000, 1000", "1001, 1001", "5000, 5000"})
  void replayStartsAtTheRequestedSequenceNumber(long from, long firstDelivered) throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      appendRecords(wal, 1000, 5);
      List<WalRecord> read = readAll(wal, from);
      assertThat(read).isEqualTo(expected(firstDelivered, 1000));
    }
  }

  @Test
  void truncateBeforeDeletesOnlyWholeSegmentsBelowTheSequenceNumber() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      appendRecords(wal, 500, 3);
      List<Path> before = wal.segmentFiles();
      long thirdFirst = firstSequence(before.get(2));
      assertThat(before).hasSizeGreaterThan(5);

      assertThat(wal.truncateBefore(1)).isZero();
      assertThat(wal.truncateBefore(thirdFirst - 1)).as("segment 2 still holds thirdFirst - 1").isEqualTo(1);
      assertThat(wal.truncateBefore(thirdFirst)).isEqualTo(1);
      assertThat(wal.segmentFiles()).isEqualTo(before.subList(2, before.size()));
      assertThat(Files.exists(before.get(0))).isFalse();
      assertThat(Files.exists(before.get(1))).isFalse();
      assertThat(readAll(wal, 1)).as("replay from before the start reads what is kept")
          .isEqualTo(expected(thirdFirst, 500));

      assertThat(wal.truncateBefore(Long.MAX_VALUE)).isEqualTo(before.size() - 3);
      assertThat(wal.segmentFiles()).as("the active segment is never deleted").containsExactly(before.get(before.size() - 1));
      long activeFirst = firstSequence(before.get(before.size() - 1));
      assertThat(readAll(wal, 1)).isEqualTo(expected(activeFirst, 500));
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(wal.lastSequence()).isEqualTo(500);
      assertThat(wal.append(Payloads.batch(501, 1))).isEqualTo(501);
    }
  }

  @Test
  void intervalPolicyLeavesSyncToTheOwnerAndCloseSyncs() throws IOException {
    WalOptions interval = new WalOptions(4096, FsyncPolicy.INTERVAL);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, interval)) {
      appendRecords(wal, 10, 3);
      wal.sync();
      appendRecords(wal, 20, 3);
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, interval)) {
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, 20));
    }
  }

  @Test
  void closedLogRefusesUse() throws IOException {
    WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS);
    wal.close();
    wal.close();
    assertThatThrownBy(() -> wal.append(List.of(new byte[1]))).isInstanceOf(IOException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> wal.replay(1, r -> {})).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void aDirectoryHasOneWriterAtATime() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThatThrownBy(() -> WriteAheadLog.open(dir, SMALL_SEGMENTS))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("already open");
      wal.append(Payloads.batch(1, 1));
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(wal.lastSequence()).as("closing released the lock").isEqualTo(1);
    }
  }

  @Test
  void aFailedOpenReleasesTheLock() throws IOException {
    Files.write(dir.resolve(WriteAheadLog.segmentName(1)), new byte[] {1, 2, 3});
    Files.write(dir.resolve(WriteAheadLog.segmentName(2)), new byte[0]);
    assertThatThrownBy(() -> WriteAheadLog.open(dir, SMALL_SEGMENTS)).isInstanceOf(CorruptWalException.class);
    Files.delete(dir.resolve(WriteAheadLog.segmentName(2)));
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(wal.recovery().droppedBytes()).isEqualTo(3);
    }
  }

  @Test
  void filesThatAreNotSegmentsAreIgnored() throws IOException {
    Files.writeString(dir.resolve("README"), "not a segment");
    Files.writeString(dir.resolve("00000000000000000001.wal.tmp"), "not a segment either");
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      wal.append(Payloads.batch(1, 2));
    }
    try (WriteAheadLog wal = WriteAheadLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, 2));
      assertThat(wal.segmentFiles()).hasSize(1);
    }
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> new WalOptions(15, FsyncPolicy.EVERY_BATCH)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentBytes");
    assertThatThrownBy(() -> new WalOptions(4096, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fsync");
    assertThat(WalOptions.defaults().fsync()).isEqualTo(FsyncPolicy.EVERY_BATCH);
  }

  static long firstSequence(Path segment) {
    return Long.parseLong(segment.getFileName().toString().replace(".wal", ""));
  }
}
