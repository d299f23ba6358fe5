package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.Objects;

/** A field value of one of the four types InfluxDB 1.6 stores. */
public sealed interface FieldValue {

  /** A float64; NaN and infinities cannot be stored, so they are refused here. */
  record FloatField(double value) implements FieldValue {
    public FloatField {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("float field value must be finite, got " + value);
      }
    }
  }

  record IntegerField(long value) implements FieldValue {}

  record StringField(String value) implements FieldValue {
    public StringField {
      Objects.requireNonNull(value, "value");
    }
  }

  record BooleanField(boolean value) implements FieldValue {}

  static FieldValue of(double value) {
    return new FloatField(value);
  }

  static FieldValue of(long value) {
    return new IntegerField(value);
  }

  static FieldValue of(String value) {
    return new StringField(value);
  }

  static FieldValue of(boolean value) {
    return new BooleanField(value);
  }
}
