package dev.capstan.dataplane.tsdb.wal;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads one segment's records in order and validates each: complete, a plausible length, the
 * checksum, and the sequence number the log expects next.
 */
final class SegmentReader implements Closeable {
  /** The first record that is incomplete or fails validation, and where it starts. */
  static final class BadRecordException extends Exception {
    final long offset;

    BadRecordException(long offset, String reason) {
      super(reason, null, false, false);
      this.offset = offset;
    }
  }

  private final DataInputStream in;
  private final long size;
  private long offset;
  private long expectedSequence;

  /** Reads the first {@code size} bytes of {@code path}, whose first record must be {@code firstSequence}. */
  SegmentReader(Path path, long size, long firstSequence) throws IOException {
    this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
    this.size = size;
    this.expectedSequence = firstSequence;
  }

  /** Byte offset just past the last record returned. */
  long offset() {
    return offset;
  }

  /** Sequence number the next record must carry. */
  long expectedSequence() {
    return expectedSequence;
  }

  /** The next record, or null at the clean end of the segment. */
  WalRecord next() throws IOException, BadRecordException {
    long remaining = size - offset;
    if (remaining == 0) {
      return null;
    }
    if (remaining < WriteAheadLog.HEADER_BYTES) {
      throw new BadRecordException(offset, "incomplete header: " + remaining + " of " + WriteAheadLog.HEADER_BYTES + " bytes");
    }
    long length = Integer.toUnsignedLong(in.readInt());
    int storedCrc = in.readInt();
    long sequence = in.readLong();
    // Checked before allocating, so a garbage length can neither exhaust memory nor read past the end.
    if (length > WriteAheadLog.MAX_PAYLOAD_BYTES) {
      throw new BadRecordException(offset, "payload length " + length + " exceeds the maximum " + WriteAheadLog.MAX_PAYLOAD_BYTES);
    }
    if (length > remaining - WriteAheadLog.HEADER_BYTES) {
      throw new BadRecordException(offset, "incomplete payload: " + (remaining - WriteAheadLog.HEADER_BYTES) + " of " + length + " bytes");
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    if (checksum(sequence, payload) != storedCrc) {
      throw new BadRecordException(offset, "checksum mismatch");
    }
    if (sequence != expectedSequence) {
      throw new BadRecordException(offset, "sequence number " + sequence + ", expected " + expectedSequence);
    }
    offset += WriteAheadLog.HEADER_BYTES + length;
    expectedSequence++;
    return new WalRecord(sequence, payload);
  }

  static int checksum(long sequence, byte[] payload) {
    CRC32C crc = new CRC32C();
    for (int shift = 56; shift >= 0; shift -= 8) {
      crc.update((int) (sequence >>> shift));
    }
    crc.update(payload);
    return (int) crc.getValue();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
