package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.SeriesKeyCache;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A database's series index: measurement → series (by key text, so iteration is key order),
 * measurement → tag key → tag value → series, and measurement → field → type. It is derived
 * from the data (shard files and memtables carry every series and field type), so it needs no
 * file of its own: it is rebuilt on open and after anything removes data. All methods are
 * synchronized; queries return copies.
 */
final class SeriesIndex {
  private final TreeMap<String, TreeMap<String, SeriesKey>> series = new TreeMap<>();
  private final Map<String, TreeMap<String, TreeMap<String, TreeSet<String>>>> tags = new HashMap<>();
  private final Map<String, TreeMap<String, FieldType>> fieldTypes = new HashMap<>();
  /**
   * Series already indexed, by how points state them (measurement, tags sorted by key as the
   * parser gives them), with their key and key text built once. A write finds its series here
   * without the lock, building a key (a TreeMap and an escaped text) or searching the index's
   * sorted maps: with many series per batch that was most of a write's cost. Entries are only
   * added; anything that removes series builds a new index, and with it a new cache.
   */
  private final ConcurrentHashMap<SeriesIdentity, SeriesPoint> indexed = new ConcurrentHashMap<>();

  /**
   * A point's series as the point states it, a cheap hash key: the hash is computed once (a
   * record's would walk the tags on every lookup), and the parser's shared tag lists usually
   * make equality an identity check.
   */
  static final class SeriesIdentity {
    private final String measurement;
    private final List<Tag> tags;
    private final int hash;

    SeriesIdentity(String measurement, List<Tag> tags) {
      this.measurement = measurement;
      this.tags = tags;
      this.hash = 31 * measurement.hashCode() + tags.hashCode();
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SeriesIdentity other && hash == other.hash && measurement.equals(other.measurement)
          && (tags == other.tags || tags.equals(other.tags));
    }
  }

  /** Indexed series by the tag list instance points name them with; see {@link SeriesByTagList}. */
  private final SeriesByTagList byTagList = new SeriesByTagList(2 * SeriesKeyCache.DEFAULT_MAX_ENTRIES);

  /** The indexed series a point names with this measurement and this very tag list instance, or null (then try {@link #indexed}). */
  Series indexedByTagList(String measurement, List<Tag> tags) {
    return byTagList.get(measurement, tags);
  }

  /**
   * Lets {@link #indexedByTagList} find these series, already indexed, by these tag lists
   * ({@code tags.get(i)} names {@code series.get(i)}).
   */
  void rememberTagLists(List<List<Tag>> tags, List<Series> series) {
    byTagList.addAll(tags, series);
  }

  /** The series as first indexed (its {@link SeriesPoint#point()} is that write's point), or null if not indexed yet. */
  SeriesPoint indexed(SeriesIdentity identity) {
    return indexed.get(identity);
  }

  /** {@link #addSeries(SeriesKey, String)} for a written series {@link #indexed} did not know, remembered for it. */
  void addSeries(SeriesIdentity identity, SeriesPoint series) {
    addSeries(series.key(), series.keyText());
    indexed.putIfAbsent(identity, series); // only once the index holds it
  }

  /**
   * Checks a point's field types against the measurement's and, if none conflicts, fixes the
   * types of its new fields. Atomic, so of two concurrent writes with different types for a new
   * field exactly one wins.
   *
   * @return influxd's conflict message for the first conflicting field, or null if the point is accepted
   */
  synchronized String acceptFields(Point point) {
    TreeMap<String, FieldType> known = fieldTypes.get(point.measurement());
    if (known != null) {
      for (Map.Entry<String, FieldValue> field : point.fields().entrySet()) {
        FieldType existing = known.get(field.getKey());
        FieldType input = FieldType.of(field.getValue());
        if (existing != null && existing != input) {
          return "field type conflict: input field \"" + field.getKey() + "\" on measurement \"" + point.measurement()
              + "\" is type " + input.influxName() + ", already exists as type " + existing.influxName();
        }
      }
    }
    TreeMap<String, FieldType> types = fieldTypes.computeIfAbsent(point.measurement(), m -> new TreeMap<>());
    point.fields().forEach((name, value) -> types.putIfAbsent(name, FieldType.of(value)));
    return null;
  }

