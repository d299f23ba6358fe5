package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One point of a write: measurement, tag set sorted by key, at least one field, and a timestamp in
 * nanoseconds since the epoch. All strings are unescaped. The constructor refuses anything InfluxDB
 * could not store, so a Point is always writable and always serializable.
 */
public record Point(String measurement, List<Tag> tags, Map<String, FieldValue> fields, long timestampNanos) {

  /** Lowest timestamp influxd accepts; the two values below it are its internal sentinels. */
  public static final long MIN_TIMESTAMP_NANOS = Long.MIN_VALUE + 2;

  /** Highest timestamp influxd accepts; it needs one value above as an exclusive bound. */
  public static final long MAX_TIMESTAMP_NANOS = Long.MAX_VALUE - 1;

  public Point {
    if (measurement == null || measurement.isEmpty()) {
      throw new IllegalArgumentException("measurement must not be empty");
    }
    if (!strictlySorted(tags)) {
      List<Tag> sorted = new ArrayList<>(tags);
      sorted.sort(Tag.BY_KEY);
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i).key().equals(sorted.get(i - 1).key())) {
          throw new IllegalArgumentException("duplicate tag key " + sorted.get(i).key());
        }
      }
      tags = sorted;
    }
    // List.copyOf returns an already immutable list itself, so the parser's shared tag lists
    // stay shared across the points of a series.
    tags = List.copyOf(tags);
    // Insertion order is kept so a serialized point reads like the line it came from; the
    // parser's FieldMap is immutable already and is kept as is.
    FieldMap own = FieldMap.copyOf(fields);
    if (own.isEmpty()) {
      throw new IllegalArgumentException("a point needs at least one field");
    }
    for (int i = 0; i < own.size(); i++) {
      if (own.name(i) == null || own.name(i).isEmpty() || own.value(i) == null) {
        throw new IllegalArgumentException("field keys must not be empty and values not null");
      }
    }
    fields = own;
    if (timestampNanos < MIN_TIMESTAMP_NANOS || timestampNanos > MAX_TIMESTAMP_NANOS) {
      throw new IllegalArgumentException("timestamp " + timestampNanos + " outside the range influxd stores");
    }
  }

  private static boolean strictlySorted(List<Tag> tags) {
    for (int i = 1; i < tags.size(); i++) {
      if (Tag.BY_KEY.compare(tags.get(i - 1), tags.get(i)) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** The fields by index, without an iterator per point: the engine's hot paths read them so. */
  public FieldMap fieldMap() {
    return (FieldMap) fields;
  }
}
