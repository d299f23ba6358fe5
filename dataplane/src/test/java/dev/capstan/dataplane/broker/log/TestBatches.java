package dev.capstan.dataplane.broker.log;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Builds Kafka v2 record batches as a producer would send them, without kafka-clients.
 *
 * <p>The records section is a real uncompressed v2 encoding (varint length, attributes 0,
 * timestamp and offset deltas, null key, the value, no headers), so these batches would also
 * decode in Kafka; the log itself only relies on the header and the CRC-32C over attributes..end.
 * The producer's base offset is deliberately not 0, to show the log overwrites it.
 */
final class TestBatches {

  static final long PRODUCER_BASE_OFFSET = 4242;

  private TestBatches() {
  }

  /** A batch of {@code records} records; the last record carries {@code maxTimestamp}. */
  static byte[] batch(int records, long baseTimestamp, long maxTimestamp, int valueBytes) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < records; i++) {
      long timestampDelta = i == records - 1 ? maxTimestamp - baseTimestamp : 0;
      ByteArrayOutputStream record = new ByteArrayOutputStream();
      record.write(0); // attributes
      writeVarlong(record, timestampDelta);
      writeVarlong(record, i); // offset delta
      writeVarlong(record, -1); // null key
      writeVarlong(record, valueBytes);
      for (int b = 0; b < valueBytes; b++) {
        record.write('a' + (i + b) % 26);
      }
      writeVarlong(record, 0); // no headers
      writeVarlong(body, record.size());
      body.writeBytes(record.toByteArray());
    }
    byte[] recordBytes = body.toByteArray();
    ByteBuffer batch = ByteBuffer.allocate(BatchHeader.BATCH_OVERHEAD + recordBytes.length);
    batch.putLong(PRODUCER_BASE_OFFSET);
    batch.putInt(batch.capacity() - BatchHeader.LOG_OVERHEAD);
    batch.putInt(-1); // partition leader epoch, set by the broker
    batch.put((byte) 2);
    batch.putInt(0); // crc, filled in below
    batch.putShort((short) 0); // attributes: no compression, create time
    batch.putInt(records - 1);
    batch.putLong(baseTimestamp);
    batch.putLong(maxTimestamp);
    batch.putLong(-1L); // producer id
    batch.putShort((short) -1); // producer epoch
    batch.putInt(-1); // base sequence
    batch.putInt(records);
    batch.put(recordBytes);
    CRC32C crc = new CRC32C();
    crc.update(batch.array(), BatchHeader.ATTRIBUTES_OFFSET, batch.capacity() - BatchHeader.ATTRIBUTES_OFFSET);
    batch.putInt(BatchHeader.CRC_OFFSET, (int) crc.getValue());
    return batch.array();
  }

  static byte[] batch(int records, long timestamp) {
    return batch(records, timestamp, timestamp, 10);
  }

  static long baseOffset(byte[] batch, int position) {
    return ByteBuffer.wrap(batch).getLong(position);
  }

  static int size(byte[] batches, int position) {
    return BatchHeader.LOG_OVERHEAD + ByteBuffer.wrap(batches).getInt(position + BatchHeader.LENGTH_OFFSET);
  }

  /** Whether the stored CRC of the batch at {@code position} still matches its bytes. */
  static boolean crcValid(byte[] batches, int position) {
    int size = size(batches, position);
    CRC32C crc = new CRC32C();
    crc.update(batches, position + BatchHeader.ATTRIBUTES_OFFSET, size - BatchHeader.ATTRIBUTES_OFFSET);
    return ByteBuffer.wrap(batches).getInt(position + BatchHeader.CRC_OFFSET) == (int) crc.getValue();
  }

  private static void writeVarlong(ByteArrayOutputStream out, long value) {
    long zigzag = (value << 1) ^ (value >> 63);
    while ((zigzag & ~0x7FL) != 0) {
      out.write((int) ((zigzag & 0x7F) | 0x80));
      zigzag >>>= 7;
    }
    out.write((int) zigzag);
  }
}
