package dev.capstan.dataplane.tsdb.http;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.SeriesVisitor;
import dev.capstan.dataplane.tsdb.store.StoreException;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import dev.capstan.dataplane.tsdb.store.WriteOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A test double of the store for the HTTP layer: it keeps points in lists and refuses what
 * influxd refuses on write (field type conflicts, points beyond retention) with influxd's words.
 * Reads beyond {@link #points} are not needed by the HTTP tests.
 */
final class InMemoryStore implements TsdbStore {

  private final Clock clock;
  private final Map<String, Db> databases = new LinkedHashMap<>();

  private static final class Db {
    final Map<String, RetentionPolicy> policies = new LinkedHashMap<>();
    final Map<String, List<Point>> points = new LinkedHashMap<>();
    final Map<String, Map<String, FieldType>> fieldTypes = new TreeMap<>();
  }

  InMemoryStore(Clock clock) {
    this.clock = clock;
  }

  /** The points stored in a policy of a database, in write order. */
  synchronized List<Point> points(String database, String policy) {
    return List.copyOf(db(database).points.getOrDefault(policy, List.of()));
  }

  synchronized List<Point> points(String database) {
    return points(database, defaultPolicy(db(database)).name());
  }

  private Db db(String name) {
    Db db = databases.get(name);
    if (db == null) {
      throw StoreException.databaseNotFound(name);
    }
    return db;
  }

  private static RetentionPolicy defaultPolicy(Db db) {
    return db.policies.values().stream().filter(RetentionPolicy::isDefault).findFirst()
        .orElseThrow(() -> new StoreException("no default retention policy"));
  }

  @Override
  public synchronized List<String> databases() {
    return List.copyOf(databases.keySet());
  }

  @Override
  public synchronized void createDatabase(String name) {
    databases.computeIfAbsent(name, n -> {
      Db db = new Db();
      db.policies.put(RetentionPolicy.AUTOGEN,
          new RetentionPolicy(RetentionPolicy.AUTOGEN, Duration.ZERO, Duration.ofDays(7), 1, true));
      return db;
    });
  }

  @Override
  public synchronized void dropDatabase(String name) {
    databases.remove(name);
  }

  @Override
  public synchronized List<RetentionPolicy> retentionPolicies(String database) {
    return List.copyOf(db(database).policies.values());
  }

  @Override
  public synchronized void createRetentionPolicy(String database, RetentionPolicy policy) {
    Db db = db(database);
    if (policy.isDefault()) {
      db.policies.replaceAll((k, v) -> v.withDefault(false));
    }
    db.policies.put(policy.name(), policy);
  }

  @Override
  public synchronized void alterRetentionPolicy(String database, RetentionPolicy policy) {
    createRetentionPolicy(database, policy);
  }

  @Override
  public synchronized void dropRetentionPolicy(String database, String name) {
    db(database).policies.remove(name);
    db(database).points.remove(name);
  }

  @Override
  public synchronized WriteOutcome write(String database, String retentionPolicy, List<Point> points) {
    Db db = db(database);
    RetentionPolicy rp = retentionPolicy == null ? defaultPolicy(db) : db.policies.get(retentionPolicy);
    if (rp == null) {
      throw StoreException.retentionPolicyNotFound(retentionPolicy);
    }
    long now = clock.millis() * 1_000_000L;
    int written = 0;
    int dropped = 0;
    Optional<String> error = Optional.empty();
    List<Point> target = db.points.computeIfAbsent(rp.name(), k -> new ArrayList<>());
    for (Point p : points) {
      Optional<String> refusal = refusal(db, rp, p, now);
      if (refusal.isPresent()) {
        dropped++;
        error = error.or(() -> refusal);
        continue;
      }
      p.fields().forEach((k, v) ->
          db.fieldTypes.computeIfAbsent(p.measurement(), m -> new TreeMap<>()).putIfAbsent(k, FieldType.of(v)));
      target.add(p);
      written++;
    }
    return new WriteOutcome(written, dropped, error);
  }

  private static Optional<String> refusal(Db db, RetentionPolicy rp, Point p, long nowNanos) {
    if (!rp.infinite() && p.timestampNanos() < nowNanos - rp.duration().toNanos()) {
      return Optional.of("points beyond retention policy");
    }
    Map<String, FieldType> types = db.fieldTypes.getOrDefault(p.measurement(), Map.of());
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
    return new TreeSet<>(db(database).fieldTypes.keySet());
  }

  @Override
  public synchronized List<SeriesKey> series(String database, String measurement) {
    throw new UnsupportedOperationException("not needed by the HTTP tests");
  }

  @Override
  public synchronized SortedMap<String, FieldType> fieldKeys(String database, String measurement) {
    return new TreeMap<>(db(database).fieldTypes.getOrDefault(measurement, Map.of()));
  }

  @Override
  public void read(ReadRequest request, SeriesVisitor visitor) {
    throw new UnsupportedOperationException("not needed by the HTTP tests");
  }

  @Override
  public void delete(String database, SeriesFilter filter, long minTime, long maxTime) {
    throw new UnsupportedOperationException("not needed by the HTTP tests");
  }

  @Override
  public void dropMeasurement(String database, String measurement) {
    throw new UnsupportedOperationException("not needed by the HTTP tests");
  }
}
