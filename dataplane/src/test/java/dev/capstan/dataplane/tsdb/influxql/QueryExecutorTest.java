package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.tsdb.lineprotocol.LineProtocolParser;
import dev.capstan.dataplane.tsdb.lineprotocol.Precision;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The executor and JSON writer over the in-memory store, without influxd: expected answers are
 * influxd 1.6.7's, recorded from it for these fixtures.
 */
class QueryExecutorTest {
  private static final String FIXTURES = """
      cpu,host=a,region=eu v=1.5,i=3i,s="x" 1767225600000000000
      cpu,host=b,region=us v=2.5,i=4i 1767225610000000000
      cpu,host=a,region=eu v=3 1767225660000000000
      mem,host=a free=10i 1767225600000000000
      """;

  private InMemoryTsdbStore store;
  private QueryExecutor executor;

  @BeforeEach
  void setUp() {
    store = new InMemoryTsdbStore();
    store.createDatabase("db");
    store.write("db", null, LineProtocolParser.parse(FIXTURES.getBytes(StandardCharsets.UTF_8),
        Precision.NANOSECONDS, Instant.EPOCH).points());
    executor = new QueryExecutor(store, Clock.fixed(Instant.parse("2026-01-01T00:10:00Z"), ZoneOffset.UTC));
  }

