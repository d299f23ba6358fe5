package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import java.util.Arrays;

/**
 * The points of one series field from one source (a file, the memtable, a shard): strictly
 * ascending times, one value each. The arrays are owned, never mutated after construction.
 */
record FieldData(FieldType type, long[] times, Column values) {

  FieldData {
    if (times.length != values.size()) {
      throw new IllegalArgumentException(times.length + " times but " + values.size() + " values");
    }
  }

  static FieldData of(Block block) {
    return new FieldData(ColumnBuilder.typeOf(block.values()), block.timestamps(), block.values());
  }

  int size() {
    return times.length;
  }

  boolean isEmpty() {
    return times.length == 0;
  }

  long minTime() {
    return times[0];
  }

  long maxTime() {
    return times[times.length - 1];
  }

  Block toBlock() {
    return new Block(times, values);
  }

  FieldData slice(int from, int to) {
    if (from == 0 && to == times.length) {
      return this;
    }
    return new FieldData(type, Arrays.copyOfRange(times, from, to), ColumnBuilder.slice(values, from, to));
  }

  /** The points with times in {@code [min, max]}. */
  FieldData clip(long min, long max) {
    int from = lowerBound(times, min);
    int to = max == Long.MAX_VALUE ? times.length : lowerBound(times, max + 1);
    return slice(from, Math.max(from, to));
  }

  /** The {@code limit.points()} newest or oldest points; this when there are no more. */
  FieldData keep(ReadRequest.Limit limit) {
    if (size() <= limit.points()) {
      return this;
    }
    return limit.newest() ? slice(size() - limit.points(), size()) : slice(0, limit.points());
  }

  /**
   * Whether this holds {@code limit.points()} points beyond {@code bound} on the limit's side
   * (newer than it for newest, older for oldest): then nothing at or before the bound can enter
   * the limited result, since the points beyond it already fill it.
   */
  boolean fills(ReadRequest.Limit limit, long bound) {
    if (size() < limit.points()) {
      return false;
    }
    int beyond = limit.newest()
        ? size() - (bound == Long.MAX_VALUE ? size() : lowerBound(times, bound + 1))
        : lowerBound(times, bound);
    return beyond >= limit.points();
  }

  /** Index of the first time {@code >= t}. */
  private static int lowerBound(long[] times, long t) {
    int lo = 0;
    int hi = times.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Merges two sources of the same series field; where both have a time, {@code newer}'s value
   * wins (the last write wins). Either may be null. A source of another type than {@code newer}
   * (data written before a measurement was dropped and re-created) is ignored.
   */
  static FieldData merge(FieldData older, FieldData newer) {
    if (older == null || older.isEmpty()) {
      return newer;
    }
    if (newer == null || newer.isEmpty() || newer.type != older.type) {
      return newer == null || newer.isEmpty() ? older : newer;
    }
    if (older.maxTime() < newer.minTime()) {
      return concat(older, newer);
    }
    if (newer.maxTime() < older.minTime()) {
      return concat(newer, older);
    }
    long[] a = older.times;
    long[] b = newer.times;
    long[] out = new long[a.length + b.length];
    ColumnBuilder values = ColumnBuilder.of(older.type, out.length);
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length || j < b.length) {
      if (j == b.length || (i < a.length && a[i] < b[j])) {
        out[n++] = a[i];
        values.addFrom(older.values, i++);
      } else {
        if (i < a.length && a[i] == b[j]) {
          i++;
        }
        out[n++] = b[j];
        values.addFrom(newer.values, j++);
      }
    }
    return new FieldData(older.type, Arrays.copyOf(out, n), values.build());
  }

  private static FieldData concat(FieldData first, FieldData second) {
    long[] times = Arrays.copyOf(first.times, first.size() + second.size());
    System.arraycopy(second.times, 0, times, first.size(), second.size());
    ColumnBuilder values = ColumnBuilder.of(first.type, times.length);
    for (int i = 0; i < first.size(); i++) {
      values.addFrom(first.values, i);
    }
    for (int i = 0; i < second.size(); i++) {
      values.addFrom(second.values, i);
    }
    return new FieldData(first.type, times, values.build());
  }

  /** Joins sources that follow each other in time (the blocks of one file) with one copy. */
  static FieldData concatAll(java.util.List<FieldData> parts) {
    if (parts.isEmpty()) {
      return null;
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    int total = 0;
    for (FieldData part : parts) {
      total += part.size();
    }
    FieldType type = parts.get(0).type;
    long[] times = new long[total];
    ColumnBuilder values = ColumnBuilder.of(type, total);
    int n = 0;
    for (FieldData part : parts) {
      System.arraycopy(part.times, 0, times, n, part.size());
      n += part.size();
      for (int i = 0; i < part.size(); i++) {
        values.addFrom(part.values, i);
      }
    }
    return new FieldData(type, times, values.build());
  }
}
