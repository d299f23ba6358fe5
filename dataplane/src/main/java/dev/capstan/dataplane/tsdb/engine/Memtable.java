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

  /** A series' fields in one memtable. */
  static final class SeriesBuffer {
    private final Memtable owner;
    private final SeriesKey key;
    private final Map<String, FieldBuffer> fields = new HashMap<>();
    /**
     * The field buffers the series' last points used, by the field's position in the point:
     * points of a series name the same fields in the same order, so this finds a field without
     * hashing its name. Every entry is the buffer {@link #fields} holds for its name (cleared
     * when a buffer there is replaced).
     */
    private FieldBuffer[] byPosition = new FieldBuffer[1];
    /** The series instance whose {@link Series#memtableBuffer()} was set to this, for {@link #detachSeries}. */
    private Series cachedBy;

    private SeriesBuffer(Memtable owner, SeriesKey key) {
      this.owner = owner;
      this.key = key;
    }

    private FieldBuffer field(int position, String name, FieldType type) {
      FieldBuffer fb = position < byPosition.length ? byPosition[position] : null;
      if (fb != null && fb.type == type && (fb.name == name || fb.name.equals(name))) {
        return fb;
      }
      fb = fields.get(name);
      if (fb == null || fb.type != type) {
        if (fb != null) {
          Arrays.fill(byPosition, null); // it may be cached at another position
        }
        // A different type only follows a dropped measurement; the new data replaces the old.
        fb = new FieldBuffer(name, type);
        fields.put(name, fb);
      }
      if (position >= byPosition.length) {
        byPosition = Arrays.copyOf(byPosition, position + 1);
      }
      byPosition[position] = fb;
      return fb;
    }
  }

  void add(SeriesPoint point) {
    // The series' own pointer to its buffer here first; the map (get, then put: computeIfAbsent's
    // capturing lambda was an allocation per point) only when this memtable is new to it.
    Series owner = point.series();
    SeriesBuffer buffer = owner.memtableBuffer();
    if (buffer == null || buffer.owner != this) {
      buffer = series.get(point.keyText());
      if (buffer == null) {
        buffer = new SeriesBuffer(this, point.key());
        series.put(point.keyText(), buffer);
      }
      owner.memtableBuffer(buffer);
      buffer.cachedBy = owner;
    }
    long time = point.point().timestampNanos();
    FieldMap fields = point.point().fieldMap();
    for (int f = 0; f < fields.size(); f++) {
      FieldValue value = fields.value(f);
      FieldBuffer fb = buffer.field(f, fields.name(f), FieldType.of(value));
      fb.add(time, value);
      values++;
      bytes += 8 + fb.values.bytesOf(value);
    }
    bytes += 64; // per-point bookkeeping, so tiny points still count
  }

  /**
   * Called once this memtable takes no more writes: its series stop pointing at it, so it can be
   * collected once flushed even if some series are never written again.
   */
  void detachSeries() {
    for (SeriesBuffer buffer : series.values()) {
      Series s = buffer.cachedBy;
      if (s != null && s.memtableBuffer() == buffer) {
        s.memtableBuffer(null);
      }
      buffer.cachedBy = null;
    }
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
    final String name;
    final FieldType type;
    final ColumnBuilder values;
    long[] times = new long[8];
    int size;
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    /** Whether times arrived strictly ascending, the common case that needs no sort. */
    boolean ascending = true;

    FieldBuffer(String name, FieldType type) {
      this.name = name;
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
