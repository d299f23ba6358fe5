package dev.capstan.dataplane.tsdb.codec;

import java.util.Arrays;
import java.util.List;

/**
 * The values of one block, one variant per InfluxDB field type. The array variants take ownership of
 * their arrays without copying (blocks are large and built once); callers must not mutate them
 * afterwards. Equality compares contents — for floats bit for bit, so NaN payloads and -0.0 count —
 * and {@code toString} gives the size only, since a block can hold a million values.
 */
public sealed interface Column {
  int size();

  record FloatColumn(double[] values) implements Column {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof FloatColumn other) || other.values.length != values.length) {
        return false;
      }
      for (int i = 0; i < values.length; i++) {
        if (Double.doubleToRawLongBits(values[i]) != Double.doubleToRawLongBits(other.values[i])) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (double v : values) {
        h = 31 * h + Long.hashCode(Double.doubleToRawLongBits(v));
      }
      return h;
    }

    @Override
    public String toString() {
      return "FloatColumn[" + values.length + " values]";
    }
  }

  record IntegerColumn(long[] values) implements Column {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntegerColumn other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "IntegerColumn[" + values.length + " values]";
    }
  }

  record BooleanColumn(boolean[] values) implements Column {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BooleanColumn other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "BooleanColumn[" + values.length + " values]";
    }
  }

  record StringColumn(List<String> values) implements Column {
    public StringColumn {
      values = List.copyOf(values);
    }

    @Override
    public int size() {
      return values.size();
    }

    @Override
    public String toString() {
      return "StringColumn[" + values.size() + " values]";
    }
  }
}
