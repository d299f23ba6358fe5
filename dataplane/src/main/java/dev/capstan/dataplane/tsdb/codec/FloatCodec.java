package dev.capstan.dataplane.tsdb.codec;

/**
 * Float values of one block, bit-exact (NaN payloads, ±Inf and -0.0 included). {@link #encode}
 * writes both encodings it can and keeps the smaller:
 *
 * <ul>
 *   <li>{@link Encoding#FLOAT_GORILLA}: Gorilla's XOR with the previous value, reusing the previous
 *       leading/trailing-zero window when the new XOR fits in it.
 *   <li>{@link Encoding#FLOAT_DECIMAL}: when every value is exactly {@code m / 10^scale} for one
 *       scale ≤ {@value #MAX_SCALE} (what a sensor reporting "21.37" produces), the mantissas m as an
 *       {@link IntegerCodec} column. Gorilla cannot compress such values well: 0.01 has no finite
 *       binary expansion, so consecutive values differ in ~40 mantissa bits; their decimal mantissas
 *       differ by a small integer. VictoriaMetrics stores floats the same way.
 * </ul>
 */
public final class FloatCodec {
  static final int MAX_SCALE = 15;
  private static final double[] POW10 = new double[MAX_SCALE + 1];
  // Beyond 2^53 not every long is a double, and the decimal argument below needs exact mantissas.
  private static final double MAX_EXACT = 0x1p53;

  static {
    for (int i = 0; i <= MAX_SCALE; i++) {
      POW10[i] = Math.pow(10, i);
    }
  }

  private FloatCodec() {}

  public static byte[] encode(double[] values) {
    ByteWriter out = new ByteWriter(16 + values.length);
    write(out, values);
    return out.toByteArray();
  }

  public static double[] decode(byte[] block) {
    ByteReader in = new ByteReader(block);
    double[] values = read(in);
    in.expectEnd("float column");
    return values;
  }

  static void write(ByteWriter out, double[] values) {
    ColumnHeader.checkCount(values.length);
    ByteWriter gorilla = new ByteWriter(16 + values.length * 2);
    writeGorilla(gorilla, values);
    int scale = commonScale(values);
    if (scale >= 0) {
      ByteWriter decimal = new ByteWriter(16 + values.length);
      writeDecimal(decimal, values, scale);
      if (decimal.size() < gorilla.size()) {
        out.writeBytes(decimal.toByteArray());
        return;
      }
    }
    out.writeBytes(gorilla.toByteArray());
  }

  static double[] read(ByteReader in) {
    Encoding encoding = ColumnHeader.peek(in);
    return switch (encoding) {
      case FLOAT_GORILLA -> readGorilla(in);
      case FLOAT_DECIMAL -> readDecimal(in);
      default -> throw new CorruptBlockException("expected a float column, found " + encoding);
    };
  }

  static void writeGorilla(ByteWriter out, double[] values) {
    ColumnHeader.write(out, Encoding.FLOAT_GORILLA, values.length);
    if (values.length == 0) {
      return;
    }
    BitWriter bits = new BitWriter(64 + values.length * 16);
    long prev = Double.doubleToRawLongBits(values[0]);
    bits.writeBits(prev, 64);
    int prevLeading = -1;
    int prevTrailing = 0;
    for (int i = 1; i < values.length; i++) {
      long cur = Double.doubleToRawLongBits(values[i]);
      long xor = cur ^ prev;
      prev = cur;
      if (xor == 0) {
        bits.writeBit(false);
        continue;
      }
      bits.writeBit(true);
      // 5 bits hold the leading count, so cap it at 31; the extra zeros become meaningful bits.
      int leading = Math.min(Long.numberOfLeadingZeros(xor), 31);
      int trailing = Long.numberOfTrailingZeros(xor);
      if (prevLeading >= 0 && leading >= prevLeading && trailing >= prevTrailing) {
        bits.writeBit(false);
        bits.writeBits(xor >>> prevTrailing, 64 - prevLeading - prevTrailing);
      } else {
        prevLeading = leading;
        prevTrailing = trailing;
        int meaningful = 64 - leading - trailing;
        bits.writeBit(true);
        bits.writeBits(leading, 5);
        bits.writeBits(meaningful, 6); // 64 wraps to 0; 0 itself is impossible since xor != 0
        bits.writeBits(xor >>> trailing, meaningful);
      }
    }
    out.writeBytes(bits.toByteArray());
  }

  private static double[] readGorilla(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.FLOAT_GORILLA);
    double[] values = new double[count];
    if (count == 0) {
      return values;
    }
    int start = in.position();
    BitReader bits = new BitReader(in.array(), start, in.remaining());
    long prev = bits.readBits(64);
    values[0] = Double.longBitsToDouble(prev);
    int leading = -1;
    int trailing = 0;
    for (int i = 1; i < count; i++) {
      if (bits.readBit()) {
        if (bits.readBit()) {
          leading = (int) bits.readBits(5);
          int meaningful = (int) bits.readBits(6);
          if (meaningful == 0) {
            meaningful = 64;
          }
          if (leading + meaningful > 64) {
            throw new CorruptBlockException("float window of " + leading + "+" + meaningful + " bits at index " + i);
          }
          trailing = 64 - leading - meaningful;
        } else if (leading < 0) {
          throw new CorruptBlockException("float at index " + i + " reuses a window before any was set");
        }
        int meaningful = 64 - leading - trailing;
        prev ^= bits.readBits(meaningful) << trailing;
      }
      values[i] = Double.longBitsToDouble(prev);
    }
    in.skip(bits.bytesConsumedFrom(start));
    return values;
  }

  /** The smallest scale at which every value is exactly {@code m / 10^scale}; -1 if none. */
  static int commonScale(double[] values) {
    int scale = 0;
    for (double v : values) {
      while (scale <= MAX_SCALE && !isDecimal(v, scale)) {
        scale++;
      }
      if (scale > MAX_SCALE) {
        return -1;
      }
    }
    // A value exact at its own scale is usually exact at a larger one too, but check, not assume.
    for (double v : values) {
      if (!isDecimal(v, scale)) {
        return -1;
      }
    }
    return scale;
  }

  private static boolean isDecimal(double v, int scale) {
    double scaled = v * POW10[scale];
    if (!(Math.abs(scaled) < MAX_EXACT)) {
      return false; // also NaN and ±Inf
    }
    long mantissa = Math.round(scaled);
    // Compare bits, not values: -0.0 == 0.0 but must not decode as 0.0.
    return Double.doubleToRawLongBits(mantissa / POW10[scale]) == Double.doubleToRawLongBits(v);
  }

  private static void writeDecimal(ByteWriter out, double[] values, int scale) {
    ColumnHeader.write(out, Encoding.FLOAT_DECIMAL, values.length);
    out.writeByte(scale);
    long[] mantissas = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      mantissas[i] = Math.round(values[i] * POW10[scale]);
    }
    IntegerCodec.write(out, mantissas);
  }

  private static double[] readDecimal(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.FLOAT_DECIMAL);
    int scale = in.readByte();
    if (scale > MAX_SCALE) {
      throw new CorruptBlockException("decimal scale " + scale + " above " + MAX_SCALE);
    }
    long[] mantissas = IntegerCodec.read(in);
    if (mantissas.length != count) {
      throw new CorruptBlockException("decimal column of " + count + " values holds " + mantissas.length + " mantissas");
    }
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      values[i] = mantissas[i] / POW10[scale];
    }
    return values;
  }
}
