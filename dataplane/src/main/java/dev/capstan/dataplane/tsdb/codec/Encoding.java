package dev.capstan.dataplane.tsdb.codec;

/**
 * The first byte of every encoded column, so a reader can dispatch without knowing the field type.
 * Ids are persisted in shard files: never renumber, only add.
 */
public enum Encoding {
  TIMESTAMP_DELTA_OF_DELTA(1),
  TIMESTAMP_DELTA_RUNS(2),
  FLOAT_GORILLA(3),
  FLOAT_DECIMAL(4),
  INTEGER_RUNS(5),
  INTEGER_DELTA_SIMPLE8B(6),
  INTEGER_DELTA_VARINT(7),
  BOOLEAN_PACKED(8),
  STRING_SNAPPY(9);

  private static final Encoding[] BY_ID = new Encoding[16];

  static {
    for (Encoding e : values()) {
      BY_ID[e.id] = e;
    }
  }

  private final byte id;

  Encoding(int id) {
    this.id = (byte) id;
  }

  public byte id() {
    return id;
  }

  public static Encoding forId(byte id) {
    Encoding e = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    if (e == null) {
      throw new CorruptBlockException("unknown encoding id " + (id & 0xff));
    }
    return e;
  }
}