  private String json(String query, JsonOptions options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InfluxJson.write(executor.execute(query, new QueryContext("db", null)), options, out);
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  private String json(String query) {
    return json(query, new JsonOptions(false, null));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "select mean(v) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"mean\"],\"values\":[[\"1970-01-01T00:00:00Z\",2.3333333333333335]]}]}]}",
      "select mean(v),mean(v) from cpu where time >= 1767225600000000000 and time < 1767225700000000000 group by time(30s)|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"mean\",\"mean_1\"],\"values\":[[\"2026-01-01T00:00:00Z\",2,2],[\"2026-01-01T00:00:30Z\",null,null],[\"2026-01-01T00:01:00Z\",3,3],[\"2026-01-01T00:01:30Z\",null,null]]}]}]}",
      "select max(v), min(v),first(v),last(i) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"max\",\"min\",\"first\",\"last\"],\"values\":[[\"1970-01-01T00:00:00Z\",3,1.5,1.5,4]]}]}]}",
      "select * from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"host\",\"i\",\"region\",\"s\",\"v\"],\"values\":[[\"2026-01-01T00:00:00Z\",\"a\",3,\"eu\",\"x\",1.5],[\"2026-01-01T00:00:10Z\",\"b\",4,\"us\",null,2.5],[\"2026-01-01T00:01:00Z\",\"a\",null,\"eu\",null,3]]}]}]}",
      "select v, mean(v) from cpu|{\"results\":[{\"statement_id\":0,\"error\":\"mixing aggregate and non-aggregate queries is not supported\"}]}",
      "select max(v),host from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"max\",\"host\"],\"values\":[[\"2026-01-01T00:01:00Z\",3,\"a\"]]}]}]}",
      "select top(v,2) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"top\"],\"values\":[[\"2026-01-01T00:00:10Z\",2.5],[\"2026-01-01T00:01:00Z\",3]]}]}]}",
      "select v + i, v*2 as dbl, -v from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"v_i\",\"dbl\",\"v\"],\"values\":[[\"2026-01-01T00:00:00Z\",4.5,3,-1.5],[\"2026-01-01T00:00:10Z\",6.5,5,-2.5],[\"2026-01-01T00:01:00Z\",null,6,-3]]}]}]}",
      "select sum(i), sum(v), mean(i), max(i), median(i) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"sum\",\"sum_1\",\"mean\",\"max\",\"median\"],\"values\":[[\"1970-01-01T00:00:00Z\",7,7,3.5,4,3.5]]}]}]}",
      "select mean(v) from cpu where time >= 1767225500000000000 and time < 1767225700000000000 group by time(1m,10s)|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"mean\"],\"values\":[[\"2025-12-31T23:58:10Z\",null],[\"2025-12-31T23:59:10Z\",1.5],[\"2026-01-01T00:00:10Z\",2.75],[\"2026-01-01T00:01:10Z\",null]]}]}]}",
      "select v from cpu limit 1; select v, mean(v) from cpu; show databases|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2026-01-01T00:00:00Z\",1.5]]}]},{\"statement_id\":1,\"error\":\"not executed\"}]}",
      "show retention policies|{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"name\",\"duration\",\"shardGroupDuration\",\"replicaN\",\"default\"],\"values\":[[\"autogen\",\"0s\",\"168h0m0s\",1,true]]}]}]}",
      "select v from nope|{\"results\":[{\"statement_id\":0}]}",
      "select v from cpu where host = 1|{\"results\":[{\"statement_id\":0}]}",
      // Transformations (the fill(0) case shows the extra interval read before the range) and cardinality.
      "select derivative(v) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"derivative\"],\"values\":[[\"2026-01-01T00:00:10Z\",0.1],[\"2026-01-01T00:01:00Z\",0.01]]}]}]}",
      "select derivative(mean(v)) from cpu where time >= 1767225600000000000 and time < 1767225720000000000 group by time(1m) fill(0)|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"derivative\"],\"values\":[[\"2026-01-01T00:00:00Z\",2],[\"2026-01-01T00:01:00Z\",1]]}]}]}",
      "select cumulative_sum(i), elapsed(i, 1s) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"cumulative_sum\",\"elapsed\"],\"values\":[[\"2026-01-01T00:00:00Z\",3,null],[\"2026-01-01T00:00:10Z\",7,10]]}]}]}",
      "select non_negative_difference(v) from cpu group by host|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"non_negative_difference\"],\"values\":[[\"2026-01-01T00:01:00Z\",1.5]]}]}]}",
      "show series cardinality; show series exact cardinality; show measurement exact cardinality where host = 'b'|{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"cardinality estimation\"],\"values\":[[3]]}]},{\"statement_id\":1,\"series\":[{\"name\":\"cpu\",\"columns\":[\"count\"],\"values\":[[2]]},{\"name\":\"mem\",\"columns\":[\"count\"],\"values\":[[1]]}]},{\"statement_id\":2,\"series\":[{\"columns\":[\"count\"],\"values\":[[1]]}]}]}",
      "show tag key cardinality group by host; show tag values cardinality with key =~ /./ group by region; show field key exact cardinality where region = 'eu'; show measurement cardinality group by host|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"count\"],\"values\":[[2]]},{\"name\":\"cpu\",\"tags\":{\"host\":\"b\"},\"columns\":[\"count\"],\"values\":[[2]]},{\"name\":\"mem\",\"tags\":{\"host\":\"a\"},\"columns\":[\"count\"],\"values\":[[1]]}]},{\"statement_id\":1,\"series\":[{\"name\":\"cpu\",\"tags\":{\"region\":\"eu\"},\"columns\":[\"count\"],\"values\":[[2]]},{\"name\":\"cpu\",\"tags\":{\"region\":\"us\"},\"columns\":[\"count\"],\"values\":[[2]]},{\"name\":\"mem\",\"tags\":{\"region\":\"\"},\"columns\":[\"count\"],\"values\":[[1]]}]},{\"statement_id\":2,\"series\":[{\"name\":\"cpu\",\"columns\":[\"count\"],\"values\":[[3]]}]},{\"statement_id\":3,\"series\":[{\"tags\":{\"host\":\"a\"},\"columns\":[\"count\"],\"values\":[[2]]},{\"tags\":{\"host\":\"b\"},\"columns\":[\"count\"],\"values\":[[1]]}]}]}",
      "select sum(max) from (select max(v) from cpu group by time(1m), host) where time >= 1767225600000000000 and time < 1767225720000000000 group by time(1m)|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"sum\"],\"values\":[[\"2026-01-01T00:00:00Z\",4],[\"2026-01-01T00:01:00Z\",3]]}]}]}",
      "select integral(v, 1m) from cpu where time >= 1767225600000000000 and time < 1767225720000000000 group by time(1m); select mode(i), mode(s) from cpu|{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"integral\"],\"values\":[[\"2026-01-01T00:00:00Z\",2.6250000000000004]]}]},{\"statement_id\":1,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"mode\",\"mode_1\"],\"values\":[[\"1970-01-01T00:00:00Z\",3,\"x\"]]}]}]}",
      "select derivative(v) from cpu group by time(1m)|{\"results\":[{\"statement_id\":0,\"error\":\"aggregate function required inside the call to derivative\"}]}",
  })
  void answersAsInfluxd(String query, String expected) {
    assertThat(json(query)).isEqualTo(expected);
  }

