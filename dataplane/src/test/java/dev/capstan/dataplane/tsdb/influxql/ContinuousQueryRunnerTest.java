package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.capstan.api.config.TsdbNodeConfig;

import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.testing.ManualClock;
import dev.capstan.dataplane.tsdb.influxql.ContinuousQueryRunner.Run;
import dev.capstan.dataplane.tsdb.influxql.ContinuousQueryRunner.Schedule;
import dev.capstan.dataplane.tsdb.lineprotocol.LineProtocolParser;
import dev.capstan.dataplane.tsdb.lineprotocol.Precision;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Continuous queries: influxd's schedule, and runs that write what the SELECT INTO computes. */
class ContinuousQueryRunnerTest {
  private static final long S = 1_000_000_000L;
  private static final long M = 60 * S;
  private static final long H = 60 * M;
  private static final long T = Instant.parse("2026-01-01T10:00:00Z").getEpochSecond() * S;

  /**
   * Times in seconds after 10:00. The RESAMPLE rows are the examples of InfluxDB 1.x's
   * documentation (EVERY 30m over GROUP BY time(1h) computes [8:00, 9:00) at 8:30; FOR 1h over
   * time(30m) computes [7:00, 8:00) at 8:00), moved to 10:00.
   */
  @ParameterizedTest(name = "interval {0}s every {1}s for {2}s, last run {3}, now {4}")
  @CsvSource(nullValues = "none", value = {
      // interval, every, for, lastRun, now -> lastRun, start, end (or 'none': not due)
      "60, 0, 0, none, 30, 0, 0, 0",        // first pass: only what ended since it began, nothing here
      "60, 0, 0, 0, 59, none, none, none",  // not due yet
      "60, 0, 0, 0, 60, 60, 0, 60",          // the interval that just ended
      "60, 0, 0, 0, 185, 180, 0, 180",       // a late pass: every interval since the one that was due
      "3600, 1800, 0, 0, 1800, 1800, 0, 3600",
      "1800, 0, 3600, -1800, 0, 0, -3600, 0",
      "60, 30, 120, 0, 30, 30, -60, 60",
  })
  void scheduleIsInfluxds(long interval, long every, long resampleFor, Long lastRun, long now,
      Long newLastRun, Long start, Long end) {
    Schedule s = ContinuousQueryRunner.schedule(interval * S, 0, every * S, resampleFor * S,
        lastRun == null ? null : T + lastRun * S, T + now * S);
    if (newLastRun == null) {
      assertThat(s).isNull();
    } else {
      assertThat(s).isEqualTo(new Schedule(T + newLastRun * S, T + start * S, T + end * S));
    }
  }

  @Test
  void runsWriteTheDownsampledIntervalsAndStopWhenDropped(@TempDir Path dir) throws Exception {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(T / S, 40 * S));
    InMemoryTsdbStore store = new InMemoryTsdbStore();
    store.createDatabase("db");
    store.write("db", null, LineProtocolParser.parse(("""
        cpu,host=a v=1 %d
        cpu,host=a v=3 %d
        cpu,host=b v=10 %d
        cpu,host=a v=100 %d
        """).formatted(T + 5 * S, T + 35 * S, T + 20 * S, T + 70 * S).getBytes(StandardCharsets.UTF_8),
        Precision.NANOSECONDS, Instant.EPOCH).points());
    ContinuousQueries queries = ContinuousQueries.open(dir.resolve("cq.json"));
    QueryExecutor executor = new QueryExecutor(store, clock, queries);
    ContinuousQueryRunner runner = new ContinuousQueryRunner(executor, queries, clock);
    assertThat(json(executor, "CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(v) INTO cpu_1m FROM cpu"
        + " GROUP BY time(1m), * END")).isEqualTo("{\"results\":[{\"statement_id\":0}]}");

    assertThat(runner.runDue()).isEmpty(); // 10:00:40, the first pass
    clock.set(T / 1_000_000 + 60_000 + 5);
    assertThat(runner.runDue()).containsExactly(new Run("db", "cq", T, T + M, 2));
    assertThat(json(executor, "SELECT mean FROM cpu_1m GROUP BY host")).isEqualTo(
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu_1m\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"mean\"],"
            + "\"values\":[[\"2026-01-01T10:00:00Z\",2]]},{\"name\":\"cpu_1m\",\"tags\":{\"host\":\"b\"},\"columns\":[\"time\",\"mean\"],"
            + "\"values\":[[\"2026-01-01T10:00:00Z\",10]]}]}]}");
    assertThat(runner.runDue()).isEmpty(); // not due again within the minute

    // The definition survives a restart of the node; the other node's runner takes it up.
    ContinuousQueries reopened = ContinuousQueries.open(dir.resolve("cq.json"));
    assertThat(reopened.all()).extracting(ContinuousQueries.Definition::name).containsExactly("cq");
    assertThat(json(new QueryExecutor(store, clock, reopened), "SHOW CONTINUOUS QUERIES")).isEqualTo(
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"db\",\"columns\":[\"name\",\"query\"],\"values\":"
            + "[[\"cq\",\"CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(v) INTO cpu_1m FROM cpu GROUP BY time(1m), * END\"]]}]}]}");

