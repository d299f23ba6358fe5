package dev.capstan.dataplane.lb.balancing;

/**
 * xxHash64 (Yann Collet's XXH64) of a byte array: fast, well mixed in all 64 bits, and the same
 * value as every other implementation, so a ring can be checked against other tools.
 */
final class XxHash64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  static long hash(byte[] in, long seed) {
    int len = in.length;
    int i = 0;
    long h;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      for (; i <= len - 32; i += 32) {
        v1 = round(v1, longAt(in, i));
        v2 = round(v2, longAt(in, i + 8));
        v3 = round(v3, longAt(in, i + 16));
        v4 = round(v4, longAt(in, i + 24));
      }
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12)
          + Long.rotateLeft(v4, 18);
      h = mergeRound(h, v1);
      h = mergeRound(h, v2);
      h = mergeRound(h, v3);
      h = mergeRound(h, v4);
    } else {
      h = seed + P5;
    }
    h += len;
    for (; i <= len - 8; i += 8) {
      h ^= round(0, longAt(in, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (i <= len - 4) {
      h ^= (intAt(in, i) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    for (; i < len; i++) {
      h ^= (in[i] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    return Long.rotateLeft(acc + input * P2, 31) * P1;
  }

  private static long mergeRound(long acc, long v) {
    return (acc ^ round(0, v)) * P1 + P4;
  }

  private static long longAt(byte[] b, int i) {
    return (intAt(b, i) & 0xFFFFFFFFL) | ((long) intAt(b, i + 4) << 32);
  }

  private static int intAt(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
  }
}