  @Test
  void transformationsOfSeriesMergedWithoutGroupByAnswerEveryPointOfTheirStream() {
    store.write("db", null, LineProtocolParser.parse("""
        t,host=a v=1 0
        t,host=b v=3 0
        t,host=a v=5 10000000000
        t,host=b v=7 10000000000
        """.getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, Instant.EPOCH).points());
    // The stream is 1, 3, 5, 7 (series in key order at each time); two points at each time, so
    // the columns are zipped by time and occurrence: the k-th point of a time beside the k-th.
    assertThat(json("select moving_average(v, 2) * 2, cumulative_sum(v) from t"))
        .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"t\",\"columns\":[\"time\",\"moving_average\",\"cumulative_sum\"],"
            + "\"values\":[[\"1970-01-01T00:00:00Z\",4,1],[\"1970-01-01T00:00:00Z\",null,4],"
            + "[\"1970-01-01T00:00:10Z\",8,9],[\"1970-01-01T00:00:10Z\",12,16]]}]}]}");
    assertThat(json("select exponential_moving_average(v, 2, 0) from t"))
        .as("weights 1, 2/3, then 2/3 once warm").contains("[[\"1970-01-01T00:00:00Z\",1],[\"1970-01-01T00:00:00Z\",2.333333333333333]");
  }

  @Test
  void prettyAndEpoch() {
    assertThat(json("select v from cpu where host = 'b'", new JsonOptions(false, "s")))
        .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"v\"],\"values\":[[1767225610,2.5]]}]}]}");
    assertThat(json("select v from nope; show databases", new JsonOptions(true, null))).isEqualTo("""
        {
            "results": [
                {
                    "statement_id": 0
                },
                {
                    "statement_id": 1,
                    "series": [
                        {
                            "name": "databases",
                            "columns": [
                                "name"
                            ],
                            "values": [
                                [
                                    "db"
                                ]
                            ]
                        }
                    ]
                }
            ]
        }""");
  }

  /**
   * A subquery's result is read as a store of one value per series and time: rows of two series
   * at one time, merged by the subquery, are refused rather than one of them silently kept.
   */
  @Test
  void subqueryRowsAtOneTimeAreRefusedNotDropped() {
    store.write("db", null, LineProtocolParser.parse("t,host=a v=1 5\nt,host=b v=2 5\n".getBytes(StandardCharsets.UTF_8),
        Precision.NANOSECONDS, Instant.EPOCH).points());
    assertThat(json("select count(v) from (select v from t)"))
        .contains("the subquery answers two rows at one time in t; group it by the tags that tell them apart");
    assertThat(json("select count(v) from (select v from t group by host)"))
        .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"t\",\"columns\":[\"time\",\"count\"],\"values\":[[\"1970-01-01T00:00:00Z\",2]]}]}]}");
    // Integers and floats under one column widen to float, as influxd casts them.
    assertThat(json("select sum(x) from (select max(v) as x from t), (select count(v) as x from t)"))
        .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"t\",\"columns\":[\"time\",\"sum\"],\"values\":[[\"1970-01-01T00:00:00Z\",4]]}]}]}");
  }

  @Test
  void chunkedSplitsSeriesIntoLines() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<StatementResult> results = executor.execute("select v from cpu group by host; show databases",
        new QueryContext("db", null));
    InfluxJson.writeChunked(results, new JsonOptions(false, null), 1, out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
        {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["2026-01-01T00:00:00Z",1.5]],"partial":true}],"partial":true}]}
        {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["2026-01-01T00:01:00Z",3]]}],"partial":true}]}
        {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","v"],"values":[["2026-01-01T00:00:10Z",2.5]]}]}]}
        {"results":[{"statement_id":1,"series":[{"name":"databases","columns":["name"],"values":[["db"]]}]}]}
        """);
  }

  @Test
  void parseErrorsAreThrownWithInfluxdsText() {
    assertThatThrownBy(() -> executor.execute("select from cpu", new QueryContext("db", null)))
        .isInstanceOf(QueryParseException.class)
        .extracting(e -> ((QueryParseException) e).influxMessage())
        .isEqualTo("error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8");
  }

  @Test
  void ddlChangesTheStore() {
    executor.execute("CREATE DATABASE d2; CREATE RETENTION POLICY week ON d2 DURATION 1w REPLICATION 1 DEFAULT",
        new QueryContext(null, null));
    assertThat(store.retentionPolicies("d2")).extracting(p -> p.name() + "/" + p.shardGroupDuration() + "/" + p.isDefault())
        .containsExactly("autogen/PT168H/false", "week/PT24H/true");
    executor.execute("DELETE FROM cpu WHERE host = 'a' AND time < '2026-01-01T00:00:30Z'", new QueryContext("db", null));
    assertThat(json("select count(v) from cpu")).contains("[\"1970-01-01T00:00:00Z\",2]");
    executor.execute("DROP SERIES FROM cpu WHERE host = 'b'; DROP MEASUREMENT mem", new QueryContext("db", null));
    assertThat(store.series("db", null)).extracting(k -> k.text()).containsExactly("cpu,host=a,region=eu");
  }

  @Test
  void nowComesFromTheClock() {
    assertThat(json("select v from cpu where time > now() - 9m30s"))
        .isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2026-01-01T00:01:00Z\",3]]}]}]}");
  }

  @Test
  void showStatsAndDiagnosticsListWhatTheNodesMonitorReports() {
    Monitor monitor = new Monitor() {
      @Override
      public List<Statistic> statistics() {
        return List.of(new Statistic("runtime", Map.of(), Map.of("NumGC", 3L, "Alloc", 10L)),
            new Statistic("database", Map.of("database", "db"), Map.of("numSeries", 2)));
      }

      @Override
      public List<Diagnostic> diagnostics() {
        return List.of(new Diagnostic("system", Map.of("PID", 7L)), new Diagnostic("build", Map.of("Version", "v")));
      }
    };
    java.util.function.Function<String, String> run = q -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InfluxJson.write(executor.execute(q, new QueryContext("db", null, monitor)), new JsonOptions(false, null), out);
      return out.toString(StandardCharsets.UTF_8).strip();
    };

    // Values in columns sorted by name; sections sorted by name; FOR keeps one module.
    assertThat(run.apply("SHOW STATS")).isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
        + "{\"name\":\"runtime\",\"columns\":[\"Alloc\",\"NumGC\"],\"values\":[[10,3]]},"
        + "{\"name\":\"database\",\"tags\":{\"database\":\"db\"},\"columns\":[\"numSeries\"],\"values\":[[2]]}]}]}");
    assertThat(run.apply("SHOW STATS FOR 'database'")).doesNotContain("runtime").contains("numSeries");
    assertThat(run.apply("SHOW STATS FOR 'nope'")).isEqualTo("{\"results\":[{\"statement_id\":0}]}");
    assertThat(run.apply("SHOW DIAGNOSTICS")).isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
        + "{\"name\":\"build\",\"columns\":[\"Version\"],\"values\":[[\"v\"]]},"
        + "{\"name\":\"system\",\"columns\":[\"PID\"],\"values\":[[7]]}]}]}");
    assertThat(run.apply("SHOW DIAGNOSTICS FOR 'system'")).doesNotContain("build");
  }

  @Test
  void showUsersListsTheNodesUsersAsAdminsAndShowGrantsKnowsThem() {
    Monitor monitor = new Monitor() {
      @Override
      public List<String> users() {
        return List.of("zoe", "admin");
      }
    };
    java.util.function.Function<String, String> run = q -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InfluxJson.write(executor.execute(q, new QueryContext("db", null, monitor)), new JsonOptions(false, null), out);
      return out.toString(StandardCharsets.UTF_8).strip();
    };

    assertThat(run.apply("SHOW USERS")).isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
        + "{\"columns\":[\"user\",\"admin\"],\"values\":[[\"admin\",true],[\"zoe\",true]]}]}]}");
    assertThat(run.apply("SHOW GRANTS FOR zoe")).isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
        + "{\"columns\":[\"database\",\"privilege\"]}]}]}");
    assertThat(run.apply("SHOW GRANTS FOR \"bob\"")).isEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"user not found\"}]}");
    assertThat(run.apply("SHOW SUBSCRIPTIONS")).isEqualTo("{\"results\":[{\"statement_id\":0}]}");
  }
}
