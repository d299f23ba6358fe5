package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldMap;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.FieldType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One write's points sorted out before anything is written: the shard each goes to, each with
 * its series, points beyond retention and with conflicting field types dropped, and the series
 * new to the index collected once each.
 *
 * <p>A class of its own rather than the loop inside {@link TsdbEngine#write}, for the JIT: its
 * {@link #route} is too large for C2 to inline, so it is compiled on its own, apart from the
 * shard writes (WAL encoding, memtable) that the engine's write inlines. When a rarely taken
 * branch on either side is taken for the first time (the first new series in a fresh database,
 * the first integer field, a race between two connections), C2's speculation fails and the
 * method is compiled again; as one method of everything, that was 0.5-0.9 s of compiler CPU
 * each time, several times per database the benchmark wrote, and most of it inside measured
 * rounds. Two smaller units each cost a part of that, and a failed guess in one spares the other.
 */
final class BatchRouter {

  /** The shard of the write's policy that holds a time, created if need be. */
  @FunctionalInterface
  interface ShardLocator {
    Shard shardFor(long timeNanos) throws IOException;
  }

  private final SeriesIndex index;
  private final ShardLocator shards;
  private final long oldestNanos;

  private final Map<Shard, List<SeriesPoint>> byShard = new IdentityHashMap<>();
  // A batch usually repeats few series many times; build each new series' key and index it once.
  private final Map<SeriesIndex.SeriesIdentity, SeriesPoint> newSeries = new HashMap<>();
  private final Map<List<Tag>, SeriesPoint> sameTags = new IdentityHashMap<>();
  // Indexed series this batch found by value, for the index to find by their tag lists next time.
  private final List<List<Tag>> learnedTags = new ArrayList<>();
  private final List<Series> learnedSeries = new ArrayList<>();
  private final Map<String, Map<String, FieldType>> checkedTypes = new HashMap<>();
  private int dropped;
  private String conflict;
  private boolean beyondRetention;

  BatchRouter(SeriesIndex index, ShardLocator shards, long oldestNanos) {
    this.index = index;
    this.shards = shards;
    this.oldestNanos = oldestNanos;
  }

  /** Sorts out the points; call once. */
  void route(List<Point> points) throws IOException {
    Shard last = null;
    List<SeriesPoint> lastPoints = null;
    for (Point point : points) {
      long time = point.timestampNanos();
      if (time < oldestNanos) {
        dropped++;
        beyondRetention = true;
        continue;
      }
      // Types do not change during this write (drops need the engine's exclusive lock), so a
      // point whose fields this batch already checked skips the index's lock.
      if (!typesChecked(point) && !acceptFields(point)) {
        continue;
      }
      if (last == null || time < last.start() || time >= last.end()) {
        last = shards.shardFor(time);
        // Points of a batch nearly always fall in one shard: its list is kept at hand rather
        // than looked up in the map for every point.
        lastPoints = byShard.computeIfAbsent(last, s -> new ArrayList<>());
      }
      // The parser's key cache hands out one tag list per series, the same in every batch, so
      // the list's identity finds most points' series with no hashing of their tags.
      Series known = index.indexedByTagList(point.measurement(), point.tags());
      lastPoints.add(known != null ? new SeriesPoint(known, point) : notByTagList(point));
    }
  }

  /** The series of a point the index did not find by its tag list instance. */
  private SeriesPoint notByTagList(Point point) {
    // Within a batch the parser also hands out one tag list per series, so identity finds
    // most repeats without hashing the tags.
    SeriesPoint first = sameTags.get(point.tags());
    if (first != null && first.point().measurement() == point.measurement()) {
      return first.with(point);
    }
    // The index first: with many series per batch nearly every point is a series this batch has
    // not seen yet but the index has; a per-batch map of all of them was a map insertion per
    // point. Only series new to the index are collected, once each.
    SeriesIndex.SeriesIdentity id = new SeriesIndex.SeriesIdentity(point.measurement(), point.tags());
    first = index.indexed(id);
    if (first != null) {
      learnedTags.add(point.tags());
      learnedSeries.add(first.series());
    } else {
      first = newSeries.get(id);
      if (first == null) {
        first = SeriesPoint.of(point);
        newSeries.put(id, first);
      }
    }
    // Remembered with this point, whose measurement is this batch's instance (an indexed
    // series' point is from an earlier batch), so the identity check above holds next time.
    first = first.with(point);
    sameTags.put(point.tags(), first);
    return first;
  }

  private boolean typesChecked(Point point) {
    Map<String, FieldType> ofMeasurement = checkedTypes.get(point.measurement());
    if (ofMeasurement == null) {
      return false;
    }
    FieldMap fields = point.fieldMap();
    for (int f = 0; f < fields.size(); f++) {
      if (ofMeasurement.get(fields.name(f)) != FieldType.of(fields.value(f))) {
        return false;
      }
    }
    return true;
  }

  /** Checks a point's field types with the index; false (and the point counted as dropped) on a conflict. */
  private boolean acceptFields(Point point) {
    String refused = index.acceptFields(point);
    if (refused != null) {
      dropped++;
      conflict = conflict == null ? refused : conflict;
      return false;
    }
    Map<String, FieldType> ofMeasurement = checkedTypes.computeIfAbsent(point.measurement(), m -> new HashMap<>());
    FieldMap fields = point.fieldMap();
    for (int f = 0; f < fields.size(); f++) {
      ofMeasurement.put(fields.name(f), FieldType.of(fields.value(f)));
    }
    return true;
  }

  /** The points to write, by shard. */
  Map<Shard, List<SeriesPoint>> byShard() {
    return byShard;
  }

  /** Once the points are written: indexes the new series and lets the index find all of this batch's by tag list next time. */
  void indexSeries() {
    for (Map.Entry<SeriesIndex.SeriesIdentity, SeriesPoint> series : newSeries.entrySet()) {
      index.addSeries(series.getKey(), series.getValue());
      learnedTags.add(series.getValue().point().tags());
      learnedSeries.add(series.getValue().series());
    }
    index.rememberTagLists(learnedTags, learnedSeries);
  }

  int dropped() {
    return dropped;
  }

  /** The first field type conflict's message, or null. */
  String conflict() {
    return conflict;
  }

  boolean beyondRetention() {
    return beyondRetention;
  }
}
