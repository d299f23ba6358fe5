package dev.capstan.dataplane.tsdb.wal;

import static dev.capstan.dataplane.tsdb.wal.Payloads.appendRecords;
import static dev.capstan.dataplane.tsdb.wal.Payloads.expected;
import static dev.capstan.dataplane.tsdb.wal.Payloads.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a log after a crash: a torn or damaged tail of the last segment is cut off and the log
 * goes on; damage anywhere else is acknowledged data lost, so open fails and says where.
 */
class RecoveryTest {
  private static final WalOptions OPTIONS = new WalOptions(4096, FsyncPolicy.EVERY_BATCH);

  @TempDir Path tmp;
  private Path base;
  /** Sequence number of the base log's last record, chosen so that record has a payload of 100+ bytes. */
  private long last;
  private long lastRecordBytes;
  private long lastSegmentBytes;
  private List<Path> baseSegments;
  private int copies;

  /** Captures the log's warnings instead of printing hundreds of them. */
  private final List<String> warnings = new java.util.ArrayList<>();
  private final Logger walLogger = Logger.getLogger(WriteAheadLog.class.getName());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      warnings.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureWarnings() {
    walLogger.setUseParentHandlers(false);
    walLogger.addHandler(capture);
  }

  @AfterEach
  void restoreLogging() {
    walLogger.removeHandler(capture);
    walLogger.setUseParentHandlers(true);
  }

  @BeforeEach
  void writeBaseLog() throws IOException {
    base = tmp.resolve("base");
    last = 150;
    while (Payloads.forSequence(last).length < 100) {
      last++;
    }
    try (WriteAheadLog wal = WriteAheadLog.open(base, OPTIONS)) {
      appendRecords(wal, last, 4);
      baseSegments = wal.segmentFiles();
    }
    lastRecordBytes = WriteAheadLog.HEADER_BYTES + Payloads.forSequence(last).length;
    lastSegmentBytes = Files.size(baseSegments.get(baseSegments.size() - 1));
    assertThat(baseSegments).hasSizeGreaterThanOrEqualTo(3);
    assertThat(lastSegmentBytes).as("the last segment holds more than the last record").isGreaterThan(lastRecordBytes);
  }

