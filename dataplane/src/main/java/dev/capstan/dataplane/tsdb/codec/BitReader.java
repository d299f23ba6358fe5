package dev.capstan.dataplane.tsdb.codec;

/** Reads what {@link BitWriter} wrote; reading past the end throws {@link CorruptBlockException}. */
final class BitReader {
  private final byte[] buf;
  private final long endBit;
  private long pos;

  BitReader(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = (long) offset << 3;
    this.endBit = (long) (offset + length) << 3;
  }

  boolean readBit() {
    require(1);
    boolean bit = ((buf[(int) (pos >>> 3)] >>> (7 - (pos & 7))) & 1) != 0;
    pos++;
    return bit;
  }

  /** Reads {@code n} bits, 0 ≤ n ≤ 64, as the low bits of the result (no sign extension). */
  long readBits(int n) {
    require(n);
    long v = 0;
    int left = n;
    while (left > 0) {
      int byteIndex = (int) (pos >>> 3);
      int bitInByte = (int) (pos & 7);
      int take = Math.min(left, 8 - bitInByte);
      int chunk = ((buf[byteIndex] & 0xFF) >>> (8 - bitInByte - take)) & ((1 << take) - 1);
      v = (v << take) | chunk;
      pos += take;
      left -= take;
    }
    return v;
  }

  /** Reads {@code n} bits as a two's-complement signed number. */
  long readSigned(int n) {
    long v = readBits(n);
    return n == 64 ? v : (v << (64 - n)) >> (64 - n);
  }

  /** Bytes consumed so far, counting a partly read byte as whole. */
  int bytesConsumedFrom(int offset) {
    return (int) (((pos + 7) >>> 3) - offset);
  }

  private void require(int n) {
    if (pos + n > endBit) {
      throw new CorruptBlockException("truncated bit stream: need " + n + " bits at bit " + pos + ", have " + (endBit - pos));
    }
  }
}
