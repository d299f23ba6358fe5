package dev.capstan.dataplane.tsdb.store;

import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;

/**
 * A read of columns: the fields of the series that {@code filter} selects, in one policy of a
 * database ({@code null}: the default policy), with times in {@code [minTime, maxTime]}, and per
 * series field at most the points {@code limit} keeps.
 */
public record ReadRequest(
    String database,
    String retentionPolicy,
    SeriesFilter filter,
    List<String> fields,
    long minTime,
    long maxTime,
    Limit limit) {

  public ReadRequest {
    fields = List.copyOf(fields);
    if (minTime > maxTime) {
      throw new IllegalArgumentException("minTime " + minTime + " after maxTime " + maxTime);
    }
    if (limit == null) {
      throw new IllegalArgumentException("limit is null; use Limit.NONE for every point");
    }
  }

  /** Every point in range. */
  public ReadRequest(String database, String retentionPolicy, SeriesFilter filter, List<String> fields, long minTime,
      long maxTime) {
    this(database, retentionPolicy, filter, fields, minTime, maxTime, Limit.NONE);
  }

  public ReadRequest withLimit(Limit limit) {
    return new ReadRequest(database, retentionPolicy, filter, fields, minTime, maxTime, limit);
  }

  /**
   * Per series field, only the {@code points} oldest or ({@code newest}) newest points in range
   * (blocks still ascend). It lets last()/first() and LIMIT read one block per series instead of
   * all of them: a store can visit its sources from the right end and stop early.
   */
  public record Limit(int points, boolean newest) {
    public static final Limit NONE = new Limit(Integer.MAX_VALUE, false);

    public Limit {
      if (points <= 0) {
        throw new IllegalArgumentException("a read limit keeps at least one point, not " + points);
      }
    }

    public static Limit oldest(int points) {
      return new Limit(points, false);
    }

    public static Limit newest(int points) {
      return new Limit(points, true);
    }

    public boolean isNone() {
      return points == Integer.MAX_VALUE;
    }

    /** The points of a time range this limit keeps, found by walking it from the limit's end. */
    public <V> NavigableMap<Long, V> applyTo(NavigableMap<Long, V> range) {
      if (range.size() <= points) {
        return range;
      }
      Iterator<Long> fromEnd = (newest ? range.descendingKeySet() : range.navigableKeySet()).iterator();
      Long edge = null;
      for (int i = 0; i < points; i++) {
        edge = fromEnd.next();
      }
      return newest ? range.tailMap(edge, true) : range.headMap(edge, true);
    }
  }
}
