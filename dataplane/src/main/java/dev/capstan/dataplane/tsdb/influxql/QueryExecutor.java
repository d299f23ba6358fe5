package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.influxql.Ast.*;
import dev.capstan.dataplane.tsdb.influxql.Eval.QueryError;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.ShardGroupSpan;
import dev.capstan.dataplane.tsdb.store.StoreException;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import dev.capstan.dataplane.tsdb.store.WriteOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs InfluxQL against a {@link TsdbStore} the way influxd 1.6.7 does: statements in order; an
 * error ends the query. The results are the stream influxd's executor emits, which {@link
 * InfluxJson} then merges or chunks as influxd's HTTP handler does.
 */
public final class QueryExecutor {
  private static final long MIN_RP_DURATION = Durations.H;

  private final TsdbStore store;
  private final Clock clock;
  private final ContinuousQueries continuousQueries;
  private final RunningQueries running;

  /** An executor whose continuous queries live only as long as it does. */
  public QueryExecutor(TsdbStore store, Clock clock) {
    this(store, clock, ContinuousQueries.inMemory());
  }

  public QueryExecutor(TsdbStore store, Clock clock, ContinuousQueries continuousQueries) {
    this(store, clock, continuousQueries, new RunningQueries());
  }

  QueryExecutor(TsdbStore store, Clock clock, ContinuousQueries continuousQueries, RunningQueries running) {
    this.store = Objects.requireNonNull(store);
    this.clock = Objects.requireNonNull(clock);
    this.continuousQueries = Objects.requireNonNull(continuousQueries);
    this.running = Objects.requireNonNull(running);
  }

  /**
   * Parses and runs a query. After a failed statement influxd emits one "not executed" result
   * per remaining statement but the last, all with the failed statement's id (its executor's
   * quirk); they are kept so that the answer matches influxd's byte for byte.
   *
   * @throws QueryParseException when the text does not parse; nothing ran then
   */
  public List<StatementResult> execute(String query, QueryContext ctx) {
    // influxd trims the q parameter before parsing; error positions depend on it.
    List<Statement> statements = Parser.parseQuery(query.strip());
    Instant instant = clock.instant();
    long now = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    List<StatementResult> results = new ArrayList<>();
    RunningQueries.Query task = running.attach(query.strip(), ctx.database());
    try {
      runAll(statements, ctx.withCheckpoint(task::checkpoint), now, results);
    } finally {
      running.detach(task);
    }
    return results;
  }

  private void runAll(List<Statement> statements, QueryContext ctx, long now, List<StatementResult> results) {
    for (int i = 0; i < statements.size(); i++) {
      try {
        ctx.checkpoint().run();
        results.add(StatementResult.ok(i, run(statements.get(i), ctx, now)));
      } catch (QueryError | StoreException | IllegalArgumentException e) {
        // IllegalArgumentException: a value the store's records refuse (a negative duration).
        results.add(StatementResult.failed(i, e.getMessage()));
        for (int j = i; j < statements.size() - 1; j++) {
          results.add(StatementResult.failed(i, "not executed"));
        }
        break;
      }
    }
  }

