package dev.capstan.dataplane.tsdb.store;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;

/** The type of a field, fixed per measurement and shard by its first write (as in influxd). */
public enum FieldType {
  FLOAT("float"),
  INTEGER("integer"),
  STRING("string"),
  BOOLEAN("boolean");

  private final String influxName;

  FieldType(String influxName) {
    this.influxName = influxName;
  }

  /** The name influxd prints ({@code SHOW FIELD KEYS}, type-conflict errors). */
  public String influxName() {
    return influxName;
  }

  public static FieldType of(FieldValue value) {
    if (value instanceof FieldValue.FloatField) {
      return FLOAT;
    } else if (value instanceof FieldValue.IntegerField) {
      return INTEGER;
    } else if (value instanceof FieldValue.StringField) {
      return STRING;
    }
    return BOOLEAN;
  }
}
