package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.api.config.InfluxDuration;
import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldMap;
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
import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import dev.capstan.dataplane.tsdb.wal.LockFile;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The TSDB storage engine: InfluxDB 1.x databases and retention policies over time-partitioned
 * shards (WAL, memtable, compressed columnar files).
 *
 * <p>On disk: {@code meta} (the {@link Catalog}) and {@code data/<db>/<rp>/<start>_<end>/} per
 * shard group, holding {@code wal/} and {@code <generation>.tsf} files; names are
 * percent-encoded. Shard groups are found by listing directories, the series index is rebuilt
 * from the shards, so the catalog is the only metadata file.
 *
 * <p>Concurrency: one engine read-write lock. Writes, reads and queries of the index share it;
 * what changes structure (databases, policies, deletes, retention drops) takes it exclusively.
 * Below it each shard has its own read-write lock (see {@link Shard}) and the series index of a
 * database is synchronized, so writes to different shards proceed in parallel. Visitors of
 * {@link #read} run under the shared lock and must not change the store.
 */
public final class TsdbEngine implements TsdbStore, Closeable {
  private static final System.Logger LOG = System.getLogger(TsdbEngine.class.getName());
  private static final String META_FILE = "meta";
  private static final String DATA_DIR = "data";
  private static final String LOCK_FILE = "LOCK";
  private static final Pattern GROUP_DIR = Pattern.compile("(-?\\d+)_(-?\\d+)");
  /** influxd's minimum retention ({@code MinRetentionPolicyDuration}). */
  private static final Duration MIN_RETENTION = Duration.ofHours(1);
  /** influxd's {@code cache-snapshot-write-cold-duration}: an unwritten shard's memtable is flushed after this. */
  static final Duration COLD_AFTER = Duration.ofMinutes(10);
  static final String BEYOND_RETENTION = "points beyond retention policy";

  private final Path dataDir;
  private final EngineOptions options;
  private final Clock clock;
  private final FileChannel lockChannel;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, DatabaseState> states = new HashMap<>();
  private final ScheduledExecutorService maintenance;
  /** Writes handed-over memtables to files and compacts them (see {@link Shard}). */
  private final ExecutorService flusher;
  private Catalog catalog;
  /** Written under the write lock; volatile so the timers can see it without taking the lock. */
  private volatile boolean closed;

  /** A database's live state: its index and the shard groups of each policy. */
  private static final class DatabaseState {
    volatile SeriesIndex index = new SeriesIndex();
    final Map<String, PolicyShards> policies = new HashMap<>();

    List<Shard> allShards() {
      List<Shard> all = new ArrayList<>();
      policies.values().forEach(p -> all.addAll(p.all()));
      return all;
    }
  }

  /** The shard groups of one policy by start time; creating one is synchronized, as concurrent writes may race to it. */
  private static final class PolicyShards {
    final Path directory;
    final TreeMap<Long, Shard> groups = new TreeMap<>();

    PolicyShards(Path directory) {
      this.directory = directory;
    }

    synchronized Shard shardFor(long time, Duration groupDuration, EngineOptions options, Executor flusher) throws IOException {
      Map.Entry<Long, Shard> floor = groups.floorEntry(time);
      if (floor != null && time < floor.getValue().end()) {
        return floor.getValue();
      }
      long start = ShardGroups.start(time, groupDuration);
      long end = ShardGroups.end(start, groupDuration);
      // After the group duration changed, a new group must not overlap an existing one.
      if (floor != null) {
        start = Math.max(start, floor.getValue().end());
      }
      Map.Entry<Long, Shard> higher = groups.higherEntry(time);
      if (higher != null) {
        end = Math.min(end, higher.getKey());
      }
      Shard shard = Shard.open(directory.resolve(start + "_" + end), start, end, options, flusher);
      groups.put(start, shard);
      long s = start;
      long e = end;
      LOG.log(System.Logger.Level.INFO, () -> "created shard group " + directory.resolve(s + "_" + e) + " ["
          + Instant.EPOCH.plusNanos(s) + ", " + Instant.EPOCH.plusNanos(e) + ")");
      return shard;
    }

    synchronized List<Shard> overlapping(long min, long max) {
      return groups.values().stream().filter(s -> s.overlaps(min, max)).toList();
    }

    synchronized List<Shard> all() {
      return List.copyOf(groups.values());
    }

    synchronized void remove(Shard shard) {
      groups.remove(shard.start());
    }
  }

  private TsdbEngine(Path dataDir, EngineOptions options, Clock clock, FileChannel lockChannel, Catalog catalog) {
    this.dataDir = dataDir;
    this.options = options;
    this.clock = clock;
    this.lockChannel = lockChannel;
    this.catalog = catalog;
    this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tsdb-engine-maintenance");
      t.setDaemon(true);
      return t;
    });
    // Its own thread, not the maintenance one: a writer may wait for a flush (back-pressure)
    // while holding the engine's shared lock, so flushes must never queue behind a task that
    // takes the engine lock.
    this.flusher = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tsdb-engine-flush");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens the engine in {@code dataDir}: loads the catalog, opens every shard (replaying its WAL
   * into the memtable, truncating a torn WAL tail, checking each file's footer and index
   * checksums), rebuilds the series indexes and starts the retention and fsync timers.
   *
   * @throws CorruptShardFileException if a shard file is damaged (the message names it)
   */
  public static TsdbEngine open(Path dataDir, EngineOptions options, Clock clock) throws IOException {
    Files.createDirectories(dataDir);
    FileChannel lockChannel =
        LockFile.acquire(dataDir.resolve(LOCK_FILE), "TSDB data directory " + dataDir + " is in use by another engine");
    TsdbEngine engine;
    try {
      engine = new TsdbEngine(dataDir, options, clock, lockChannel, Catalog.load(dataDir.resolve(META_FILE)));
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
    try {
      engine.load();
    } catch (IOException | RuntimeException e) {
      engine.close();
      throw e;
    }
    engine.startTimers();
    return engine;
  }

  private void load() throws IOException {
    Path data = dataDir.resolve(DATA_DIR);
    Files.createDirectories(data);
    for (Catalog.Database db : catalog.databases()) {
      DatabaseState state = new DatabaseState();
      states.put(db.name(), state);
      for (RetentionPolicy policy : db.stored()) {
        PolicyShards shards = new PolicyShards(policyDir(db.name(), policy.name()));
        state.policies.put(policy.name(), shards);
        if (!Files.isDirectory(shards.directory)) {
          continue;
        }
        for (Path groupDir : list(shards.directory)) {
          Matcher m = GROUP_DIR.matcher(groupDir.getFileName().toString());
          if (Files.isDirectory(groupDir) && m.matches()) {
            long start = Long.parseLong(m.group(1));
            shards.groups.put(start, Shard.open(groupDir, start, Long.parseLong(m.group(2)), options, flusher));
          } else if (groupDir.getFileName().toString().startsWith(Fs.DELETING_PREFIX)) {
            LOG.log(System.Logger.Level.INFO, () -> "finishing the interrupted deletion of " + groupDir);
            Fs.deleteTree(groupDir);
          }
        }
      }
      removeOrphans(databaseDir(db.name()), db.stored().stream().map(p -> dirName(p.name())).toList());
      state.index = SeriesIndex.rebuild(state.allShards());
    }
    removeOrphans(data, catalog.databases().stream().map(d -> dirName(d.name())).toList());
    LOG.log(System.Logger.Level.INFO, () -> "opened TSDB engine in " + dataDir + " with " + catalog.databases().size()
        + " databases");
  }

  /** Deletes directories a drop left behind when it crashed after saving the catalog. */
  private static void removeOrphans(Path parent, List<String> keep) throws IOException {
    if (!Files.isDirectory(parent)) {
      return;
    }
    for (Path child : list(parent)) {
      if (Files.isDirectory(child) && !keep.contains(child.getFileName().toString())) {
        LOG.log(System.Logger.Level.INFO, () -> "removing " + child + ": its database or policy was dropped");
        Fs.deleteTree(child);
      }
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }

  private void startTimers() {
    if (!options.retentionCheckInterval().isZero()) {
      long every = options.retentionCheckInterval().toMillis();
      maintenance.scheduleWithFixedDelay(() -> {
        if (closed) {
          return;
        }
        try {
          enforceRetention();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "retention check failed: " + e.getMessage());
        }
      }, every, every, TimeUnit.MILLISECONDS);
    }
    maintenance.scheduleWithFixedDelay(() -> {
      if (!closed) {
        try {
          flushColdShards();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "flushing cold shards failed: " + e.getMessage());
        }
      }
    }, 1, 1, TimeUnit.MINUTES);
    if (options.fsync() == FsyncPolicy.INTERVAL) {
      long every = options.fsyncInterval().toMillis();
      maintenance.scheduleWithFixedDelay(this::syncAll, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void syncAll() {
    lock.readLock().lock();
    try {
      if (closed) {
        return;
      }
      for (DatabaseState state : states.values()) {
        for (Shard shard : state.allShards()) {
          shard.sync();
        }
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.ERROR, "WAL fsync failed: " + e.getMessage());
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- databases and policies

  @Override
  public List<String> databases() {
    lock.readLock().lock();
    try {
      ensureOpen();
      return catalog.databases().stream().map(Catalog.Database::name).toList();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void createDatabase(String name) {
    if (name == null || name.isEmpty()) {
      throw new StoreException("database name required");
    }
    lock.writeLock().lock();
    try {
      ensureOpen();
      if (catalog.database(name).isPresent()) {
        return;
      }
      RetentionPolicy autogen = new RetentionPolicy(RetentionPolicy.AUTOGEN, Duration.ZERO,
          InfluxDuration.defaultShardDuration(Duration.ZERO), 1, true);
      commit(catalog.put(new Catalog.Database(name, List.of(), null).put(autogen)));
      DatabaseState state = new DatabaseState();
      state.policies.put(autogen.name(), new PolicyShards(policyDir(name, autogen.name())));
      states.put(name, state);
      LOG.log(System.Logger.Level.INFO, () -> "created database " + name);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void dropDatabase(String name) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      if (catalog.database(name).isEmpty()) {
        return;
      }
      commit(catalog.remove(name));
      DatabaseState state = states.remove(name);
      closeShards(state.allShards());
      deleteTree(databaseDir(name));
      LOG.log(System.Logger.Level.INFO, () -> "dropped database " + name);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public List<RetentionPolicy> retentionPolicies(String database) {
    lock.readLock().lock();
    try {
      ensureOpen();
      return database(database).policies();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void createRetentionPolicy(String database, RetentionPolicy policy) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      Catalog.Database db = database(database);
      validate(policy);
      Optional<RetentionPolicy> existing = db.policy(policy.name());
      if (existing.isPresent()) {
        RetentionPolicy e = existing.get();
        if (!e.duration().equals(policy.duration()) || !e.shardGroupDuration().equals(policy.shardGroupDuration())
            || e.replication() != policy.replication()) {
          throw new StoreException("retention policy already exists");
        }
        if (policy.isDefault() && !policy.name().equals(db.defaultPolicy())) {
          throw new StoreException("retention policy conflicts with an existing policy");
        }
        return;
      }
      commit(catalog.put(db.put(policy)));
      states.get(database).policies.put(policy.name(), new PolicyShards(policyDir(database, policy.name())));
      LOG.log(System.Logger.Level.INFO, () -> "created retention policy " + policy.name() + " on " + database + " ("
          + describe(policy) + ")");
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * {@inheritDoc} With {@code policy.isDefault()} it becomes the default; without, the default
   * stays as it is (influxd's ALTER without DEFAULT). Existing shard groups keep their span; new
   * groups use the new shard duration.
   */
  @Override
  public void alterRetentionPolicy(String database, RetentionPolicy policy) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      Catalog.Database db = database(database);
      if (db.policy(policy.name()).isEmpty()) {
        throw StoreException.retentionPolicyNotFound(policy.name());
      }
      validate(policy);
      commit(catalog.put(db.put(policy)));
      LOG.log(System.Logger.Level.INFO, () -> "altered retention policy " + policy.name() + " on " + database + " ("
          + describe(policy) + ")");
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void dropRetentionPolicy(String database, String name) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      Catalog.Database db = database(database);
      if (db.policy(name).isEmpty()) {
        return;
      }
      commit(catalog.put(db.remove(name)));
      DatabaseState state = states.get(database);
      PolicyShards shards = state.policies.remove(name);
      closeShards(shards.all());
      deleteTree(shards.directory);
      state.index = SeriesIndex.rebuild(state.allShards());
      LOG.log(System.Logger.Level.INFO, () -> "dropped retention policy " + name + " on " + database);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** influxd's checks of a policy's durations, with its messages. */
  private static void validate(RetentionPolicy policy) {
    if (!policy.infinite() && policy.duration().compareTo(MIN_RETENTION) < 0) {
      throw new StoreException("retention policy duration must be at least " + InfluxDuration.format(MIN_RETENTION));
    }
    if (!policy.infinite() && policy.duration().compareTo(policy.shardGroupDuration()) < 0) {
      throw new StoreException("retention policy duration must be greater than the shard duration");
    }
  }

  private static String describe(RetentionPolicy p) {
    return "duration " + InfluxDuration.format(p.duration()) + ", shard duration " + InfluxDuration.format(p.shardGroupDuration())
        + (p.isDefault() ? ", default" : "");
  }

  // ---- writes

  /**
   * Writes points. Dropped points are counted in {@link WriteOutcome#dropped()}; {@link
   * WriteOutcome#error()} then holds influxd's reason without its {@code partial write: } prefix
   * and {@code  dropped=N} suffix, so the HTTP layer answers {@code "partial write: " + error +
   * " dropped=" + dropped} (HTTP 400) exactly as influxd 1.6.7 does. The reason is the first
   * field type conflict ({@code field type conflict: input field "value" on measurement "cpu" is
   * type integer, already exists as type float}) if there was one, else {@code points beyond
   * retention policy} — the precedence of influxd's points writer.
   *
   * <p>Within one batch the first point fixes a new field's type and later points of another
   * type are dropped one by one (influxd instead fails such a batch as a whole with a bare
   * {@code field type conflict}).
   *
   * @throws UncheckedIOException if the WAL could not be written; nothing was acknowledged
   */
  @Override
  public WriteOutcome write(String database, String retentionPolicy, List<Point> points) {
    lock.readLock().lock();
    try {
      ensureOpen();
      Catalog.Database db = database(database);
      RetentionPolicy policy = policy(db, retentionPolicy);
      DatabaseState state = states.get(database);
      PolicyShards shards = state.policies.get(policy.name());
      SeriesIndex index = state.index;
      long oldest = policy.infinite() ? Long.MIN_VALUE : saturatingMinus(nowNanos(), policy.duration().toNanos());
      BatchRouter router = new BatchRouter(index, time -> shards.shardFor(time, policy.shardGroupDuration(), options, flusher), oldest);
      router.route(points);
      for (Map.Entry<Shard, List<SeriesPoint>> batch : router.byShard().entrySet()) {
        batch.getKey().write(batch.getValue(), nowNanos());
      }
      router.indexSeries();
      int dropped = router.dropped();
      String error = router.conflict() != null ? router.conflict() : router.beyondRetention() ? BEYOND_RETENTION : null;
      return new WriteOutcome(points.size() - dropped, dropped, Optional.ofNullable(error));
    } catch (IOException e) {
      throw new UncheckedIOException("write to " + database + " failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- the index

  @Override
  public SortedSet<String> measurements(String database) {
    lock.readLock().lock();
    try {
      ensureOpen();
      database(database);
      return states.get(database).index.measurements();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<SeriesKey> series(String database, String measurement) {
    lock.readLock().lock();
    try {
      ensureOpen();
      database(database);
      return states.get(database).index.series(measurement);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long seriesCount(String database) {
    lock.readLock().lock();
    try {
      ensureOpen();
      database(database);
      return states.get(database).index.count();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public SortedMap<String, FieldType> fieldKeys(String database, String measurement) {
    lock.readLock().lock();
    try {
      ensureOpen();
      database(database);
      return states.get(database).index.fieldKeys(measurement);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Tag values of a measurement's tag key, each with the key texts of its series (for SHOW TAG VALUES). */
  public SortedMap<String, SortedSet<String>> tagValues(String database, String measurement, String tagKey) {
    lock.readLock().lock();
    try {
      ensureOpen();
      database(database);
      return states.get(database).index.tagValues(measurement, tagKey);
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- reads

  @Override
  public void read(ReadRequest request, SeriesVisitor visitor) {
    lock.readLock().lock();
    try {
      ensureOpen();
      Catalog.Database db = database(request.database());
      RetentionPolicy policy = policy(db, request.retentionPolicy());
      DatabaseState state = states.get(request.database());
      // Shard groups outside the range are never touched; within a shard, files and blocks are
      // skipped by their index's time bounds.
      List<Shard> shards = state.policies.get(policy.name()).overlapping(request.minTime(), request.maxTime());
      if (shards.isEmpty()) {
        return;
      }
      List<String> fields = List.copyOf(new LinkedHashSet<>(request.fields()));
      for (Map.Entry<String, SeriesKey> series : state.index.matching(request.filter()).entrySet()) {
        Map<String, Block> blocks = new LinkedHashMap<>();
        for (String field : fields) {
          FieldData merged = request.limit().isNone()
              ? readAll(shards, series.getKey(), field, request.minTime(), request.maxTime())
              : readLimited(shards, series.getKey(), field, request.minTime(), request.maxTime(), request.limit());
          if (merged != null && !merged.isEmpty()) {
            blocks.put(field, merged.toBlock());
          }
        }
        if (!blocks.isEmpty()) {
          visitor.visit(series.getValue(), blocks);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private static FieldData readAll(List<Shard> shards, String seriesText, String field, long min, long max) {
    FieldData merged = null;
    for (Shard shard : shards) {
      merged = FieldData.merge(merged, shard.read(seriesText, field, min, max));
    }
    return merged;
  }

  /**
   * Shard groups hold disjoint time ranges, so the limit's points come from the groups at its
   * end: they are visited from there ({@code shards} ascend by start) until the limit is full.
   */
  private static FieldData readLimited(List<Shard> shards, String seriesText, String field, long min, long max,
      ReadRequest.Limit limit) {
    FieldData kept = null;
    for (int k = 0; k < shards.size(); k++) {
      Shard shard = shards.get(limit.newest() ? shards.size() - 1 - k : k);
      FieldData part = shard.read(seriesText, field, min, max, limit);
      kept = limit.newest() ? FieldData.merge(part, kept) : FieldData.merge(kept, part);
      if (kept != null && kept.size() >= limit.points()) {
        return kept.keep(limit);
      }
    }
    return kept;
  }

  // ---- deletes

  @Override
  public void delete(String database, SeriesFilter filter, long minTime, long maxTime) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      database(database);
      DatabaseState state = states.get(database);
      java.util.Set<String> keys = state.index.matching(filter).keySet();
      if (keys.isEmpty()) {
        return;
      }
      java.util.Set<String> selected = new java.util.HashSet<>(keys);
      for (PolicyShards shards : state.policies.values()) {
        for (Shard shard : shards.overlapping(minTime, maxTime)) {
          shard.delete(selected, minTime, maxTime);
        }
      }
      state.index = SeriesIndex.rebuild(state.allShards());
      LOG.log(System.Logger.Level.INFO, () -> "deleted points of " + selected.size() + " series in " + database);
    } catch (IOException e) {
      throw new UncheckedIOException("delete in " + database + " failed: " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void dropMeasurement(String database, String measurement) {
    delete(database, SeriesFilter.all(measurement), Long.MIN_VALUE, Long.MAX_VALUE);
  }

  @Override
  public List<ShardGroupSpan> shardGroups() {
    lock.readLock().lock();
    try {
      ensureOpen();
      List<ShardGroupSpan> spans = new ArrayList<>();
      for (Catalog.Database db : catalog.databases()) {
        DatabaseState state = states.get(db.name());
        for (RetentionPolicy rp : db.policies()) {
          PolicyShards shards = state.policies.get(rp.name());
          if (shards != null) {
            shards.all().forEach(s -> spans.add(new ShardGroupSpan(db.name(), rp.name(), s.start(), s.end())));
          }
        }
      }
      return spans;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- retention

  /**
   * Drops every shard group whose end is older than now minus its policy's duration (influxd's
   * rule: a group goes only once all of it has expired), deleting its directory.
   *
   * @return how many shard groups were dropped
   */
  public int enforceRetention() {
    lock.writeLock().lock();
    try {
      ensureOpen();
      long now = nowNanos();
      int dropped = 0;
      for (Catalog.Database db : catalog.databases()) {
        DatabaseState state = states.get(db.name());
        boolean changed = false;
        for (RetentionPolicy policy : db.stored()) {
          if (policy.infinite()) {
            continue;
          }
          long cutoff = saturatingMinus(now, policy.duration().toNanos());
          PolicyShards shards = state.policies.get(policy.name());
          for (Shard shard : shards.all()) {
            if (shard.end() < cutoff) {
              shards.remove(shard);
              closeShards(List.of(shard));
              deleteTree(shard.directory());
              dropped++;
              changed = true;
              LOG.log(System.Logger.Level.INFO, () -> "retention: dropped shard group " + shard.directory() + " of "
                  + db.name() + "." + policy.name() + ", ended " + Instant.EPOCH.plusNanos(shard.end()));
            }
          }
        }
        if (changed) {
          state.index = SeriesIndex.rebuild(state.allShards());
        }
      }
      return dropped;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- configuration

  /**
   * Makes the databases and policies the node's configuration names exist as configured:
   * creates missing ones, alters changed durations, sets defaults. Never drops anything (users
   * may have created more with InfluxQL). Everything is parsed and validated before anything
   * changes, so a bad configuration changes nothing.
   *
   * @return one line per change made; empty when the store already matched (idempotence)
   * @throws IllegalArgumentException naming the database and policy of a bad duration
   */
  public List<String> applyConfig(TsdbNodeConfig config) {
    Map<String, List<RetentionPolicy>> desired = new LinkedHashMap<>();
    int replication = Math.max(1, config.replicationFactor());
    for (TsdbNodeConfig.Database db : config.databases() == null ? List.<TsdbNodeConfig.Database>of() : config.databases()) {
      if (db.name() == null || db.name().isEmpty()) {
        throw new IllegalArgumentException("tsdb config: a database has no name; set databases[].name");
      }
      List<RetentionPolicy> policies = new ArrayList<>();
      for (TsdbNodeConfig.RetentionPolicy rp : db.retentionPolicies() == null ? List.<TsdbNodeConfig.RetentionPolicy>of()
          : db.retentionPolicies()) {
        policies.add(toPolicy(db.name(), rp, replication));
      }
      desired.put(db.name(), policies);
    }
    List<String> changes = new ArrayList<>();
    desired.forEach((name, policies) -> {
      if (!databases().contains(name)) {
        createDatabase(name);
        changes.add("created database " + name);
      }
      for (RetentionPolicy policy : policies) {
        Optional<RetentionPolicy> existing = retentionPolicies(name).stream().filter(p -> p.name().equals(policy.name())).findFirst();
        if (existing.isEmpty()) {
          createRetentionPolicy(name, policy);
          changes.add("created retention policy " + name + "." + policy.name());
        } else if (!sameSettings(existing.get(), policy) || (policy.isDefault() && !existing.get().isDefault())) {
          alterRetentionPolicy(name, policy.isDefault() ? policy : policy.withDefault(false));
          changes.add("altered retention policy " + name + "." + policy.name());
        }
      }
    });
    return changes;
  }

  private static RetentionPolicy toPolicy(String database, TsdbNodeConfig.RetentionPolicy rp, int replication) {
    String where = "tsdb config: database " + database + ", retention policy " + rp.name() + ": ";
    if (rp.name() == null || rp.name().isEmpty()) {
      throw new IllegalArgumentException("tsdb config: database " + database + " has a retention policy without a name");
    }
    Duration duration;
    Duration shard;
    try {
      duration = InfluxDuration.parse(rp.duration() == null ? "INF" : rp.duration());
      shard = rp.shardDuration() == null || rp.shardDuration().isEmpty()
          ? InfluxDuration.defaultShardDuration(duration)
          : InfluxDuration.parse(rp.shardDuration());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage() + " (use InfluxDB literals such as 90m, 7d or INF)");
    }
    // influxd raises shard durations below an hour to an hour.
    if (shard.isZero() || shard.compareTo(MIN_RETENTION) < 0) {
      shard = shard.isZero() ? InfluxDuration.defaultShardDuration(duration) : MIN_RETENTION;
    }
    RetentionPolicy policy = new RetentionPolicy(rp.name(), duration, shard, replication, rp.defaultPolicy());
    try {
      validate(policy);
    } catch (StoreException e) {
      throw new IllegalArgumentException(where + e.getMessage());
    }
    return policy;
  }

  private static boolean sameSettings(RetentionPolicy a, RetentionPolicy b) {
    return a.duration().equals(b.duration()) && a.shardGroupDuration().equals(b.shardGroupDuration())
        && a.replication() == b.replication();
  }

  // ---- measurements of the engine itself

  /** Bytes of the shard files (not WALs) of a database, for capacity metrics and tests. */
  public long fileBytes(String database) {
    lock.readLock().lock();
    try {
      ensureOpen();
      database(database);
      return states.get(database).allShards().stream().mapToLong(Shard::fileBytes).sum();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Flushes every memtable to a file and then compacts each shard's files into one. */
  public void flushAndCompact() {
    lock.readLock().lock();
    try {
      ensureOpen();
      for (DatabaseState state : states.values()) {
        for (Shard shard : state.allShards()) {
          shard.flush();
          shard.compact();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Flushes the memtable of every shard not written for {@link #COLD_AFTER} (by the engine's
   * clock); runs every minute.
   *
   * @return how many shards were flushed
   */
  int flushColdShards() {
    lock.readLock().lock();
    try {
      ensureOpen();
      long idleSince = nowNanos() - COLD_AFTER.toNanos();
      int flushed = 0;
      for (DatabaseState state : states.values()) {
        for (Shard shard : state.allShards()) {
          if (shard.flushIfColdSince(idleSince)) {
            flushed++;
          }
        }
      }
      return flushed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Files per shard group of a policy, by group start; for tests and status. */
  Map<Long, Integer> fileCounts(String database, String policy) {
    lock.readLock().lock();
    try {
      Map<Long, Integer> out = new TreeMap<>();
      states.get(database).policies.get(policy).all().forEach(s -> out.put(s.start(), s.fileCount()));
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The directory of a policy's shard groups. */
  Path policyDirectory(String database, String policy) {
    return policyDir(database, policy);
  }

  // ---- lifecycle

  /** Stops the timers and closes every shard; the WALs keep what was not flushed. */
  @Override
  public void close() throws IOException {
    // shutdown, not shutdownNow: interrupting a thread in FileChannel I/O would close the channel
    // under the shard. Pending periodic runs are cancelled; a running one is waited for.
    maintenance.shutdown();
    try {
      if (!maintenance.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "maintenance of " + dataDir + " still running at close");
      }
      // Flushes already handed over finish; writes still in flight then flush on their own thread.
      flusher.shutdown();
      if (!flusher.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "flushes of " + dataDir + " still running at close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      IOException first = null;
      for (DatabaseState state : states.values()) {
        for (Shard shard : state.allShards()) {
          try {
            shard.close();
          } catch (IOException e) {
            first = first == null ? e : first;
          }
        }
      }
      states.clear();
      lockChannel.close();
      if (first != null) {
        throw first;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- helpers

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("TSDB engine in " + dataDir + " is closed");
    }
  }

  private Catalog.Database database(String name) {
    return catalog.database(name).orElseThrow(() -> StoreException.databaseNotFound(name));
  }

  /** The named policy, or the default for null/empty, as influxd resolves it. */
  private static RetentionPolicy policy(Catalog.Database db, String name) {
    String resolved = name == null || name.isEmpty() ? db.defaultPolicy() : name;
    return db.policy(resolved == null ? "" : resolved)
        .orElseThrow(() -> StoreException.retentionPolicyNotFound(resolved == null ? "" : resolved));
  }

  private void commit(Catalog next) {
    try {
      next.save(dataDir.resolve(META_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("saving TSDB metadata failed: " + e.getMessage(), e);
    }
    catalog = next;
  }

  private long nowNanos() {
    Instant now = clock.instant();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  }

  private static long saturatingMinus(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }

  private static void closeShards(List<Shard> shards) {
    for (Shard shard : shards) {
      try {
        shard.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "closing shard " + shard.directory() + " failed: " + e.getMessage());
      }
    }
  }

  private static void deleteTree(Path dir) {
    try {
      Fs.deleteTreeAtomically(dir);
    } catch (IOException e) {
      // The catalog no longer names it; open() removes what is left.
      LOG.log(System.Logger.Level.WARNING, "could not delete " + dir + " (removed on next start): " + e.getMessage());
    }
  }

  private Path databaseDir(String database) {
    return dataDir.resolve(DATA_DIR).resolve(dirName(database));
  }

  private Path policyDir(String database, String policy) {
    return databaseDir(database).resolve(dirName(policy));
  }

  /** A name as a safe directory name: bytes outside {@code [A-Za-z0-9_-]} percent-encoded. */
  static String dirName(String name) {
    StringBuilder sb = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }
}