  private List<SeriesRow> run(Statement st, QueryContext ctx, long now) {
    if (st instanceof Select s) {
      return s.into() != null ? selectInto(s, ctx, now) : select(s, ctx, now);
    } else if (st instanceof ShowDatabases) {
      List<List<Object>> values = new ArrayList<>();
      for (String db : store.databases()) {
        values.add(List.of(db));
      }
      return List.of(new SeriesRow("databases", Map.of(), List.of("name"), false, values, false));
    } else if (st instanceof ShowRetentionPolicies s) {
      String db = s.database() != null ? s.database() : ctx.database();
      if (db == null || db.isEmpty()) {
        throw new QueryError("database name required");
      }
      requireDatabase(db);
      List<List<Object>> values = new ArrayList<>();
      for (RetentionPolicy rp : store.retentionPolicies(db)) {
        values.add(List.of(rp.name(), Durations.formatGo(rp.duration().toNanos()),
            Durations.formatGo(rp.shardGroupDuration().toNanos()), (long) rp.replication(), rp.isDefault()));
      }
      return List.of(new SeriesRow(null, Map.of(),
          List.of("name", "duration", "shardGroupDuration", "replicaN", "default"), false, values, false));
    } else if (st instanceof ShowMeasurements s) {
      return showMeasurements(s, ctx);
    } else if (st instanceof ShowSeries s) {
      return showSeries(s, ctx);
    } else if (st instanceof CreateContinuousQuery s) {
      requireDatabase(s.database());
      continuousQueries.create(new ContinuousQueries.Definition(s.database(), s.name(), s.text()));
      return List.of();
    } else if (st instanceof DropContinuousQuery s) {
      continuousQueries.drop(s.database(), s.name());
      return List.of();
    } else if (st instanceof ShowContinuousQueries) {
      List<SeriesRow> out = new ArrayList<>();
      for (String db : store.databases()) {
        List<List<Object>> values = new ArrayList<>();
        continuousQueries.of(db).forEach(d -> values.add(List.of(d.name(), d.text())));
        out.add(new SeriesRow(db, Map.of(), List.of("name", "query"), false, values, false));
      }
      return out;
    } else if (st instanceof ShowQueries) {
      return List.of(new SeriesRow(null, Map.of(), List.of("qid", "query", "database", "duration", "status"),
          false, running.rows(), false));
    } else if (st instanceof ShowStats s) {
      return showStats(s, ctx.monitor());
    } else if (st instanceof ShowDiagnostics s) {
      return showDiagnostics(s, ctx.monitor());
    } else if (st instanceof KillQuery k) {
      running.kill(k.id());
      return List.of();
    } else if (st instanceof ShowUsers) {
      List<List<Object>> values = new ArrayList<>();
      ctx.monitor().users().stream().sorted().forEach(u -> values.add(List.of(u, true)));
      return List.of(new SeriesRow(null, Map.of(), List.of("user", "admin"), false, values, false));
    } else if (st instanceof ShowGrants s) {
      // every user is an admin, whose privileges are not per database: influxd lists none
      if (!ctx.monitor().users().contains(s.user())) {
        throw new QueryError("user not found");
      }
      return List.of(new SeriesRow(null, Map.of(), List.of("database", "privilege"), false, List.of(), false));
    } else if (st instanceof ShowSubscriptions) {
      return List.of();
    } else if (st instanceof ShowShards) {
      return showShards();
    } else if (st instanceof ShowShardGroups) {
      return showShardGroups();
    } else if (st instanceof ShowCardinality s) {
      return showCardinality(s, ctx);
    } else if (st instanceof ShowTagKeys s) {
      return showTagKeys(s, ctx);
    } else if (st instanceof ShowTagValues s) {
      return showTagValues(s, ctx);
    } else if (st instanceof ShowFieldKeys s) {
      return showFieldKeys(s, ctx);
    } else if (st instanceof CreateDatabase s) {
      createDatabase(s);
      return List.of();
    } else if (st instanceof DropDatabase s) {
      store.dropDatabase(s.name());
      continuousQueries.dropDatabase(s.name());
      return List.of();
    } else if (st instanceof CreateRetentionPolicy s) {
      requireDatabase(s.database());
      long shard = shardDuration(s.duration(), s.shardDuration());
      checkPolicy(s.duration(), shard);
      store.createRetentionPolicy(s.database(), new RetentionPolicy(s.name(),
          Duration.ofNanos(s.duration()), Duration.ofNanos(shard), s.replication(), s.isDefault()));
      return List.of();
    } else if (st instanceof AlterRetentionPolicy s) {
      requireDatabase(s.database());
      RetentionPolicy old = store.retentionPolicies(s.database()).stream()
          .filter(p -> p.name().equals(s.name())).findFirst()
          .orElseThrow(() -> new QueryError("retention policy not found: " + s.name()));
      long duration = s.duration() != null ? s.duration() : old.duration().toNanos();
      long shard = s.shardDuration() != null ? shardDuration(duration, s.shardDuration())
          : old.shardGroupDuration().toNanos();
      checkPolicy(duration, shard);
      store.alterRetentionPolicy(s.database(), new RetentionPolicy(s.name(), Duration.ofNanos(duration),
          Duration.ofNanos(shard), s.replication() != null ? s.replication() : old.replication(),
          s.isDefault() || old.isDefault()));
      return List.of();
    } else if (st instanceof DropRetentionPolicy s) {
      requireDatabase(s.database());
      store.dropRetentionPolicy(s.database(), s.name());
      return List.of();
    } else if (st instanceof DropMeasurement s) {
      String db = existingDb(ctx);
      store.dropMeasurement(db, s.name());
      return List.of();
    } else if (st instanceof DropSeries s) {
      String db = existingDb(ctx);
      if (s.condition() != null && mentionsTime(s.condition())) {
        throw new QueryError("DROP SERIES doesn't support time in WHERE clause");
      }
      deleteSeries(db, s.sources(), s.condition(), Eval.MIN_TIME, Eval.MAX_TIME);
      return List.of();
    } else if (st instanceof Delete s) {
      String db = existingDb(ctx);
      long[] range = deleteRange(s.condition(), now);
      deleteSeries(db, s.sources(), stripTime(s.condition()), range[0], range[1]);
      return List.of();
    }
    throw new QueryError("statement is not supported by Capstan");
  }

