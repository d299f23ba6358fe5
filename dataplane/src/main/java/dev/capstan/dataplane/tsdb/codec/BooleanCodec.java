package dev.capstan.dataplane.tsdb.codec;

/** Boolean values of one block, one bit each, most significant bit first. */
public final class BooleanCodec {
  private BooleanCodec() {}

  public static byte[] encode(boolean[] values) {
    ByteWriter out = new ByteWriter(8 + values.length / 8);
    write(out, values);
    return out.toByteArray();
  }

  public static boolean[] decode(byte[] block) {
    ByteReader in = new ByteReader(block);
    boolean[] values = read(in);
    in.expectEnd("boolean column");
    return values;
  }

  static void write(ByteWriter out, boolean[] values) {
    ColumnHeader.write(out, Encoding.BOOLEAN_PACKED, values.length);
    byte[] packed = new byte[(values.length + 7) / 8];
    for (int i = 0; i < values.length; i++) {
      if (values[i]) {
        packed[i >>> 3] |= (byte) (0x80 >>> (i & 7));
      }
    }
    out.writeBytes(packed);
  }

  static boolean[] read(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.BOOLEAN_PACKED);
    byte[] packed = in.readBytes((count + 7) / 8);
    boolean[] values = new boolean[count];
    for (int i = 0; i < count; i++) {
      values[i] = (packed[i >>> 3] & (0x80 >>> (i & 7))) != 0;
    }
    return values;
  }
}
