package dev.capstan.dataplane.tsdb.store;

import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Databases of time series, as InfluxDB 1.x organises them: a database holds retention
 * policies; the series index (measurements, tag sets, field types) is per database, the data
 * per retention policy.
 *
 * <p>Every method that names a database or policy that does not exist throws {@link
 * StoreException} with influxd's message ({@code database not found: db}, {@code retention
 * policy not found: rp}).
 */
public interface TsdbStore {

  /** Database names, in creation order (as {@code SHOW DATABASES} lists them). */
  List<String> databases();

  /** Creates the database with an {@code autogen} policy (infinite, 7d shards); idempotent. */
  void createDatabase(String name);

  /** Drops the database and all its data; a missing database is not an error, as in influxd. */
  void dropDatabase(String name);

  /** The policies of a database, in creation order. */
  List<RetentionPolicy> retentionPolicies(String database);

  /**
   * Creates a policy; with {@code policy.isDefault()} it becomes the default. Creating an
   * identical policy again is a no-op; a different one with the same name fails with {@code
   * retention policy already exists}.
   */
  void createRetentionPolicy(String database, RetentionPolicy policy);

  /** Replaces a policy's settings (ALTER RETENTION POLICY); the name stays. */
  void alterRetentionPolicy(String database, RetentionPolicy policy);

  /** Drops a policy and its data; a missing policy is not an error, as in influxd. */
  void dropRetentionPolicy(String database, String name);

  /**
   * Writes points into a policy ({@code null}: the database's default). Returns only after the
   * points are durable as the WAL's fsync policy says and visible to {@link #read}.
   *
   * <p>Points the store refuses (a field whose type conflicts with the field's type in its
   * shard, a time outside the policy's retention) are dropped one by one; the others are
   * written. The outcome says how many were dropped and why, in influxd's words.
   */
  WriteOutcome write(String database, String retentionPolicy, List<Point> points);

  /** Measurements of a database, sorted. */
  SortedSet<String> measurements(String database);

  /** Series of a database, of one measurement or ({@code null}) of all, sorted by key. */
  List<SeriesKey> series(String database, String measurement);

  /**
   * How many series a database has: the size of {@code series(database, null)}, which a store
   * that can count without listing them (for /debug/vars, SHOW STATS, estimated cardinality)
   * answers more cheaply.
   */
  default long seriesCount(String database) {
    return series(database, null).size();
  }

  /** Field keys of a measurement with their types, sorted by key. */
  SortedMap<String, FieldType> fieldKeys(String database, String measurement);

  /**
   * Visits, series by series in key order, the data of {@code request}: per requested field
   * that has points in range, one block with strictly ascending timestamps (duplicates resolved,
   * the last write wins) merged across shards, WAL and files, holding only the points {@link
   * ReadRequest#limit()} keeps (all of them by default). Series with none of the fields in range
   * are not visited.
   */
  void read(ReadRequest request, SeriesVisitor visitor);

  /**
   * Deletes the points of matching series in {@code [minTime, maxTime]} across every policy
   * of the database ({@code DELETE}); series left without data leave the index. With the
   * whole time range this is {@code DROP SERIES}.
   */
  void delete(String database, SeriesFilter filter, long minTime, long maxTime);

  /**
   * The shard groups that exist, by database and policy (each in creation order), then by start
   * time ({@code SHOW SHARDS}, {@code SHOW SHARD GROUPS}).
   */
  List<ShardGroupSpan> shardGroups();

  /** Drops a measurement: its series, data and field types. */
  void dropMeasurement(String database, String measurement);
}