  /**
   * SHOW SHARDS: one series per database (also those without shards), a shard per group as on a
   * single influxd node. influxd numbers shards and groups as it creates them and keeps the
   * numbers; Capstan numbers the rows of the answer (it has no DROP SHARD that would take them).
   */
  private List<SeriesRow> showShards() {
    Map<String, List<List<Object>>> byDatabase = new LinkedHashMap<>();
    store.databases().forEach(db -> byDatabase.put(db, new ArrayList<>()));
    long id = 0;
    for (ShardGroupRow g : shardGroupRows()) {
      id++;
      List<List<Object>> values = byDatabase.get(g.span().database());
      if (values != null) {
        values.add(List.of(id, g.span().database(), g.span().retentionPolicy(), id, g.start(), g.end(), g.expiry(), ""));
      }
    }
    List<SeriesRow> out = new ArrayList<>();
    byDatabase.forEach((db, values) -> out.add(new SeriesRow(db, Map.of(),
        List.of("id", "database", "retention_policy", "shard_group", "start_time", "end_time", "expiry_time", "owners"),
        false, values, false)));
    return out;
  }

  /** SHOW SHARD GROUPS: one series of every group; numbered as in {@link #showShards}. */
  private List<SeriesRow> showShardGroups() {
    List<List<Object>> values = new ArrayList<>();
    long id = 0;
    for (ShardGroupRow g : shardGroupRows()) {
      values.add(List.of(++id, g.span().database(), g.span().retentionPolicy(), g.start(), g.end(), g.expiry()));
    }
    return List.of(new SeriesRow("shard groups", Map.of(),
        List.of("id", "database", "retention_policy", "start_time", "end_time", "expiry_time"), false, values, false));
  }

  /** A shard group with its times as influxd prints them (RFC 3339, seconds). */
  private record ShardGroupRow(ShardGroupSpan span, String start, String end, String expiry) {}

