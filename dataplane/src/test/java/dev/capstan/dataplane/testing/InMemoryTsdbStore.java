package dev.capstan.dataplane.testing;

import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.SeriesVisitor;
import dev.capstan.dataplane.tsdb.store.ShardGroupSpan;
import dev.capstan.dataplane.tsdb.store.StoreException;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import dev.capstan.dataplane.tsdb.store.WriteOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An obviously correct TsdbStore on TreeMaps, for tests; not fast, not durable. It refuses what
 * influxd refuses on write (field type conflicts, points beyond retention) in influxd's words,
 * and remembers the points it accepted in write order for tests of the write path.
 */
public final class InMemoryTsdbStore implements TsdbStore {
  private static final class Db {
    final LinkedHashMap<String, RetentionPolicy> policies = new LinkedHashMap<>();
    final TreeMap<String, TreeMap<String, FieldType>> fieldTypes = new TreeMap<>();
    /** policy -> series -> field -> time -> value. */
    final Map<String, TreeMap<SeriesKey, TreeMap<String, TreeMap<Long, FieldValue>>>> data = new LinkedHashMap<>();
    /** policy -> the points written, in write order. */
    final Map<String, List<Point>> written = new LinkedHashMap<>();
  }

  private final LinkedHashMap<String, Db> dbs = new LinkedHashMap<>();
  private final Clock clock;
  /** False: every read returns all points in range, a model for checking limited reads. */
  private final boolean honourReadLimits;

  /** A store on the system clock that honours read limits. */
  public InMemoryTsdbStore() {
    this(Clock.systemUTC(), true);
  }

  /**
   * @param clock now, for refusing points beyond a policy's retention
   * @param honourReadLimits false: every read returns all points in range, ignoring {@link
   *     ReadRequest#limit()}, as a model for checking stores that honour it
   */
  public InMemoryTsdbStore(Clock clock, boolean honourReadLimits) {
    this.clock = clock;
    this.honourReadLimits = honourReadLimits;
  }

  /** The points written to a policy of a database, in write order. */
  public synchronized List<Point> points(String database, String policy) {
    return List.copyOf(db(database).written.getOrDefault(policy, List.of()));
  }

  /** The points written to the default policy of a database, in write order. */
  public synchronized List<Point> points(String database) {
    Db db = db(database);
    return points(database, policyName(db, null));
  }

  private Db db(String name) {
    Db db = dbs.get(name);
    if (db == null) {
      throw StoreException.databaseNotFound(name);
    }
    return db;
  }

  @Override
  public synchronized List<String> databases() {
    return List.copyOf(dbs.keySet());
  }

  @Override
  public synchronized void createDatabase(String name) {
    if (!dbs.containsKey(name)) {
      Db db = new Db();
      db.policies.put(RetentionPolicy.AUTOGEN, new RetentionPolicy(RetentionPolicy.AUTOGEN,
          Duration.ZERO, Duration.ofDays(7), 1, true));
      dbs.put(name, db);
    }
  }

  @Override
  public synchronized void dropDatabase(String name) {
    dbs.remove(name);
  }

  @Override
  public synchronized List<RetentionPolicy> retentionPolicies(String database) {
    return List.copyOf(db(database).policies.values());
  }

  @Override
  public synchronized void createRetentionPolicy(String database, RetentionPolicy policy) {
    Db db = db(database);
    RetentionPolicy old = db.policies.get(policy.name());
    if (old != null) {
      if (old.equals(policy)) {
        return;
      }
      throw new StoreException("retention policy already exists");
    }
    if (policy.isDefault()) {
      db.policies.replaceAll((k, v) -> v.withDefault(false));
    }
    db.policies.put(policy.name(), policy);
  }

  @Override
  public synchronized void alterRetentionPolicy(String database, RetentionPolicy policy) {
    Db db = db(database);
    if (!db.policies.containsKey(policy.name())) {
      throw StoreException.retentionPolicyNotFound(policy.name());
    }
    if (policy.isDefault()) {
      db.policies.replaceAll((k, v) -> v.withDefault(false));
    }
    db.policies.put(policy.name(), policy);
  }

  @Override
  public synchronized void dropRetentionPolicy(String database, String name) {
    Db db = db(database);
    db.policies.remove(name);
    db.data.remove(name);
    db.written.remove(name);
  }

  private String policyName(Db db, String rp) {
    if (rp != null) {
      if (!db.policies.containsKey(rp)) {
        throw StoreException.retentionPolicyNotFound(rp);
      }
      return rp;
    }
    return db.policies.values().stream().filter(RetentionPolicy::isDefault).map(RetentionPolicy::name)
        .findFirst().orElseThrow(() -> new StoreException("default retention policy not set"));
  }

