package dev.capstan.dataplane.tsdb.codec;

/**
 * Simple-8b (Anh &amp; Moffat): as many small unsigned values as fit in the 60 payload bits of a
 * 64-bit word, with a 4-bit selector saying how many of what width. Selectors 0 and 1 stand for 240
 * and 120 zeros, which is what the deltas of regular series mostly are. The last word may be
 * padded; the caller knows the count.
 */
final class Simple8b {
  static final long MAX_VALUE = (1L << 60) - 1;

  private static final int[] COUNT = {240, 120, 60, 30, 20, 15, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1};
  private static final int[] BITS = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 60};

  private Simple8b() {}

  static boolean fits(long[] values, int from) {
    for (int i = from; i < values.length; i++) {
      if (values[i] < 0 || values[i] > MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  /** Packs {@code values[from..]}, each in [0, 2^60). */
  static void write(ByteWriter out, long[] values, int from) {
    int i = from;
    while (i < values.length) {
      int selector = selectorAt(values, i);
      int n = Math.min(COUNT[selector], values.length - i);
      long word = (long) selector << 60;
      int bits = BITS[selector];
      for (int k = 0; k < n; k++) {
        word |= values[i + k] << (bits * k);
      }
      out.writeLong(word);
      i += n;
    }
  }

  private static int selectorAt(long[] values, int i) {
    selectors:
    for (int s = 0; s < COUNT.length; s++) {
      int n = Math.min(COUNT[s], values.length - i);
      long limit = BITS[s] == 0 ? 0 : (1L << BITS[s]) - 1;
      for (int k = 0; k < n; k++) {
        if (values[i + k] > limit) {
          continue selectors;
        }
      }
      return s;
    }
    throw new IllegalArgumentException("value " + values[i] + " does not fit in 60 bits");
  }

  /** Unpacks exactly {@code into.length - from} values into {@code into[from..]}. */
  static void read(ByteReader in, long[] into, int from) {
    int i = from;
    while (i < into.length) {
      long word = in.readLong();
      int selector = (int) (word >>> 60);
      int n = Math.min(COUNT[selector], into.length - i);
      int bits = BITS[selector];
      long mask = bits == 0 ? 0 : (1L << bits) - 1;
      for (int k = 0; k < n; k++) {
        into[i + k] = (word >>> (bits * k)) & mask;
      }
      i += n;
    }
  }
}
