package dev.capstan.dataplane.tsdb.codec;

/**
 * Timestamps of one block. Precondition: strictly increasing — the storage engine sorts and
 * de-duplicates (last write wins) before it encodes, so anything else is a bug upstream and is
 * rejected with {@link IllegalArgumentException}; decoding checks the same order, which catches most
 * corruption for free.
 *
 * <p>Two encodings; {@link #encode} writes both and keeps the smaller:
 *
 * <ul>
 *   <li>{@link Encoding#TIMESTAMP_DELTA_RUNS}: first timestamp, then (delta, repeat) pairs. A
 *       regular series is one pair, a few bytes for the whole block; Gorilla still spends one bit per
 *       point on it.
 *   <li>{@link Encoding#TIMESTAMP_DELTA_OF_DELTA}: Gorilla's delta-of-delta with variable-length
 *       buckets, for jittery series where runs would be short. Bucket widths are Prometheus's (14, 17,
 *       20 bits) because Capstan's timestamps are nanoseconds or milliseconds, not Gorilla's seconds.
 * </ul>
 *
 * <p>Arithmetic wraps, so Long.MIN_VALUE and Long.MAX_VALUE in one block round-trip.
 */
public final class TimestampCodec {
  private static final int[] DOD_BITS = {14, 17, 20};

  private TimestampCodec() {}

  public static byte[] encode(long[] timestamps) {
    ByteWriter out = new ByteWriter(16 + timestamps.length);
    write(out, timestamps);
    return out.toByteArray();
  }

  public static long[] decode(byte[] block) {
    ByteReader in = new ByteReader(block);
    long[] timestamps = read(in);
    in.expectEnd("timestamp column");
    return timestamps;
  }

  static void write(ByteWriter out, long[] timestamps) {
    checkStrictlyIncreasing(timestamps);
    ColumnHeader.checkCount(timestamps.length);
    ByteWriter runs = new ByteWriter(32);
    writeDeltaRuns(runs, timestamps);
    ByteWriter dod = new ByteWriter(16 + timestamps.length / 4);
    writeDeltaOfDelta(dod, timestamps);
    out.writeBytes(runs.size() <= dod.size() ? runs.toByteArray() : dod.toByteArray());
  }

  static long[] read(ByteReader in) {
    Encoding encoding = ColumnHeader.peek(in);
    long[] timestamps = switch (encoding) {
      case TIMESTAMP_DELTA_RUNS -> readDeltaRuns(in);
      case TIMESTAMP_DELTA_OF_DELTA -> readDeltaOfDelta(in);
      default -> throw new CorruptBlockException("expected a timestamp column, found " + encoding);
    };
    for (int i = 1; i < timestamps.length; i++) {
      if (timestamps[i] <= timestamps[i - 1]) {
        throw new CorruptBlockException("decoded timestamps not increasing at index " + i);
      }
    }
    return timestamps;
  }

  private static void checkStrictlyIncreasing(long[] timestamps) {
    for (int i = 1; i < timestamps.length; i++) {
      if (timestamps[i] <= timestamps[i - 1]) {
        throw new IllegalArgumentException("timestamps must be strictly increasing (sort and de-duplicate first): "
            + "timestamps[" + (i - 1) + "]=" + timestamps[i - 1] + ", timestamps[" + i + "]=" + timestamps[i]);
      }
    }
  }

  static void writeDeltaRuns(ByteWriter out, long[] ts) {
    ColumnHeader.write(out, Encoding.TIMESTAMP_DELTA_RUNS, ts.length);
    if (ts.length == 0) {
      return;
    }
    out.writeLong(ts[0]);
    int i = 1;
    while (i < ts.length) {
      long delta = ts[i] - ts[i - 1];
      int run = 1;
      while (i + run < ts.length && ts[i + run] - ts[i + run - 1] == delta) {
        run++;
      }
      // Deltas are positive but may exceed Long.MAX_VALUE (MIN to MAX), so write them unsigned.
      out.writeVarLong(delta);
      out.writeVarInt(run);
      i += run;
    }
  }

  private static long[] readDeltaRuns(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.TIMESTAMP_DELTA_RUNS);
    long[] ts = new long[count];
    if (count == 0) {
      return ts;
    }
    ts[0] = in.readLong();
    int i = 1;
    while (i < count) {
      long delta = in.readVarLong();
      int run = in.readVarInt(count - i, "delta run length");
      if (run == 0) {
        throw new CorruptBlockException("empty delta run at index " + i);
      }
      for (int k = 0; k < run; k++, i++) {
        ts[i] = ts[i - 1] + delta;
      }
    }
    return ts;
  }

  static void writeDeltaOfDelta(ByteWriter out, long[] ts) {
    ColumnHeader.write(out, Encoding.TIMESTAMP_DELTA_OF_DELTA, ts.length);
    if (ts.length == 0) {
      return;
    }
    out.writeLong(ts[0]);
    if (ts.length == 1) {
      return;
    }
    long prevDelta = ts[1] - ts[0];
    out.writeVarLong(prevDelta);
    BitWriter bits = new BitWriter(ts.length * 2);
    for (int i = 2; i < ts.length; i++) {
      long delta = ts[i] - ts[i - 1];
      long dod = delta - prevDelta;
      prevDelta = delta;
      if (dod == 0) {
        bits.writeBit(false);
        continue;
      }
      int bucket = 0;
      while (bucket < DOD_BITS.length && !fitsSigned(dod, DOD_BITS[bucket])) {
        bucket++;
      }
      if (bucket < DOD_BITS.length) {
        bits.writeBits((1L << (bucket + 2)) - 2, bucket + 2); // 10, 110, 1110
        bits.writeBits(dod, DOD_BITS[bucket]);
      } else {
        bits.writeBits(0b1111, 4);
        bits.writeBits(dod, 64);
      }
    }
    out.writeBytes(bits.toByteArray());
  }

  private static long[] readDeltaOfDelta(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.TIMESTAMP_DELTA_OF_DELTA);
    long[] ts = new long[count];
    if (count == 0) {
      return ts;
    }
    ts[0] = in.readLong();
    if (count == 1) {
      return ts;
    }
    long delta = in.readVarLong();
    ts[1] = ts[0] + delta;
    int start = in.position();
    BitReader bits = new BitReader(in.array(), start, in.remaining());
    for (int i = 2; i < count; i++) {
      int ones = 0;
      while (ones < 4 && bits.readBit()) {
        ones++;
      }
      long dod = ones == 0 ? 0 : bits.readSigned(ones < 4 ? DOD_BITS[ones - 1] : 64);
      delta += dod;
      ts[i] = ts[i - 1] + delta;
    }
    in.skip(bits.bytesConsumedFrom(start));
    return ts;
  }

  private static boolean fitsSigned(long v, int bits) {
    long half = 1L << (bits - 1);
    return v >= -half && v < half;
  }
}
