package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.influxql.Ast.CreateContinuousQuery;
import dev.capstan.dataplane.tsdb.influxql.Ast.Select;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs continuous queries when their time comes, with the arithmetic of influxd's continuous
 * query service: a query runs every RESAMPLE EVERY (default: its GROUP BY interval), over the
 * intervals of the last RESAMPLE FOR (default: one interval, or EVERY if that is longer) that
 * have ended. The first pass after a start computes the interval that just ended; history
 * before it is not backfilled (write a SELECT INTO for that).
 */
public final class ContinuousQueryRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuousQueryRunner.class);

  /** One run: the query, the range it computed and the points it wrote. */
  public record Run(String database, String name, long start, long end, long written) {}

  /** When a query runs: the new last run, and the range {@code [start, end)} to compute (may be empty). */
  record Schedule(long lastRun, long start, long end) {}

  private final QueryExecutor executor;
  private final ContinuousQueries queries;
  private final Clock clock;
  private final Map<ContinuousQueries.Definition, Long> lastRuns = new HashMap<>();
  private final Set<ContinuousQueries.Definition> reported = new HashSet<>();
  private ScheduledExecutorService timer;

  ContinuousQueryRunner(QueryExecutor executor, ContinuousQueries queries, Clock clock) {
    this.executor = executor;
    this.queries = queries;
    this.clock = clock;
  }

  /** Checks every second for queries that are due, on a thread of its own. */
  public static ContinuousQueryRunner start(QueryExecutor executor, ContinuousQueries queries, Clock clock) {
    ContinuousQueryRunner runner = new ContinuousQueryRunner(executor, queries, clock);
    runner.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tsdb-continuous-queries");
      t.setDaemon(true);
      return t;
    });
    runner.timer.scheduleWithFixedDelay(() -> {
      try {
        runner.runDue();
      } catch (RuntimeException e) {
        LOG.error("Continuous queries: {}", e.toString());
      }
    }, 1, 1, TimeUnit.SECONDS);
    return runner;
  }

  /** Runs every query due now; a query that fails is logged once and tried again next time. */
  synchronized List<Run> runDue() {
    Instant instant = clock.instant();
    long now = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    List<Run> runs = new ArrayList<>();
    List<ContinuousQueries.Definition> all = queries.all();
    lastRuns.keySet().retainAll(all);
    for (ContinuousQueries.Definition d : all) {
      try {
        CreateContinuousQuery cq = (CreateContinuousQuery) Parser.parseQuery(d.text()).get(0);
        Select select = cq.select();
        if (!SelectEngine.isAggregate(select)) {
          throw new Eval.QueryError("continuous queries must be aggregate queries");
        }
        Schedule s = schedule(Parser.groupByInterval(select), Parser.groupByOffset(select), cq.every(), cq.resampleFor(),
            lastRuns.get(d), now);
        if (s == null) {
          continue;
        }
        lastRuns.put(d, s.lastRun());
        if (s.end() <= s.start()) {
          continue;
        }
        long written = executor.runContinuousQuery(select, d.database(), s.start(), s.end());
        runs.add(new Run(d.database(), d.name(), s.start(), s.end(), written));
        LOG.debug("Continuous query {} on {} computed [{}, {}): {} points", d.name(), d.database(), s.start(), s.end(), written);
        reported.remove(d);
      } catch (RuntimeException e) {
        if (reported.add(d)) {
          LOG.warn("Continuous query {} on {} failed: {}", d.name(), d.database(), e.getMessage());
        }
      }
    }
    return runs;
  }

  /**
   * influxd's schedule: due when never run or {@code every} after the last run; the last run
   * becomes now aligned to {@code every}; the range reaches back {@code resampleFor} from the
   * run that was due and ends at the last interval that has ended. Null when not due.
   */
  static Schedule schedule(long interval, long offset, long every, long resampleFor, Long lastRun, long now) {
    long resampleEvery = every != 0 ? every : interval;
    long span = resampleFor != 0 ? resampleFor : Math.max(interval, resampleEvery);
    long nextRun;
    if (lastRun == null) {
      nextRun = now;
    } else if (lastRun + resampleEvery <= now) {
      nextRun = lastRun + resampleEvery;
    } else {
      return null;
    }
    long newLastRun = floor(now - offset, resampleEvery) + offset;
    long start = floor(nextRun + interval - span - offset - 1, interval) + offset;
    long end = floor(now + interval - resampleEvery - offset, interval) + offset;
    return new Schedule(newLastRun, start, end);
  }

  private static long floor(long t, long d) {
    return Math.floorDiv(t, d) * d;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