  @Override
  public synchronized WriteOutcome write(String database, String retentionPolicy, List<Point> points) {
    Db db = db(database);
    String rp = policyName(db, retentionPolicy);
    RetentionPolicy policy = db.policies.get(rp);
    long now = clock.millis() * 1_000_000L;
    int written = 0;
    int dropped = 0;
    Optional<String> error = Optional.empty();
    for (Point p : points) {
      TreeMap<String, FieldType> types = db.fieldTypes.computeIfAbsent(p.measurement(), k -> new TreeMap<>());
      Optional<String> refusal = refusal(policy, types, p, now);
      if (refusal.isPresent()) {
        dropped++;
        error = error.or(() -> refusal);
        continue;
      }
      Map<String, String> tags = new TreeMap<>();
      for (Tag t : p.tags()) {
        tags.put(t.key(), t.value());
      }
      SeriesKey key = SeriesKey.of(p.measurement(), tags);
      var series = db.data.computeIfAbsent(rp, k -> new TreeMap<>()).computeIfAbsent(key, k -> new TreeMap<>());
      for (Map.Entry<String, FieldValue> f : p.fields().entrySet()) {
        types.putIfAbsent(f.getKey(), FieldType.of(f.getValue()));
        series.computeIfAbsent(f.getKey(), k -> new TreeMap<>()).put(p.timestampNanos(), f.getValue());
      }
      db.written.computeIfAbsent(rp, k -> new ArrayList<>()).add(p);
      written++;
    }
    return new WriteOutcome(written, dropped, error);
  }

  /** Why influxd would drop the point, in its words; empty if it would not. */
  private static Optional<String> refusal(RetentionPolicy policy, Map<String, FieldType> types, Point p, long nowNanos) {
    if (!policy.infinite() && p.timestampNanos() < nowNanos - policy.duration().toNanos()) {
      return Optional.of("points beyond retention policy");
    }
    for (Map.Entry<String, FieldValue> f : p.fields().entrySet()) {
      FieldType existing = types.get(f.getKey());
      FieldType given = FieldType.of(f.getValue());
      if (existing != null && existing != given) {
        return Optional.of("field type conflict: input field \"" + f.getKey() + "\" on measurement \""
            + p.measurement() + "\" is type " + given.influxName() + ", already exists as type "
            + existing.influxName());
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized SortedSet<String> measurements(String database) {
    TreeSet<String> out = new TreeSet<>();
    for (SeriesKey k : series(database, null)) {
      out.add(k.measurement());
    }
    return out;
  }

  @Override
  public synchronized List<SeriesKey> series(String database, String measurement) {
    TreeSet<SeriesKey> out = new TreeSet<>();
    for (var rp : db(database).data.values()) {
      for (SeriesKey k : rp.keySet()) {
        if (measurement == null || measurement.equals(k.measurement())) {
          out.add(k);
        }
      }
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized SortedMap<String, FieldType> fieldKeys(String database, String measurement) {
    return new TreeMap<>(db(database).fieldTypes.getOrDefault(measurement, new TreeMap<>()));
  }

  @Override
  public synchronized void read(ReadRequest request, SeriesVisitor visitor) {
    Db db = db(request.database());
    String rp = policyName(db, request.retentionPolicy());
    var data = db.data.getOrDefault(rp, new TreeMap<>());
    for (var series : data.entrySet()) {
      if (!request.filter().matches(series.getKey())) {
        continue;
      }
      Map<String, Block> blocks = new LinkedHashMap<>();
      for (String field : request.fields()) {
        TreeMap<Long, FieldValue> points = series.getValue().get(field);
        if (points == null) {
          continue;
        }
        NavigableMap<Long, FieldValue> range = (honourReadLimits ? request.limit() : ReadRequest.Limit.NONE)
            .applyTo(points.subMap(request.minTime(), true, request.maxTime(), true));
        if (!range.isEmpty()) {
          blocks.put(field, block(range));
        }
      }
      if (!blocks.isEmpty()) {
        visitor.visit(series.getKey(), blocks);
      }
    }
  }

  private static Block block(SortedMap<Long, FieldValue> points) {
    long[] ts = points.keySet().stream().mapToLong(Long::longValue).toArray();
    FieldValue first = points.values().iterator().next();
    Column col;
    if (first instanceof FieldValue.FloatField) {
      col = new Column.FloatColumn(points.values().stream()
          .mapToDouble(v -> ((FieldValue.FloatField) v).value()).toArray());
    } else if (first instanceof FieldValue.IntegerField) {
      col = new Column.IntegerColumn(points.values().stream()
          .mapToLong(v -> ((FieldValue.IntegerField) v).value()).toArray());
    } else if (first instanceof FieldValue.StringField) {
      col = new Column.StringColumn(points.values().stream()
          .map(v -> ((FieldValue.StringField) v).value()).toList());
    } else {
      boolean[] b = new boolean[points.size()];
      int i = 0;
      for (FieldValue v : points.values()) {
        b[i++] = ((FieldValue.BooleanField) v).value();
      }
      col = new Column.BooleanColumn(b);
    }
    return new Block(ts, col);
  }

  @Override
  public synchronized void delete(String database, SeriesFilter filter, long minTime, long maxTime) {
    for (var rp : db(database).data.values()) {
      var it = rp.entrySet().iterator();
      while (it.hasNext()) {
        var series = it.next();
        if (!filter.matches(series.getKey())) {
          continue;
        }
        series.getValue().values().forEach(points -> points.subMap(minTime, true, maxTime, true).clear());
        series.getValue().values().removeIf(TreeMap::isEmpty);
        if (series.getValue().isEmpty()) {
          it.remove();
        }
      }
    }
  }

  @Override
  public List<ShardGroupSpan> shardGroups() {
    throw new UnsupportedOperationException("the in-memory store keeps no shard groups; test SHOW SHARDS with TsdbEngine");
  }

  @Override
  public synchronized void dropMeasurement(String database, String measurement) {
    Db db = db(database);
    for (var rp : db.data.values()) {
      rp.keySet().removeIf(k -> k.measurement().equals(measurement));
    }
    db.fieldTypes.remove(measurement);
  }
}