  private List<ShardGroupRow> shardGroupRows() {
    Map<String, Map<String, Duration>> durations = new LinkedHashMap<>();
    List<ShardGroupRow> rows = new ArrayList<>();
    for (ShardGroupSpan span : store.shardGroups()) {
      Duration retention = durations.computeIfAbsent(span.database(), db -> {
        Map<String, Duration> byName = new LinkedHashMap<>();
        store.retentionPolicies(db).forEach(rp -> byName.put(rp.name(), rp.duration()));
        return byName;
      }).getOrDefault(span.retentionPolicy(), Duration.ZERO);
      // The group is dropped once its end is older than the retention (influxd: end + duration).
      long expiry = retention.isZero() ? span.end() : saturatedAdd(span.end(), retention.toNanos());
      rows.add(new ShardGroupRow(span, rfc3339Seconds(span.start()), rfc3339Seconds(span.end()), rfc3339Seconds(expiry)));
    }
    return rows;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** A row per statistic (of one module with FOR), its values in columns sorted by name. */
  private static List<SeriesRow> showStats(ShowStats s, Monitor monitor) {
    List<SeriesRow> out = new ArrayList<>();
    for (Monitor.Statistic stat : monitor.statistics()) {
      if (s.module() != null && !s.module().equals(stat.name())) {
        continue;
      }
      TreeMap<String, Object> values = new TreeMap<>(stat.values());
      out.add(new SeriesRow(stat.name(), stat.tags(), List.copyOf(values.keySet()), false,
          List.of(new ArrayList<>(values.values())), false));
    }
    return out;
  }

  /** A row per diagnostics section (one with FOR), sections sorted by name as influxd sorts them. */
  private static List<SeriesRow> showDiagnostics(ShowDiagnostics s, Monitor monitor) {
    TreeMap<String, Monitor.Diagnostic> sections = new TreeMap<>();
    monitor.diagnostics().forEach(d -> sections.put(d.name(), d));
    List<SeriesRow> out = new ArrayList<>();
    for (Monitor.Diagnostic d : sections.values()) {
      if (s.module() == null || s.module().equals(d.name())) {
        out.add(new SeriesRow(d.name(), Map.of(), List.copyOf(d.values().keySet()), false,
            List.of(new ArrayList<>(d.values().values())), false));
      }
    }
    return out;
  }

  /** Whole seconds, as Go's time.RFC3339 prints them; times before the epoch round down. */
  private static String rfc3339Seconds(long nanos) {
    long fraction = Math.floorMod(nanos, 1_000_000_000L);
    // The earliest group starts at Long.MIN_VALUE, whose second below is out of range: round up there.
    return GoFormat.formatTime(nanos - fraction <= nanos ? nanos - fraction : nanos + (1_000_000_000L - fraction));
  }

  private void requireDatabase(String db) {
    if (!store.databases().contains(db)) {
      throw new QueryError("database not found: " + db);
    }
  }

  /** DROP SERIES, DELETE and DROP MEASUREMENT do not ask for a name; they look it up. */
  private String existingDb(QueryContext ctx) {
    String db = ctx.database() == null ? "" : ctx.database();
    requireDatabase(db);
    return db;
  }

  private static String requireDb(String explicit, QueryContext ctx) {
    String db = explicit != null && !explicit.isEmpty() ? explicit : ctx.database();
    if (db == null || db.isEmpty()) {
      throw new QueryError("database name required");
    }
    return db;
  }

  /** influxd's default shard group duration for a retention duration. */
  static long shardDuration(long duration, long requested) {
    if (requested > 0) {
      return requested < Durations.H ? Durations.H : requested;
    }
    if (duration == 0) {
      return 7 * Durations.D;
    } else if (duration < 2 * Durations.D) {
      return Durations.H;
    } else if (duration < 180 * Durations.D) {
      return Durations.D;
    }
    return 7 * Durations.D;
  }

  private static void checkPolicy(long duration, long shard) {
    if (duration != 0 && duration < MIN_RP_DURATION) {
      throw new QueryError("retention policy duration must be at least 1h0m0s");
    }
    if (duration != 0 && duration < shard) {
      throw new QueryError("retention policy duration must be greater than the shard duration");
    }
  }

  private void createDatabase(CreateDatabase s) {
    if (!s.withPolicy()) {
      store.createDatabase(s.name());
      return;
    }
    long duration = s.duration() != null ? s.duration() : 0;
    long shard = shardDuration(duration, s.shardDuration());
    checkPolicy(duration, shard);
    String name = s.policyName() != null ? s.policyName() : RetentionPolicy.AUTOGEN;
    RetentionPolicy rp = new RetentionPolicy(name, Duration.ofNanos(duration), Duration.ofNanos(shard),
        s.replication() != null ? s.replication() : 1, true);
    boolean existed = store.databases().contains(s.name());
    store.createDatabase(s.name());
    if (existed) {
      RetentionPolicy current = store.retentionPolicies(s.name()).stream()
          .filter(p -> p.name().equals(name)).findFirst().orElse(null);
      if (current == null || !current.equals(rp)) {
        throw new QueryError("retention policy conflicts with an existing policy");
      }
      return;
    }
    if (name.equals(RetentionPolicy.AUTOGEN)) {
      store.alterRetentionPolicy(s.name(), rp);
    } else {
      store.createRetentionPolicy(s.name(), rp);
      store.dropRetentionPolicy(s.name(), RetentionPolicy.AUTOGEN);
    }
  }

  // ---------- SHOW ----------

  private List<String> measurementsOf(String db, List<Measurement> sources) {
    TreeSet<String> all = new TreeSet<>(store.measurements(db));
    if (sources == null) {
      return new ArrayList<>(all);
    }
    TreeSet<String> out = new TreeSet<>();
    for (Measurement m : sources) {
      if (m.regex() != null) {
        all.stream().filter(n -> m.regex().pattern().matcher(n).find()).forEach(out::add);
      } else if (all.contains(m.name())) {
        out.add(m.name());
      }
    }
    return new ArrayList<>(out);
  }

  private List<SeriesKey> matchingSeries(String db, String measurement, Expr cond) {
    List<SeriesKey> out = new ArrayList<>();
    for (SeriesKey k : store.series(db, measurement)) {
      if (cond == null || tagMatch(cond, k)) {
        out.add(k);
      }
    }
    return out;
  }

  private static boolean tagMatch(Expr cond, SeriesKey key) {
    Object v = Eval.value(cond, x -> {
      if (x instanceof VarRef r) {
        if (r.name().equals("_name")) {
          return key.measurement();
        }
        return key.tag(r.name());
      }
      return null;
    });
    return Boolean.TRUE.equals(v);
  }

  private static <T> List<T> page(List<T> list, int limit, int offset) {
    int from = Math.min(list.size(), offset);
    int to = limit > 0 ? Math.min(list.size(), from + limit) : list.size();
    return new ArrayList<>(list.subList(from, to));
  }

  private List<SeriesRow> showMeasurements(ShowMeasurements s, QueryContext ctx) {
    String db = requireDb(s.database(), ctx);
    if (!store.databases().contains(db)) {
      return List.of(); // influxd lists no measurements of a missing database, without an error
    }
    List<String> names = measurementsOf(db, s.source() == null ? null : List.of(s.source()));
    if (s.condition() != null) {
      names.removeIf(n -> matchingSeries(db, n, s.condition()).isEmpty());
    }
    names = page(names, s.limit(), s.offset());
    if (names.isEmpty()) {
      return List.of();
    }
    List<List<Object>> values = new ArrayList<>();
    names.forEach(n -> values.add(List.of(n)));
    return List.of(new SeriesRow("measurements", Map.of(), List.of("name"), false, values, false));
  }

  private List<SeriesRow> showSeries(ShowSeries s, QueryContext ctx) {
    String db = requireDb(s.database(), ctx);
    requireDatabase(db);
    List<String> keys = new ArrayList<>();
    for (String m : measurementsOf(db, s.sources())) {
      for (SeriesKey k : matchingSeries(db, m, s.condition())) {
        keys.add(k.text());
      }
    }
    keys.sort(null);
    keys = page(keys, s.limit(), s.offset());
    if (keys.isEmpty()) {
      return List.of();
    }
    List<List<Object>> values = new ArrayList<>();
    keys.forEach(k -> values.add(List.of(k)));
    return List.of(new SeriesRow(null, Map.of(), List.of("key"), false, values, false));
  }

  /**
   * influxd estimates series and measurement counts (a sketch; exact at these sizes: Capstan
   * counts) when the statement is bare, answering 0 for a missing database. Every other form is
   * rewritten by influxd into a count over the index per measurement (one count for
   * measurements) and per GROUP BY tag group, where OFFSET skips that single row and LIMIT never
   * hides it. Tag keys and tag values are counted among the matching series of a group; field
   * keys are the measurement's, counted when the group has a matching series.
   */
  private List<SeriesRow> showCardinality(ShowCardinality s, QueryContext ctx) {
    String db = requireDb(s.database(), ctx);
    CardinalityOf of = s.of();
    boolean bare = s.sources() == null && s.condition() == null && s.dimensions().isEmpty()
        && s.limit() == 0 && s.offset() == 0;
    if (!s.exact() && bare && (of == CardinalityOf.SERIES || of == CardinalityOf.MEASUREMENT)) {
      long n = 0;
      if (store.databases().contains(db)) {
        n = of == CardinalityOf.SERIES ? store.seriesCount(db) : store.measurements(db).size();
      }
      return List.of(new SeriesRow(null, Map.of(), List.of("cardinality estimation"), false,
          List.of(List.<Object>of(n)), false));
    }
    if (s.condition() != null && mentionsTime(s.condition())) {
      switch (of) {
        case SERIES, MEASUREMENT, TAG_KEY -> throw new QueryError("SHOW " + of.name().replace('_', ' ')
            + " EXACT CARDINALITY doesn't support time in WHERE clause");
        case FIELD_KEY -> throw new QueryError("SHOW FIELD KEY CARDINALITY doesn't support time in WHERE clause");
        case TAG_VALUES -> {
          requireDatabase(db);
          return List.of(); // influxd finds no tag values under a time condition
        }
      }
    }
    requireDatabase(db);
    List<String> measurements = measurementsOf(db, s.sources());
    List<String> groupKeys = cardinalityGroupKeys(db, measurements, s.dimensions());
    if (s.offset() > 0) {
      return List.of();
    }
    List<SeriesRow> out = new ArrayList<>();
    // MEASUREMENT: how many measurements have a matching series, per group.
    TreeMap<List<String>, Long> measurementsPerGroup = new TreeMap<>(QueryExecutor::compareValues);
    for (String m : measurements) {
      TreeMap<List<String>, List<SeriesKey>> groups = new TreeMap<>(QueryExecutor::compareValues);
      for (SeriesKey k : matchingSeries(db, m, s.condition())) {
        List<String> values = new ArrayList<>(groupKeys.size());
        for (String g : groupKeys) {
          values.add(k.tag(g));
        }
        groups.computeIfAbsent(values, x -> new ArrayList<>()).add(k);
      }
      for (Map.Entry<List<String>, List<SeriesKey>> g : groups.entrySet()) {
        long n = switch (of) {
          case SERIES -> g.getValue().size();
          case MEASUREMENT -> 1;
          case TAG_KEY -> g.getValue().stream().flatMap(k -> k.tags().keySet().stream()).distinct().count();
          case TAG_VALUES -> g.getValue().stream().flatMap(k -> k.tags().entrySet().stream())
              .filter(t -> s.key().matches(t.getKey())).distinct().count();
          case FIELD_KEY -> store.fieldKeys(db, m).size();
        };
        if (n == 0) {
          continue;
        }
        if (of == CardinalityOf.MEASUREMENT) {
          measurementsPerGroup.merge(g.getKey(), 1L, Long::sum);
        } else {
          out.add(countRow(m, groupKeys, g.getKey(), n));
        }
      }
    }
    measurementsPerGroup.forEach((values, n) -> out.add(countRow(null, groupKeys, values, n)));
    return out;
  }

  /** The tag keys a SHOW ... CARDINALITY groups by; wildcards expand over all the sources' keys. */
  private List<String> cardinalityGroupKeys(String db, List<String> measurements, List<Expr> dims) {
    TreeSet<String> keys = new TreeSet<>();
    TreeSet<String> all = null;
    for (Expr d : dims) {
      d = Eval.unparen(d);
      if (d instanceof VarRef v) {
        keys.add(v.name());
      } else if (d instanceof Wildcard || d instanceof RegexLit) {
        if (all == null) {
          all = new TreeSet<>();
          for (String m : measurements) {
            for (SeriesKey k : store.series(db, m)) {
              all.addAll(k.tags().keySet());
            }
          }
        }
        for (String k : all) {
          if (d instanceof Wildcard || ((RegexLit) d).pattern().matcher(k).find()) {
            keys.add(k);
          }
        }
      } else if (d instanceof Call c && c.name().equals("time")) {
        // influxd answers one row per interval since 1677 (millions of zeros): not worth copying.
        throw new QueryError("GROUP BY time() in SHOW ... CARDINALITY is not supported by Capstan;"
            + " group by tags");
      } else {
        throw new QueryError("only time and tag dimensions allowed");
      }
    }
    return List.copyOf(keys);
  }

  private static SeriesRow countRow(String name, List<String> keys, List<String> values, long n) {
    Map<String, String> tags = new TreeMap<>();
    for (int i = 0; i < keys.size(); i++) {
      tags.put(keys.get(i), values.get(i));
    }
    return new SeriesRow(name, tags, List.of("count"), false, List.of(List.<Object>of(n)), false);
  }

  private static int compareValues(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private List<SeriesRow> showTagKeys(ShowTagKeys s, QueryContext ctx) {
    String db = requireDb(s.database(), ctx);
    requireDatabase(db);
    List<SeriesRow> out = new ArrayList<>();
    for (String m : measurementsOf(db, s.sources())) {
      TreeSet<String> keys = new TreeSet<>();
      for (SeriesKey k : matchingSeries(db, m, s.condition())) {
        keys.addAll(k.tags().keySet());
      }
      List<String> page = page(new ArrayList<>(keys), s.limit(), s.offset());
      if (page.isEmpty()) {
        continue;
      }
      List<List<Object>> values = new ArrayList<>();
      page.forEach(k -> values.add(List.of(k)));
      out.add(new SeriesRow(m, Map.of(), List.of("tagKey"), false, values, false));
    }
    return page(out, s.slimit(), s.soffset());
  }

  private List<SeriesRow> showTagValues(ShowTagValues s, QueryContext ctx) {
    String db = requireDb(s.database(), ctx);
    requireDatabase(db);
    List<SeriesRow> out = new ArrayList<>();
    for (String m : measurementsOf(db, s.sources())) {
      TreeMap<String, TreeSet<String>> pairs = new TreeMap<>();
      for (SeriesKey k : matchingSeries(db, m, s.condition())) {
        for (Map.Entry<String, String> t : k.tags().entrySet()) {
          if (s.key().matches(t.getKey())) {
            pairs.computeIfAbsent(t.getKey(), x -> new TreeSet<>()).add(t.getValue());
          }
        }
      }
      List<List<Object>> values = new ArrayList<>();
      pairs.forEach((k, vs) -> vs.forEach(v -> values.add(List.of(k, v))));
      List<List<Object>> page = page(values, s.limit(), s.offset());
      if (!page.isEmpty()) {
        out.add(new SeriesRow(m, Map.of(), List.of("key", "value"), false, page, false));
      }
    }
    return out;
  }

  private List<SeriesRow> showFieldKeys(ShowFieldKeys s, QueryContext ctx) {
    String db = requireDb(s.database(), ctx);
    requireDatabase(db);
    List<SeriesRow> out = new ArrayList<>();
    for (String m : measurementsOf(db, s.sources())) {
      SortedMap<String, FieldType> fields = store.fieldKeys(db, m);
      List<List<Object>> values = new ArrayList<>();
      fields.forEach((k, t) -> values.add(List.of(k, t.influxName())));
      List<List<Object>> page = page(values, s.limit(), s.offset());
      if (!page.isEmpty()) {
        out.add(new SeriesRow(m, Map.of(), List.of("fieldKey", "fieldType"), false, page, false));
      }
    }
    return out;
  }

  // ---------- SELECT ----------

  /**
   * A SELECT; with subqueries in FROM, as influxd runs them: each inner SELECT first — bounded by
   * the outer one's time range and grouped by the outer one's GROUP BY tags too — and its result
   * then read by the outer SELECT as a measurement.
   */
  private List<SeriesRow> select(Select s, QueryContext ctx, long now) {
    if (s.subqueries().isEmpty()) {
      return new SelectEngine(store, now, ctx.checkpoint()).run(s, ctx.database(), ctx.retentionPolicy());
    }
    if (!s.sources().isEmpty()) {
      throw new QueryError("Capstan reads measurements and subqueries in separate SELECTs;"
          + " write the measurement as a subquery too: FROM (SELECT ... FROM m)");
    }
    Expr outerTime = timeOnly(s.condition());
    SubqueryStore results = new SubqueryStore();
    for (Select inner : s.subqueries()) {
      if (inner.ordered() && inner.descending() != s.descending()) {
        throw new QueryError("subqueries must be ordered in the same direction as the query itself");
      }
      Expr condition = inner.condition();
      if (outerTime != null) {
        condition = condition == null ? outerTime : new Binary(Token.AND, condition, outerTime);
      }
      List<Expr> dimensions = new ArrayList<>(inner.dimensions());
      for (Expr d : s.dimensions()) {
        if (Eval.unparen(d) instanceof VarRef tag && !dimensions.contains(tag)) {
          dimensions.add(tag);
        }
      }
      results.add(select(inner.asSubquery(condition, dimensions, s.descending()), ctx, now));
    }
    return new SelectEngine(results, now, ctx.checkpoint()).run(s.readingFrom(results.sources()), SubqueryStore.DATABASE, null);
  }

  /**
   * SELECT INTO: the rows written as points, as influxd does — a row's GROUP BY tags stay tags,
   * its other columns (tags selected as columns included) become fields, null values and empty
   * rows are left out — answered with the count written.
   */
  private List<SeriesRow> selectInto(Select s, QueryContext ctx, long now) {
    Target target = s.into();
    String db = target.database() != null && !target.database().isEmpty() ? target.database() : ctx.database();
    if (db == null || db.isEmpty()) {
      throw new QueryError("database name required");
    }
    requireDatabase(db);
    String rp = target.retentionPolicy() != null && !target.retentionPolicy().isEmpty()
        ? target.retentionPolicy() : null;
    if (rp != null && store.retentionPolicies(db).stream().noneMatch(p -> p.name().equals(rp))) {
      throw new QueryError("retention policy not found: " + rp);
    }
    List<Point> points = new ArrayList<>();
    for (SeriesRow row : select(s.withoutInto(), ctx, now)) {
      if (!row.timeColumn()) {
        continue;
      }
      String measurement = target.measurement() != null ? target.measurement() : row.name();
      List<Tag> tags = new ArrayList<>();
      row.tags().forEach((k, v) -> {
        if (!v.isEmpty()) {
          tags.add(new Tag(k, v));
        }
      });
      for (List<Object> values : row.values()) {
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        for (int c = 1; c < values.size(); c++) {
          Object v = values.get(c);
          if (v != null) {
            fields.put(row.columns().get(c), v instanceof Double d ? new FieldValue.FloatField(d)
                : v instanceof Long l ? new FieldValue.IntegerField(l)
                : v instanceof Boolean b ? new FieldValue.BooleanField(b)
                : new FieldValue.StringField(v.toString()));
          }
        }
        if (!fields.isEmpty()) {
          points.add(new Point(measurement, tags, fields, (Long) values.get(0)));
        }
      }
    }
    long written = 0;
    if (!points.isEmpty()) {
      WriteOutcome outcome = store.write(db, rp, points);
      if (outcome.error().isPresent()) {
        throw new QueryError(outcome.error().get());
      }
      written = outcome.written();
    }
    return List.of(new SeriesRow("result", Map.of(), List.of("time", "written"), true,
        List.of(List.<Object>of(0L, written)), false));
  }

  /**
   * Runs a continuous query's SELECT INTO over {@code [start, end)} in its database, as the
   * continuous query service of influxd does; returns the points written.
   */
  long runContinuousQuery(Select select, String database, long start, long end) {
    Expr range = new Binary(Token.AND,
        new Binary(Token.GTE, new VarRef("time", null), new IntegerLit(start)),
        new Binary(Token.LT, new VarRef("time", null), new IntegerLit(end)));
    Expr condition = select.condition() == null ? range : new Binary(Token.AND, select.condition(), range);
    Instant instant = clock.instant();
    long now = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    List<SeriesRow> result = selectInto(select.with(condition, select.dimensions()), new QueryContext(database, null), now);
    return (Long) result.get(0).values().get(0).get(1);
  }

  /** The time comparisons of a condition's top-level ANDs (those that bound its range). */
  private static Expr timeOnly(Expr e) {
    if (e == null) {
      return null;
    }
    Expr u = Eval.unparen(e);
    if (u instanceof Binary b && b.op() == Token.AND) {
      Expr l = timeOnly(b.lhs());
      Expr r = timeOnly(b.rhs());
      return l == null ? r : r == null ? l : new Binary(Token.AND, l, r);
    }
    return u instanceof Binary b && b.op() != Token.OR && mentionsTime(u) ? u : null;
  }

  // ---------- DELETE / DROP SERIES ----------

  private static boolean mentionsTime(Expr e) {
    e = Eval.unparen(e);
    if (e instanceof Binary b) {
      return mentionsTime(b.lhs()) || mentionsTime(b.rhs());
    }
    return Eval.isTimeRef(e);
  }

  private static long[] deleteRange(Expr cond, long now) {
    long[] r = {Eval.MIN_TIME, Eval.MAX_TIME};
    if (cond == null) {
      return r;
    }
    collectTime(Eval.unparen(cond), r, now);
    return r;
  }

  private static void collectTime(Expr e, long[] r, long now) {
    if (!(e instanceof Binary b)) {
      return;
    }
    if (b.op() == Token.AND || b.op() == Token.OR) {
      collectTime(Eval.unparen(b.lhs()), r, now);
      collectTime(Eval.unparen(b.rhs()), r, now);
      return;
    }
    boolean left = Eval.isTimeRef(Eval.unparen(b.lhs()));
    boolean right = Eval.isTimeRef(Eval.unparen(b.rhs()));
    if (!left && !right) {
      return;
    }
    long t = Eval.timeValue(left ? b.rhs() : b.lhs(), now);
    Token op = b.op();
    if (right) {
      op = switch (op) {
        case LT -> Token.GT;
        case LTE -> Token.GTE;
        case GT -> Token.LT;
        case GTE -> Token.LTE;
        default -> op;
      };
    }
    switch (op) {
      case GT -> r[0] = Math.max(r[0], t + 1);
      case GTE -> r[0] = Math.max(r[0], t);
      case LT -> r[1] = Math.min(r[1], t - 1);
      case LTE -> r[1] = Math.min(r[1], t);
      case EQ -> {
        r[0] = Math.max(r[0], t);
        r[1] = Math.min(r[1], t);
      }
      default -> { }
    }
  }

  /** The condition without its time comparisons (they became the time range). */
  private static Expr stripTime(Expr e) {
    if (e == null) {
      return null;
    }
    Expr u = Eval.unparen(e);
    if (u instanceof Binary b) {
      if (b.op() == Token.AND || b.op() == Token.OR) {
        Expr l = stripTime(b.lhs());
        Expr r = stripTime(b.rhs());
        if (l == null) {
          return r;
        } else if (r == null) {
          return l;
        }
        return new Binary(b.op(), l, r);
      }
      if (mentionsTime(u)) {
        return null;
      }
    }
    return e;
  }

  private void deleteSeries(String db, List<Measurement> sources, Expr cond, long min, long max) {
    if (cond != null) {
      List<VarRef> refs = new ArrayList<>();
      collect(cond, refs);
      for (String m : measurementsOf(db, sources)) {
        for (VarRef r : refs) {
          if (store.fieldKeys(db, m).containsKey(r.name())) {
            throw new QueryError("fields not supported in WHERE clause during deletion");
          }
        }
      }
    }
    if (min > max) {
      return;
    }
    for (String m : measurementsOf(db, sources)) {
      Expr c = cond;
      store.delete(db, new SeriesFilter(m, k -> c == null || tagMatch(c, k)), min, max);
    }
  }

  private static void collect(Expr e, List<VarRef> refs) {
    e = Eval.unparen(e);
    if (e instanceof VarRef v) {
      refs.add(v);
    } else if (e instanceof Binary b) {
      collect(b.lhs(), refs);
      collect(b.rhs(), refs);
    }
  }
}
