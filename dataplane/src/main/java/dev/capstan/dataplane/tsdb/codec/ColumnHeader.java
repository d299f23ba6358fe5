package dev.capstan.dataplane.tsdb.codec;

/**
 * The two fields every column starts with: a 1-byte {@link Encoding} id and the value count as a
 * varint. The count is capped at {@link Block#MAX_POINTS} so that a corrupt count can never make a
 * decoder allocate more than a few megabytes.
 */
final class ColumnHeader {
  private ColumnHeader() {}

  static void write(ByteWriter out, Encoding encoding, int count) {
    checkCount(count);
    out.writeByte(encoding.id());
    out.writeVarInt(count);
  }

  static void checkCount(int count) {
    if (count > Block.MAX_POINTS) {
      throw new IllegalArgumentException("a block holds at most " + Block.MAX_POINTS + " points, got " + count);
    }
  }

  static Encoding peek(ByteReader in) {
    return Encoding.forId((byte) in.peekByte());
  }

  /** Reads the header, checks the encoding is one the caller handles, returns the count. */
  static int read(ByteReader in, Encoding expected) {
    Encoding actual = Encoding.forId((byte) in.readByte());
    if (actual != expected) {
      throw new CorruptBlockException("expected a " + expected + " column, found " + actual);
    }
    return in.readVarInt(Block.MAX_POINTS, "value count");
  }

  static long zigZag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unZigZag(long u) {
    return (u >>> 1) ^ -(u & 1);
  }
}