  @Test
  void everyCutOfTheLastRecordKeepsExactlyTheCompleteRecordsAndTheLogGoesOn() throws IOException {
    long lastRecordStart = lastSegmentBytes - lastRecordBytes;
    for (long cut = 0; cut < lastRecordBytes; cut++) {
      Path copy = copyOfBase();
      Path lastSegment = lastSegmentOf(copy);
      truncate(lastSegment, lastRecordStart + cut);
      try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
        assertThat(wal.recovery().lastSequence()).as("cut %d", cut).isEqualTo(last - 1);
        assertThat(wal.recovery().droppedBytes()).as("cut %d", cut).isEqualTo(cut);
        assertThat(wal.recovery().tornTail().isPresent()).as("cut %d", cut).isEqualTo(cut > 0);
        wal.recovery().tornTail().ifPresent(tail -> {
          assertThat(tail.segment()).isEqualTo(lastSegment);
          assertThat(tail.offset()).isEqualTo(lastRecordStart);
        });
        assertThat(Files.size(lastSegment)).isEqualTo(lastRecordStart);
        assertThat(readAll(wal, 1)).as("cut %d", cut).isEqualTo(expected(1, last - 1));
        assertThat(wal.append(Payloads.batch(last, 3))).isEqualTo(last + 2);
      }
      assertReopensWith(copy, last + 2);
    }
  }

  @Test
  void garbageAfterTheLastCompleteRecordIsDropped() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 60; trial++) {
      byte[] garbage = new byte[1 + random.nextInt(trial < 30 ? 40 : 5000)];
      switch (trial % 3) {
        case 0 -> random.nextBytes(garbage);
        case 1 -> Arrays.fill(garbage, (byte) 0); // a preallocated or zero-filled tail
        default -> Arrays.fill(garbage, (byte) 0xFF);
      }
      Path copy = copyOfBase();
      Files.write(lastSegmentOf(copy), garbage, StandardOpenOption.APPEND);
      try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
        assertThat(wal.recovery().droppedBytes()).as("trial %d", trial).isEqualTo(garbage.length);
        assertThat(readAll(wal, 1)).as("trial %d", trial).isEqualTo(expected(1, last));
        wal.append(Payloads.batch(last + 1, 2));
      }
      assertReopensWith(copy, last + 2);
    }
  }

  @Test
  void flippedBitsAnywhereInTheLastRecordDropOnlyThatRecord() throws IOException {
    long lastRecordStart = lastSegmentBytes - lastRecordBytes;
    Path copy = copyOfBase();
    Path lastSegment = lastSegmentOf(copy);
    byte[] intact = Files.readAllBytes(lastSegment);
    int checked = 0;
    // Every bit of the header, and a spread of payload bits; each open forces a truncation to disk.
    for (long bit = 0; bit < lastRecordBytes * 8; bit += bit < WriteAheadLog.HEADER_BYTES * 8 ? 1 : 7) {
      Files.write(lastSegment, intact);
      flipBit(lastSegment, lastRecordStart * 8 + bit);
      try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
        assertThat(wal.recovery().droppedBytes()).as("bit %d", bit).isEqualTo(lastRecordBytes);
        assertThat(wal.lastSequence()).as("bit %d", bit).isEqualTo(last - 1);
      }
      checked++;
    }
    assertThat(checked).isGreaterThan(WriteAheadLog.HEADER_BYTES * 8 + 100);
    try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
      wal.append(Payloads.batch(last, 1));
    }
    assertReopensWith(copy, last);
  }

  @Test
  void aFlippedBitEarlierInTheLastSegmentDropsThatRecordAndEverythingAfter() throws IOException {
    // A torn write can leave any unsynced page bad, so the last segment cannot tell this from a tear.
    Path copy = copyOfBase();
    Path lastSegment = lastSegmentOf(copy);
    long firstOfLastSegment = WriteAheadLogTest.firstSequence(lastSegment);
    long secondRecordStart = WriteAheadLog.HEADER_BYTES + Payloads.forSequence(firstOfLastSegment).length;
    flipBit(lastSegment, (secondRecordStart + WriteAheadLog.HEADER_BYTES) * 8 - 1); // last bit of the sequence number

    try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
      assertThat(wal.recovery().tornTail()).hasValueSatisfying(tail -> {
        assertThat(tail.offset()).isEqualTo(secondRecordStart);
        assertThat(tail.droppedBytes()).isEqualTo(lastSegmentBytes - secondRecordStart);
        assertThat(tail.reason()).contains("checksum");
      });
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, firstOfLastSegment));
    }
    assertThat(warnings).singleElement().asString()
        .contains("truncating torn tail of " + lastSegment + " at offset " + secondRecordStart)
        .contains("dropped " + (lastSegmentBytes - secondRecordStart) + " bytes")
        .contains("checksum mismatch");
  }

  @Test
  void everyFlippedBitOfAnOlderSegmentsFirstAndLastRecordFailsOpenNamingFileAndOffset() throws IOException {
    Path oldSegmentOfBase = baseSegments.get(1);
    long firstSequence = WriteAheadLogTest.firstSequence(oldSegmentOfBase);
    long size = Files.size(oldSegmentOfBase);
    long lastSequenceInSegment = WriteAheadLogTest.firstSequence(baseSegments.get(2)) - 1;
    long lastRecordStart = size - WriteAheadLog.HEADER_BYTES - Payloads.forSequence(lastSequenceInSegment).length;
    long firstRecordBytes = WriteAheadLog.HEADER_BYTES + Payloads.forSequence(firstSequence).length;
    int checked = 0;
    Path copy = copyOfBase();
    Path damaged = copy.resolve(oldSegmentOfBase.getFileName());
    for (long[] record : new long[][] {{0, firstRecordBytes}, {lastRecordStart, size - lastRecordStart}}) {
      for (long bit = 0; bit < record[1] * 8; bit++) {
        flipBit(damaged, record[0] * 8 + bit);
        long offset = record[0];
        assertThatThrownBy(() -> WriteAheadLog.open(copy, OPTIONS).close())
            .as("bit %d of the record at %d", bit, offset)
            .isInstanceOfSatisfying(CorruptWalException.class, e -> {
              assertThat(e.segment()).isEqualTo(damaged);
              assertThat(e.offset()).isEqualTo(offset);
              assertThat(e.getMessage()).contains(damaged.toString()).contains("offset " + offset);
            });
        assertThat(Files.size(damaged)).as("nothing is truncated").isEqualTo(size);
        flipBit(damaged, record[0] * 8 + bit);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(300);
    assertReopensWith(copy, last);
  }

  @Test
  void aCutOlderSegmentFailsOpen() throws IOException {
    Path copy = copyOfBase();
    Path damaged = copy.resolve(baseSegments.get(0).getFileName());
    long size = Files.size(damaged);
    truncate(damaged, size - 1);
    assertThatThrownBy(() -> WriteAheadLog.open(copy, OPTIONS))
        .isInstanceOf(CorruptWalException.class)
        .hasMessageContaining(damaged.toString())
        .hasMessageContaining("incomplete payload");
  }

  @Test
  void aMissingMiddleSegmentFailsOpen() throws IOException {
    Path copy = copyOfBase();
    Files.delete(copy.resolve(baseSegments.get(1).getFileName()));
    Path after = copy.resolve(baseSegments.get(2).getFileName());
    assertThatThrownBy(() -> WriteAheadLog.open(copy, OPTIONS))
        .isInstanceOfSatisfying(CorruptWalException.class, e -> {
          assertThat(e.segment()).isEqualTo(after);
          assertThat(e.offset()).isZero();
          assertThat(e.getMessage()).contains("previous one ends before " + WriteAheadLogTest.firstSequence(baseSegments.get(1)));
        });
  }

  @Test
  void anEmptyLastSegmentLeftByACrashRightAfterARollIsReused() throws IOException {
    Path copy = copyOfBase();
    Path empty = Files.createFile(copy.resolve(WriteAheadLog.segmentName(last + 1)));
    try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
      assertThat(wal.recovery().tornTail()).isEmpty();
      assertThat(wal.lastSequence()).isEqualTo(last);
      wal.append(Payloads.batch(last + 1, 1));
      assertThat(wal.segmentFiles()).last().isEqualTo(empty);
    }
    assertReopensWith(copy, last + 1);
  }

  @Test
  void aLastSegmentThatIsAllGarbageIsEmptiedAndReused() throws IOException {
    Path copy = copyOfBase();
    byte[] garbage = new byte[300];
    new SplittableRandom(3).nextBytes(garbage);
    Files.write(copy.resolve(WriteAheadLog.segmentName(last + 1)), garbage);
    try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
      assertThat(wal.recovery().droppedBytes()).isEqualTo(300);
      assertThat(wal.lastSequence()).isEqualTo(last);
      wal.append(Payloads.batch(last + 1, 2));
    }
    assertReopensWith(copy, last + 2);
  }

  @Test
  void damageAfterOpenIsReportedByReplay() throws IOException {
    Path copy = copyOfBase();
    try (WriteAheadLog wal = WriteAheadLog.open(copy, OPTIONS)) {
      Path middle = wal.segmentFiles().get(1);
      flipBit(middle, 100);
      assertThatThrownBy(() -> readAll(wal, 1))
          .isInstanceOfSatisfying(CorruptWalException.class, e -> {
            assertThat(e.segment()).isEqualTo(middle);
            assertThat(e.offset()).isZero();
          });
    }
  }

  private void assertReopensWith(Path log, long lastSequence) throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(log, OPTIONS)) {
      assertThat(wal.recovery().droppedBytes()).isZero();
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, lastSequence));
    }
  }

  private Path copyOfBase() throws IOException {
    Path copy = Files.createDirectory(tmp.resolve("copy-" + copies++));
    try (Stream<Path> files = Files.list(base)) {
      files.forEach(file -> {
        try {
          Files.copy(file, copy.resolve(file.getFileName()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return copy;
  }

  private Path lastSegmentOf(Path copy) {
    return copy.resolve(baseSegments.get(baseSegments.size() - 1).getFileName());
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  private static void flipBit(Path file, long bit) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, bit / 8);
      one.put(0, (byte) (one.get(0) ^ (0x80 >>> (bit % 8))));
      channel.write(one.rewind(), bit / 8);
    }
  }
}
