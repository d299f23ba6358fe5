package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.store.FieldType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A growable column of one field type. Primitive arrays, not boxed lists, because the memtable
 * and merges hold millions of values.
 */
abstract class ColumnBuilder {
  protected int size;

  static ColumnBuilder of(FieldType type, int capacity) {
    int c = Math.max(capacity, 8);
    return switch (type) {
      case FLOAT -> new Floats(c);
      case INTEGER -> new Integers(c);
      case BOOLEAN -> new Booleans(c);
      case STRING -> new Strings(c);
    };
  }

  static FieldType typeOf(Column column) {
    if (column instanceof Column.FloatColumn) {
      return FieldType.FLOAT;
    } else if (column instanceof Column.IntegerColumn) {
      return FieldType.INTEGER;
    } else if (column instanceof Column.BooleanColumn) {
      return FieldType.BOOLEAN;
    }
    return FieldType.STRING;
  }

  /** Values {@code [from, to)} of a column, copied. */
  static Column slice(Column column, int from, int to) {
    if (column instanceof Column.FloatColumn c) {
      return new Column.FloatColumn(Arrays.copyOfRange(c.values(), from, to));
    } else if (column instanceof Column.IntegerColumn c) {
      return new Column.IntegerColumn(Arrays.copyOfRange(c.values(), from, to));
    } else if (column instanceof Column.BooleanColumn c) {
      return new Column.BooleanColumn(Arrays.copyOfRange(c.values(), from, to));
    }
    return new Column.StringColumn(((Column.StringColumn) column).values().subList(from, to));
  }

  int size() {
    return size;
  }

  abstract void add(FieldValue value);

  /** Appends value {@code index} of {@code column}, which has this builder's type. */
  abstract void addFrom(Column column, int index);

  /** The values at {@code indexes}, in that order, as a new column. */
  abstract Column gather(int[] indexes, int count);

  /** Approximate heap bytes of one value, for the memtable's flush threshold. */
  abstract long bytesOf(FieldValue value);

  Column build() {
    int[] all = new int[size];
    for (int i = 0; i < size; i++) {
      all[i] = i;
    }
    return gather(all, size);
  }

  private static final class Floats extends ColumnBuilder {
    private double[] values;

    Floats(int capacity) {
      values = new double[capacity];
    }

    private void put(double v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    @Override
    void add(FieldValue value) {
      put(((FieldValue.FloatField) value).value());
    }

    @Override
    void addFrom(Column column, int index) {
      put(((Column.FloatColumn) column).values()[index]);
    }

    @Override
    Column gather(int[] indexes, int count) {
      double[] out = new double[count];
      for (int i = 0; i < count; i++) {
        out[i] = values[indexes[i]];
      }
      return new Column.FloatColumn(out);
    }

    @Override
    long bytesOf(FieldValue value) {
      return 16;
    }
  }

  private static final class Integers extends ColumnBuilder {
    private long[] values;

    Integers(int capacity) {
      values = new long[capacity];
    }

    private void put(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    @Override
    void add(FieldValue value) {
      put(((FieldValue.IntegerField) value).value());
    }

    @Override
    void addFrom(Column column, int index) {
      put(((Column.IntegerColumn) column).values()[index]);
    }

    @Override
    Column gather(int[] indexes, int count) {
      long[] out = new long[count];
      for (int i = 0; i < count; i++) {
        out[i] = values[indexes[i]];
      }
      return new Column.IntegerColumn(out);
    }

    @Override
    long bytesOf(FieldValue value) {
      return 16;
    }
  }

  private static final class Booleans extends ColumnBuilder {
    private boolean[] values;

    Booleans(int capacity) {
      values = new boolean[capacity];
    }

    private void put(boolean v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    @Override
    void add(FieldValue value) {
      put(((FieldValue.BooleanField) value).value());
    }

    @Override
    void addFrom(Column column, int index) {
      put(((Column.BooleanColumn) column).values()[index]);
    }

    @Override
    Column gather(int[] indexes, int count) {
      boolean[] out = new boolean[count];
      for (int i = 0; i < count; i++) {
        out[i] = values[indexes[i]];
      }
      return new Column.BooleanColumn(out);
    }

    @Override
    long bytesOf(FieldValue value) {
      return 9;
    }
  }

  private static final class Strings extends ColumnBuilder {
    private final List<String> values;

    Strings(int capacity) {
      values = new ArrayList<>(Math.min(capacity, 1 << 16));
    }

    private void put(String v) {
      values.add(v);
      size++;
    }

    @Override
    void add(FieldValue value) {
      put(((FieldValue.StringField) value).value());
    }

    @Override
    void addFrom(Column column, int index) {
      put(((Column.StringColumn) column).values().get(index));
    }

    @Override
    Column gather(int[] indexes, int count) {
      List<String> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(values.get(indexes[i]));
      }
      return new Column.StringColumn(out);
    }

    @Override
    long bytesOf(FieldValue value) {
      return 48 + 2L * ((FieldValue.StringField) value).value().length();
    }
  }
}
