package dev.capstan.dataplane.tsdb.codec;

import java.util.Arrays;

/** Most-significant-bit-first bit stream; {@link #toByteArray()} zero-pads the last byte. */
final class BitWriter {
  private long[] words;
  private long bitLength;

  BitWriter(int initialBits) {
    words = new long[Math.max(2, (initialBits >>> 6) + 1)];
  }

  void writeBit(boolean bit) {
    writeBits(bit ? 1 : 0, 1);
  }

  /** Writes the low {@code n} bits of {@code value}, 0 ≤ n ≤ 64. */
  void writeBits(long value, int n) {
    if (n == 0) {
      return;
    }
    if (n < 64) {
      value &= (1L << n) - 1;
    }
    int word = (int) (bitLength >>> 6);
    int used = (int) (bitLength & 63);
    if (word + 1 >= words.length) {
      words = Arrays.copyOf(words, words.length * 2);
    }
    int free = 64 - used;
    if (n <= free) {
      words[word] |= value << (free - n);
    } else {
      words[word] |= value >>> (n - free);
      words[word + 1] |= value << (64 - (n - free));
    }
    bitLength += n;
  }

  long bitLength() {
    return bitLength;
  }

  byte[] toByteArray() {
    byte[] out = new byte[(int) ((bitLength + 7) >>> 3)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (words[i >>> 3] >>> (56 - ((i & 7) << 3)));
    }
    return out;
  }
}
