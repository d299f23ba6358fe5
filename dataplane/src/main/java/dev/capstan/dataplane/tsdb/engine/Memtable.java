package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldMap;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A shard's points not yet in a file, appended in arrival order per series and field. Sorting and
 * resolving duplicates is deferred to reads and flushes, so a write costs an array append. Not
 * thread-safe: the shard's lock guards it.
 */
final class Memtable {
  private final Map<String, SeriesBuffer> series = new HashMap<>();
  private long values;
  private long bytes;

  private record SeriesBuffer(SeriesKey key, Map<String, FieldBuffer> fields) {}

  void add(SeriesPoint point) {
    // get, then put: computeIfAbsent's capturing lambda was an allocation per point.
    SeriesBuffer buffer = series.get(point.keyText());
    if (buffer == null) {
      buffer = new SeriesBuffer(point.key(), new HashMap<>());
      series.put(point.keyText(), buffer);
    }
    long time = point.point().timestampNanos();
    FieldMap fields = point.point().fieldMap();
    for (int f = 0; f < fields.size(); f++) {
      String name = fields.name(f);
      FieldValue value = fields.value(f);
      FieldType type = FieldType.of(value);
      FieldBuffer fb = buffer.fields.get(name);
      if (fb == null || fb.type != type) {
        // A different type only follows a dropped measurement; the new data replaces the old.
        fb = new FieldBuffer(type);
        buffer.fields.put(name, fb);
      }
      fb.add(time, value);
      values++;
      bytes += 8 + fb.values.bytesOf(value);
    }
    bytes += 64; // per-point bookkeeping, so tiny points still count
  }

  /** Field values held (a point with three fields counts three). */
  long values() {
    return values;
  }

  long approximateBytes() {
    return bytes;
  }

  boolean isEmpty() {
    return values == 0;
  }

  /** The points of one series field in {@code [min, max]}, sorted, the last write winning; null if none. */
  FieldData read(String seriesText, String field, long min, long max) {
    SeriesBuffer buffer = series.get(seriesText);
    FieldBuffer fb = buffer == null ? null : buffer.fields.get(field);
    if (fb == null || fb.size == 0 || fb.maxTime < min || fb.minTime > max) {
      return null;
    }
    return fb.sorted().clip(min, max);
  }

  /**
   * Everything, in series key order, for a flush; each series is sorted only when the writer
   * reaches it, so a flush does not hold a second sorted copy of the whole memtable.
   */
  Iterable<ShardFile.SeriesData> sortedSeries() {
    List<String> keys = new ArrayList<>(series.keySet());
    keys.sort(null);
    return () -> keys.stream().map(text -> {
      SeriesBuffer buffer = series.get(text);
      SortedMap<String, FieldData> fields = new TreeMap<>();
      buffer.fields.forEach((name, fb) -> fields.put(name, fb.sorted()));
      return new ShardFile.SeriesData(buffer.key, fields);
    }).iterator();
  }

  /** Each series' fields and their types, for rebuilding the series index. */
  void describe(SeriesCatalogSink sink) {
    series.forEach((text, buffer) -> buffer.fields.forEach((name, fb) -> sink.accept(text, buffer.key, name, fb.type)));
  }

  /** Receives one (series, field, type) of a shard. */
  @FunctionalInterface
  interface SeriesCatalogSink {
    void accept(String keyText, SeriesKey key, String field, FieldType type);
  }

  private static final class FieldBuffer {
    final FieldType type;
    final ColumnBuilder values;
    long[] times = new long[8];
    int size;
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    /** Whether times arrived strictly ascending, the common case that needs no sort. */
    boolean ascending = true;

    FieldBuffer(FieldType type) {
      this.type = type;
      this.values = ColumnBuilder.of(type, 8);
    }

    void add(long time, FieldValue value) {
      if (size == times.length) {
        times = Arrays.copyOf(times, size * 2);
      }
      if (size > 0 && time <= times[size - 1]) {
        ascending = false;
      }
      times[size++] = time;
      values.add(value);
      minTime = Math.min(minTime, time);
      maxTime = Math.max(maxTime, time);
    }

    FieldData sorted() {
      int[] order = new int[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      int n = size;
      if (!ascending) {
        // Stable, so among equal times the last appended comes last and is the one kept.
        StableSort.byTime(order, times);
        int kept = 0;
        for (int i = 0; i < size; i++) {
          if (i + 1 < size && times[order[i + 1]] == times[order[i]]) {
            continue;
          }
          order[kept++] = order[i];
        }
        n = kept;
      }
      long[] outTimes = new long[n];
      for (int i = 0; i < n; i++) {
        outTimes[i] = times[order[i]];
      }
      return new FieldData(type, outTimes, values.gather(order, n));
    }
  }
}
