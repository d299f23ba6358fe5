package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.influxql.Eval.QueryError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The queries running now, as influxd's task manager keeps them for {@code SHOW QUERIES} and
 * {@code KILL QUERY}: each request's query gets the next id while it runs. Killing one marks it;
 * the query stops at its next check (between statements, measurements and series) with
 * influxd's "query interrupted".
 */
public final class RunningQueries {

  /** One running query. */
  public static final class Query {
    final long id;
    final String text;
    final String database;
    final long startNanos;
    private volatile boolean killed;

    private Query(long id, String text, String database, long startNanos) {
      this.id = id;
      this.text = text;
      this.database = database;
      this.startNanos = startNanos;
    }

    /** Throws influxd's error once the query was killed; cheap enough to call per series. */
    void checkpoint() {
      if (killed) {
        throw new QueryError("query interrupted");
      }
    }
  }

  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, Query> queries = new ConcurrentSkipListMap<>();
  private final LongSupplier nanoClock;

  public RunningQueries() {
    this(System::nanoTime);
  }

  RunningQueries(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  Query attach(String text, String database) {
    Query q = new Query(nextId.getAndIncrement(), text, database == null ? "" : database, nanoClock.getAsLong());
    queries.put(q.id, q);
    return q;
  }

  void detach(Query q) {
    queries.remove(q.id);
  }

  /** KILL QUERY. */
  void kill(long id) {
    Query q = queries.get(id);
    if (q == null) {
      throw new QueryError("no such query id: " + id);
    }
    q.killed = true;
  }

  /** SHOW QUERIES: qid, query, database, duration (truncated as influxd does), status. */
  List<List<Object>> rows() {
    long now = nanoClock.getAsLong();
    List<List<Object>> rows = new ArrayList<>();
    for (Query q : queries.values()) {
      long d = Math.max(0, now - q.startNanos);
      if (d >= Durations.S) {
        d -= d % Durations.S;
      } else if (d >= Durations.MS) {
        d -= d % Durations.MS;
      } else if (d >= Durations.US) {
        d -= d % Durations.US;
      }
      rows.add(List.of(q.id, q.text, q.database, Durations.formatGo(d), q.killed ? "killed" : "running"));
    }
    return rows;
  }
}