  synchronized void addSeries(SeriesKey key, String keyText) {
    TreeMap<String, SeriesKey> ofMeasurement = series.computeIfAbsent(key.measurement(), m -> new TreeMap<>());
    if (ofMeasurement.putIfAbsent(keyText, key) == null) {
      TreeMap<String, TreeMap<String, TreeSet<String>>> byTag = tags.computeIfAbsent(key.measurement(), m -> new TreeMap<>());
      // A loop, not tags().forEach with a lambda: TreeMap.forEach is shared by every caller, so
      // its call to the lambda is megamorphic and the JIT compiled it anew for this caller.
      for (Map.Entry<String, String> tag : key.tags().entrySet()) {
        byTag.computeIfAbsent(tag.getKey(), x -> new TreeMap<>()).computeIfAbsent(tag.getValue(), x -> new TreeSet<>()).add(keyText);
      }
    }
  }

  synchronized void addField(String measurement, String field, FieldType type) {
    fieldTypes.computeIfAbsent(measurement, m -> new TreeMap<>()).putIfAbsent(field, type);
  }

  synchronized SortedSet<String> measurements() {
    return new TreeSet<>(series.keySet());
  }

  /** Series of one measurement or (null) all, sorted by key text. */
  synchronized List<SeriesKey> series(String measurement) {
    if (measurement != null) {
      TreeMap<String, SeriesKey> ofMeasurement = series.get(measurement);
      return ofMeasurement == null ? List.of() : List.copyOf(ofMeasurement.values());
    }
    TreeMap<String, SeriesKey> all = new TreeMap<>();
    series.values().forEach(all::putAll);
    return List.copyOf(all.values());
  }

  /** How many series the index holds, without listing them. */
  synchronized long count() {
    long n = 0;
    for (TreeMap<String, SeriesKey> ofMeasurement : series.values()) {
      n += ofMeasurement.size();
    }
    return n;
  }

  /** The series a filter selects, by key text, in key order. */
  synchronized SortedMap<String, SeriesKey> matching(SeriesFilter filter) {
    TreeMap<String, SeriesKey> out = new TreeMap<>();
    Iterable<TreeMap<String, SeriesKey>> candidates = filter.measurement() == null
        ? series.values()
        : series.containsKey(filter.measurement()) ? List.of(series.get(filter.measurement())) : List.of();
    for (TreeMap<String, SeriesKey> ofMeasurement : candidates) {
      ofMeasurement.forEach((text, key) -> {
        if (filter.matches(key)) {
          out.put(text, key);
        }
      });
    }
    return out;
  }

  synchronized SortedMap<String, FieldType> fieldKeys(String measurement) {
    TreeMap<String, FieldType> types = fieldTypes.get(measurement);
    return types == null || !series.containsKey(measurement) ? new TreeMap<>() : new TreeMap<>(types);
  }

  /** Tag values of a measurement's tag key with the series that carry each, sorted. */
  synchronized SortedMap<String, SortedSet<String>> tagValues(String measurement, String tagKey) {
    TreeMap<String, SortedSet<String>> out = new TreeMap<>();
    Map<String, TreeMap<String, TreeSet<String>>> byTag = tags.get(measurement);
    if (byTag != null && byTag.containsKey(tagKey)) {
      byTag.get(tagKey).forEach((v, s) -> out.put(v, new TreeSet<>(s)));
    }
    return out;
  }

  /** A fresh index of what the shards hold. */
  static SeriesIndex rebuild(List<Shard> shards) {
    SeriesIndex index = new SeriesIndex();
    for (Shard shard : shards) {
      shard.describe((text, key, field, type) -> {
        index.addSeries(key, text);
        index.addField(key.measurement(), field, type);
      });
    }
    return index;
  }

  @Override
  public synchronized String toString() {
    return "SeriesIndex[" + series.size() + " measurements, " + new ArrayList<>(series.keySet()) + "]";
  }
}
