package dev.capstan.dataplane.tsdb.codec;

import dev.capstan.dataplane.tsdb.codec.Column.BooleanColumn;
import dev.capstan.dataplane.tsdb.codec.Column.FloatColumn;
import dev.capstan.dataplane.tsdb.codec.Column.IntegerColumn;
import dev.capstan.dataplane.tsdb.codec.Column.StringColumn;

/**
 * Serializes a {@link Block}: the byte length of the timestamp column (varint), the timestamp
 * column, then the value column. The length lets a query decode only timestamps to find its time
 * range; the value column's encoding id says its field type. Integrity (a checksum per block) is the
 * shard file's job, as in InfluxDB's TSM; decoding only guarantees a clear
 * {@link CorruptBlockException} or a well-formed block, never a hang or a huge allocation.
 */
public final class BlockCodec {
  private BlockCodec() {}

  public static byte[] encode(Block block) {
    ByteWriter timestamps = new ByteWriter(32);
    TimestampCodec.write(timestamps, block.timestamps());
    ByteWriter out = new ByteWriter(timestamps.size() + 16 + block.size());
    out.writeVarInt(timestamps.size());
    out.writeBytes(timestamps.toByteArray());
    Column values = block.values();
    if (values instanceof FloatColumn c) {
      FloatCodec.write(out, c.values());
    } else if (values instanceof IntegerColumn c) {
      IntegerCodec.write(out, c.values());
    } else if (values instanceof BooleanColumn c) {
      BooleanCodec.write(out, c.values());
    } else if (values instanceof StringColumn c) {
      StringCodec.write(out, c.values());
    } else {
      throw new IllegalStateException("unhandled column " + values.getClass()); // Column is sealed
    }
    return out.toByteArray();
  }

  public static Block decode(byte[] bytes) {
    ByteReader in = new ByteReader(bytes);
    int timestampLength = in.readLength("timestamp column length");
    ByteReader timestampColumn = new ByteReader(bytes, in.position(), timestampLength);
    long[] timestamps = TimestampCodec.read(timestampColumn);
    timestampColumn.expectEnd("timestamp column");
    in.skip(timestampLength);
    Column values = switch (ColumnHeader.peek(in)) {
      case FLOAT_GORILLA, FLOAT_DECIMAL -> new FloatColumn(FloatCodec.read(in));
      case INTEGER_RUNS, INTEGER_DELTA_SIMPLE8B, INTEGER_DELTA_VARINT -> new IntegerColumn(IntegerCodec.read(in));
      case BOOLEAN_PACKED -> new BooleanColumn(BooleanCodec.read(in));
      case STRING_SNAPPY -> new StringColumn(StringCodec.read(in));
      case TIMESTAMP_DELTA_OF_DELTA, TIMESTAMP_DELTA_RUNS ->
          throw new CorruptBlockException("value column has a timestamp encoding");
    };
    in.expectEnd("block");
    if (values.size() != timestamps.length) {
      throw new CorruptBlockException(
          "block has " + timestamps.length + " timestamps but " + values.size() + " values");
    }
    return new Block(timestamps, values);
  }
}