    json(executor, "DROP CONTINUOUS QUERY cq ON db");
    clock.set(T / 1_000_000 + 2 * 60_000 + 5);
    assertThat(runner.runDue()).isEmpty();
    assertThat(ContinuousQueries.open(dir.resolve("cq.json")).all()).isEmpty();
  }

  @Test
  void createAndDropAnswerAsInfluxd() {
    InMemoryTsdbStore store = new InMemoryTsdbStore();
    store.createDatabase("db");
    QueryExecutor executor = new QueryExecutor(store, new ManualClock(0));
    String cq = "CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(v) INTO m FROM cpu GROUP BY time(1m) END";
    assertThat(json(executor, cq + "; " + cq)).isEqualTo("{\"results\":[{\"statement_id\":0},{\"statement_id\":1}]}");
    assertThat(json(executor, cq.replace("mean", "max"))).contains("\"error\":\"continuous query already exists\"");
    assertThat(json(executor, cq.replace("ON db", "ON nope"))).contains("\"error\":\"database not found: nope\"");
    assertThat(json(executor, "DROP CONTINUOUS QUERY nope ON db")).isEqualTo("{\"results\":[{\"statement_id\":0}]}");
    json(executor, "DROP DATABASE db; CREATE DATABASE db");
    assertThat(json(executor, "SHOW CONTINUOUS QUERIES")).isEqualTo(
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"db\",\"columns\":[\"name\",\"query\"]}]}]}");
  }

  @Test
  void theConfigurationsQueriesAreKeptAsDeclaredAndInfluxQlOnesLeftAlone(@TempDir Path dir) throws Exception {
    ContinuousQueries queries = ContinuousQueries.open(dir.resolve("cq.json"));
    InMemoryTsdbStore store = new InMemoryTsdbStore();
    store.createDatabase("db");
    QueryExecutor executor = new QueryExecutor(store, new ManualClock(0), queries);
    json(executor, "CREATE CONTINUOUS QUERY mine ON db BEGIN SELECT count(v) INTO c FROM cpu GROUP BY time(1m) END;"
        + " CREATE CONTINUOUS QUERY taken ON db BEGIN SELECT sum(v) INTO s FROM cpu GROUP BY time(1m) END");

    assertThat(queries.applyDeclared(config(
        new TsdbNodeConfig.ContinuousQuery("down", "SELECT mean(v) INTO m FROM cpu GROUP BY time(1h), *", null, "2h"),
        new TsdbNodeConfig.ContinuousQuery("taken", "SELECT max(v) INTO x FROM cpu GROUP BY time(1m)", "30s", null),
        new TsdbNodeConfig.ContinuousQuery("bad", "SELECT mean(v) FROM cpu GROUP BY time(1m)", null, null))))
        .containsExactly(
            "continuous query bad on db refused: found FROM, expected INTO at line 1, char 56",
            "continuous query down on db created",
            "continuous query taken on db declared, replacing the one created with InfluxQL");
    assertThat(queries.all()).extracting(ContinuousQueries.Definition::name, ContinuousQueries.Definition::declared)
        .containsExactly(tuple("mine", false), tuple("taken", true), tuple("down", true));
    assertThat(queries.of("db").get(2).text())
        .isEqualTo("CREATE CONTINUOUS QUERY down ON db RESAMPLE FOR 2h BEGIN SELECT mean(v) INTO m FROM cpu GROUP BY time(1h), * END");

    // Applying the same configuration again changes nothing; leaving one out removes it.
    assertThat(queries.applyDeclared(config(
        new TsdbNodeConfig.ContinuousQuery("down", "SELECT mean(v) INTO m FROM cpu GROUP BY time(1h), *", null, "2h"))))
        .containsExactly("continuous query taken on db removed: no longer declared");
    assertThat(ContinuousQueries.open(dir.resolve("cq.json")).all())
        .extracting(ContinuousQueries.Definition::name).containsExactly("mine", "down");
    assertThat(queries.applyDeclared(config(
        new TsdbNodeConfig.ContinuousQuery("down", "SELECT mean(v) INTO m FROM cpu GROUP BY time(1h), *", null, "2h"))))
        .isEmpty();
  }

  private static TsdbNodeConfig config(TsdbNodeConfig.ContinuousQuery... queries) {
    return new TsdbNodeConfig(8086, 1, false, List.of(new TsdbNodeConfig.Database("db", List.of(), List.of(queries))));
  }

  private static String json(QueryExecutor executor, String query) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InfluxJson.write(executor.execute(query, new QueryContext("db", null)), new JsonOptions(false, null), out);
    return out.toString(StandardCharsets.UTF_8).strip();
  }
}
