package dev.capstan.dataplane.tsdb.codec;

/**
 * Bounds-checked reads over a slice of a byte array. Every read past the end throws
 * {@link CorruptBlockException}, so a truncated block can never be mistaken for a short one.
 */
final class ByteReader {
  private final byte[] buf;
  private final int end;
  private int pos;

  ByteReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  ByteReader(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException("slice [" + offset + ", +" + length + ") outside " + buf.length + " bytes");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  int remaining() {
    return end - pos;
  }

  int position() {
    return pos;
  }

  byte[] array() {
    return buf;
  }

  void skip(int n) {
    require(n);
    pos += n;
  }

  int peekByte() {
    require(1);
    return buf[pos] & 0xFF;
  }

  int readByte() {
    require(1);
    return buf[pos++] & 0xFF;
  }

  long readVarLong() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (shift == 63 && b > 1) {
          throw new CorruptBlockException("varint overflows 64 bits at byte " + (pos - 1));
        }
        return v;
      }
    }
    throw new CorruptBlockException("varint longer than 10 bytes at byte " + pos);
  }

  /** A non-negative int no larger than {@code max}; {@code what} names it in the error. */
  int readVarInt(int max, String what) {
    long v = readVarLong();
    if (v < 0 || v > max) {
      throw new CorruptBlockException(what + " " + Long.toUnsignedString(v) + " out of range [0, " + max + "]");
    }
    return (int) v;
  }

  /** A byte count that must fit in what is left after reading it. */
  int readLength(String what) {
    long v = readVarLong();
    if (v < 0 || v > remaining()) {
      throw new CorruptBlockException(what + " " + Long.toUnsignedString(v) + " exceeds the " + remaining() + " bytes left");
    }
    return (int) v;
  }

  long readLong() {
    require(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  byte[] readBytes(int n) {
    require(n);
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  void expectEnd(String what) {
    if (pos != end) {
      throw new CorruptBlockException(what + ": " + (end - pos) + " unexpected trailing bytes");
    }
  }

  private void require(int n) {
    if (n < 0 || n > end - pos) {
      throw new CorruptBlockException("truncated: need " + n + " bytes at offset " + pos + ", have " + (end - pos));
    }
  }
}
