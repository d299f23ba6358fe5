package dev.capstan.dataplane.tsdb.codec;

/**
 * Integer values of one block. {@link #encode} tries each encoding and keeps the smallest:
 *
 * <ul>
 *   <li>{@link Encoding#INTEGER_RUNS}: (value, repeat) pairs — a field that is almost always the
 *       same, like a quality code of 192, costs a few bytes per block.
 *   <li>{@link Encoding#INTEGER_DELTA_SIMPLE8B}: first value, then zig-zag deltas packed with
 *       {@link Simple8b} — counters and slowly moving gauges.
 *   <li>{@link Encoding#INTEGER_DELTA_VARINT}: the same deltas as varints, for jumps too wide for
 *       Simple-8b's 60 bits (e.g. Long.MIN_VALUE next to Long.MAX_VALUE).
 * </ul>
 *
 * <p>Deltas wrap, so every long round-trips.
 */
public final class IntegerCodec {
  private IntegerCodec() {}

  public static byte[] encode(long[] values) {
    ByteWriter out = new ByteWriter(16 + values.length);
    write(out, values);
    return out.toByteArray();
  }

  public static long[] decode(byte[] block) {
    ByteReader in = new ByteReader(block);
    long[] values = read(in);
    in.expectEnd("integer column");
    return values;
  }

  static void write(ByteWriter out, long[] values) {
    ColumnHeader.checkCount(values.length);
    long[] deltas = zigZagDeltas(values);
    ByteWriter best = new ByteWriter(16);
    writeRuns(best, values);
    ByteWriter candidate = new ByteWriter(16 + values.length);
    if (Simple8b.fits(deltas, 1)) {
      writeDeltas(candidate, Encoding.INTEGER_DELTA_SIMPLE8B, deltas);
    } else {
      writeDeltas(candidate, Encoding.INTEGER_DELTA_VARINT, deltas);
    }
    out.writeBytes(candidate.size() < best.size() ? candidate.toByteArray() : best.toByteArray());
  }

  static long[] read(ByteReader in) {
    Encoding encoding = ColumnHeader.peek(in);
    return switch (encoding) {
      case INTEGER_RUNS -> readRuns(in);
      case INTEGER_DELTA_SIMPLE8B, INTEGER_DELTA_VARINT -> readDeltas(in, encoding);
      default -> throw new CorruptBlockException("expected an integer column, found " + encoding);
    };
  }

  /** deltas[0] is the zig-zagged first value; deltas[i] the zig-zagged (wrapping) difference. */
  private static long[] zigZagDeltas(long[] values) {
    long[] deltas = new long[values.length];
    long prev = 0;
    for (int i = 0; i < values.length; i++) {
      deltas[i] = ColumnHeader.zigZag(values[i] - prev);
      prev = values[i];
    }
    return deltas;
  }

  private static void writeRuns(ByteWriter out, long[] values) {
    ColumnHeader.write(out, Encoding.INTEGER_RUNS, values.length);
    int i = 0;
    while (i < values.length) {
      int run = 1;
      while (i + run < values.length && values[i + run] == values[i]) {
        run++;
      }
      out.writeVarLong(ColumnHeader.zigZag(values[i]));
      out.writeVarInt(run);
      i += run;
    }
  }

  private static long[] readRuns(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.INTEGER_RUNS);
    long[] values = new long[count];
    int i = 0;
    while (i < count) {
      long value = ColumnHeader.unZigZag(in.readVarLong());
      int run = in.readVarInt(count - i, "integer run length");
      if (run == 0) {
        throw new CorruptBlockException("empty integer run at index " + i);
      }
      for (int k = 0; k < run; k++) {
        values[i++] = value;
      }
    }
    return values;
  }

  private static void writeDeltas(ByteWriter out, Encoding encoding, long[] deltas) {
    ColumnHeader.write(out, encoding, deltas.length);
    if (deltas.length == 0) {
      return;
    }
    out.writeVarLong(deltas[0]);
    if (encoding == Encoding.INTEGER_DELTA_SIMPLE8B) {
      Simple8b.write(out, deltas, 1);
    } else {
      for (int i = 1; i < deltas.length; i++) {
        out.writeVarLong(deltas[i]);
      }
    }
  }

  private static long[] readDeltas(ByteReader in, Encoding encoding) {
    int count = ColumnHeader.read(in, encoding);
    long[] values = new long[count];
    if (count == 0) {
      return values;
    }
    values[0] = in.readVarLong();
    if (encoding == Encoding.INTEGER_DELTA_SIMPLE8B) {
      Simple8b.read(in, values, 1);
    } else {
      for (int i = 1; i < count; i++) {
        values[i] = in.readVarLong();
      }
    }
    long prev = 0;
    for (int i = 0; i < count; i++) {
      prev += ColumnHeader.unZigZag(values[i]);
      values[i] = prev;
    }
    return values;
  }
}
