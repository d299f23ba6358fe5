package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test helpers: building points and reading the store back as plain maps. */
final class Data {
  static final long T0 = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
  static final long SECOND = 1_000_000_000L;
  static final long HOUR = 3600 * SECOND;

  private Data() {}

  static Point point(String measurement, String host, String field, FieldValue value, long time) {
    List<Tag> tags = host == null ? List.of() : List.of(new Tag("host", host));
    return new Point(measurement, tags, Map.of(field, value), time);
  }

  static Point cpu(String host, double value, long time) {
    return point("cpu", host, "value", FieldValue.of(value), time);
  }

  /** series key text → field → time → value, as the store returns it for the whole time range. */
  static TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> readAll(TsdbStore store, String db, String rp, String measurement,
      List<String> fields) {
    return read(store, new ReadRequest(db, rp, SeriesFilter.all(measurement), fields, Long.MIN_VALUE, Long.MAX_VALUE));
  }

  static TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> read(TsdbStore store, ReadRequest request) {
    TreeMap<String, TreeMap<String, TreeMap<Long, Object>>> out = new TreeMap<>();
    List<String> order = new ArrayList<>();
    store.read(request, (key, fields) -> {
      order.add(key.text());
      TreeMap<String, TreeMap<Long, Object>> byField = new TreeMap<>();
      fields.forEach((name, block) -> byField.put(name, toMap(block)));
      out.put(key.text(), byField);
    });
    if (!order.equals(new ArrayList<>(out.keySet()))) {
      throw new AssertionError("series not visited in key order: " + order);
    }
    return out;
  }

  /** A block as time → value, checking that times strictly ascend. */
  static TreeMap<Long, Object> toMap(Block block) {
    TreeMap<Long, Object> out = new TreeMap<>();
    long[] ts = block.timestamps();
    List<Object> values = values(block.values());
    for (int i = 0; i < ts.length; i++) {
      if (i > 0 && ts[i] <= ts[i - 1]) {
        throw new AssertionError("times not strictly ascending at " + i + ": " + ts[i - 1] + ", " + ts[i]);
      }
      out.put(ts[i], values.get(i));
    }
    return out;
  }

  static List<Object> values(Column column) {
    List<Object> out = new ArrayList<>();
    if (column instanceof Column.FloatColumn c) {
      for (double v : c.values()) {
        out.add(v);
      }
    } else if (column instanceof Column.IntegerColumn c) {
      for (long v : c.values()) {
        out.add(v);
      }
    } else if (column instanceof Column.BooleanColumn c) {
      for (boolean v : c.values()) {
        out.add(v);
      }
    } else {
      out.addAll(((Column.StringColumn) column).values());
    }
    return out;
  }

  /** The plain Java value of a field value, as {@link #values} gives it. */
  static Object plain(FieldValue value) {
    if (value instanceof FieldValue.FloatField f) {
      return f.value();
    } else if (value instanceof FieldValue.IntegerField i) {
      return i.value();
    } else if (value instanceof FieldValue.StringField s) {
      return s.value();
    }
    return ((FieldValue.BooleanField) value).value();
  }

  static Map<String, FieldValue> fields(Object... nameValue) {
    Map<String, FieldValue> out = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      out.put((String) nameValue[i], (FieldValue) nameValue[i + 1]);
    }
    return out;
  }
}
