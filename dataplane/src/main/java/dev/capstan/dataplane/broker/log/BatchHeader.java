package dev.capstan.dataplane.broker.log;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The fields of a Kafka v2 record batch header the log needs, and the byte layout they come from.
 *
 * <pre>
 *  0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 | 17 crc u32
 * 21 attributes i16 | 23 lastOffsetDelta i32 | 27 baseTimestamp i64 | 35 maxTimestamp i64
 * 43 producerId i64 | 51 producerEpoch i16 | 53 baseSequence i32 | 57 recordCount i32 | 61 records
 * </pre>
 *
 * batchLength counts the bytes after itself, so a batch occupies {@code 12 + batchLength} bytes.
 * The CRC-32C covers attributes to the end; baseOffset, batchLength and the leader epoch lie before
 * it, which is why the broker may assign offsets without recomputing the checksum.
 *
 * @param baseOffset    the offset of the batch's first record
 * @param sizeInBytes   the whole batch, header included
 * @param lastOffsetDelta last record offset minus baseOffset
 * @param maxTimestamp  the largest record timestamp in the batch (-1 when it has none)
 */
record BatchHeader(long baseOffset, int sizeInBytes, int lastOffsetDelta, long maxTimestamp) {

  static final int BASE_OFFSET_OFFSET = 0;
  static final int LENGTH_OFFSET = 8;
  /** baseOffset and batchLength: the bytes not counted by batchLength. */
  static final int LOG_OVERHEAD = 12;
  static final int MAGIC_OFFSET = 16;
  static final int CRC_OFFSET = 17;
  static final int ATTRIBUTES_OFFSET = 21;
  static final int LAST_OFFSET_DELTA_OFFSET = 23;
  static final int MAX_TIMESTAMP_OFFSET = 35;
  /** A v2 batch with zero records is this long; nothing shorter can be valid. */
  static final int BATCH_OVERHEAD = 61;
  /** Reading this many bytes of a batch yields every field of this record. */
  static final int FIELDS_END = MAX_TIMESTAMP_OFFSET + Long.BYTES;
  static final byte MAGIC_V2 = 2;

  /** The offset the batch's last record gets. */
  long lastOffset() {
    return baseOffset + lastOffsetDelta;
  }

  /** The offset the next batch starts at. */
  long nextOffset() {
    return lastOffset() + 1;
  }

  /** Reads the header fields of the batch starting at {@code buffer}'s position (not moved). */
  static BatchHeader read(ByteBuffer buffer) {
    int start = buffer.position();
    return new BatchHeader(
        buffer.getLong(start + BASE_OFFSET_OFFSET),
        LOG_OVERHEAD + buffer.getInt(start + LENGTH_OFFSET),
        buffer.getInt(start + LAST_OFFSET_DELTA_OFFSET),
        buffer.getLong(start + MAX_TIMESTAMP_OFFSET));
  }

  /**
   * Why the bytes from {@code buffer}'s position to its limit are not exactly one valid v2 batch,
   * or empty when they are. The records section is not decoded: compressed or not, it is covered
   * by the CRC and that is all the log relies on.
   */
  static Optional<String> problem(ByteBuffer buffer) {
    int start = buffer.position();
    int available = buffer.remaining();
    if (available < BATCH_OVERHEAD) {
      return Optional.of("batch of " + available + " bytes is shorter than the v2 header ("
          + BATCH_OVERHEAD + ")");
    }
    long declared = LOG_OVERHEAD + (long) buffer.getInt(start + LENGTH_OFFSET);
    if (declared != available) {
      return Optional.of("batchLength declares " + declared + " bytes but the batch has " + available);
    }
    byte magic = buffer.get(start + MAGIC_OFFSET);
    if (magic != MAGIC_V2) {
      return Optional.of("magic is " + magic + ", only 2 is supported");
    }
    int lastOffsetDelta = buffer.getInt(start + LAST_OFFSET_DELTA_OFFSET);
    if (lastOffsetDelta < 0) {
      return Optional.of("lastOffsetDelta is negative (" + lastOffsetDelta + ")");
    }
    int stored = buffer.getInt(start + CRC_OFFSET);
    int computed = checksum(buffer);
    if (stored != computed) {
      return Optional.of("crc mismatch: stored " + Integer.toUnsignedString(stored)
          + ", computed " + Integer.toUnsignedString(computed));
    }
    return Optional.empty();
  }

  /** CRC-32C of attributes..end of the batch spanning {@code buffer}'s position to its limit. */
  static int checksum(ByteBuffer buffer) {
    CRC32C crc = new CRC32C();
    ByteBuffer covered = buffer.duplicate();
    covered.position(buffer.position() + ATTRIBUTES_OFFSET);
    crc.update(covered);
    return (int) crc.getValue();
  }
}
