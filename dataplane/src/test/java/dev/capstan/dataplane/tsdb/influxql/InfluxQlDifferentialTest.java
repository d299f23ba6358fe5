package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.testing.Influxd;
import dev.capstan.dataplane.tsdb.lineprotocol.LineProtocolParser;
import dev.capstan.dataplane.tsdb.lineprotocol.ParseResult;
import dev.capstan.dataplane.tsdb.lineprotocol.Precision;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The proof: the same fixtures written to a real influxd 1.6.7 and to Capstan's executor over an
 * in-memory store, then the same queries against both, answers compared structurally (numbers by
 * value within 1e-9 relative, strings and times exactly). Runs in order, since DDL cases change
 * what later cases see. Skipped when influxd is not installed.
 */
@Tag("differential")
class InfluxQlDifferentialTest {
  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Influxd influxd;
  private static Path dir;
  private static HttpClient http;
  private static InMemoryTsdbStore store;
  private static QueryExecutor executor;

  /** A query with its db parameter and output options (pretty, epoch, chunk size; 0: unchunked). */
  record Case(String db, String query, boolean pretty, String epoch, int chunkSize) {
    Case(String db, String query, boolean pretty, String epoch) {
      this(db, query, pretty, epoch, 0);
    }

    static Case q(String query) {
      return new Case("db", query, false, null);
    }

    static Case noDb(String query) {
      return new Case(null, query, false, null);
    }

    static Case chunked(String query, int chunkSize) {
      return new Case("db", query, false, null, chunkSize);
    }

    String label() {
      return (db == null ? "" : "[" + db + "] ") + (pretty ? "[pretty] " : "")
          + (epoch == null ? "" : "[epoch=" + epoch + "] ")
          + (chunkSize == 0 ? "" : "[chunk_size=" + chunkSize + "] ") + query;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    Optional<Path> binary = Influxd.binary();
    Assumptions.assumeTrue(binary.isPresent(),
        "influxd 1.6.7 is not installed (looked on PATH and in /usr/bin); the differential test needs it");
    dir = Files.createTempDirectory("influxd-diff");
    influxd = Influxd.start(binary.get(), dir, false, Influxd.DEFAULT_MAX_BODY_SIZE);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    store = new InMemoryTsdbStore();
    executor = new QueryExecutor(store, Clock.systemUTC());
    for (String db : List.of("db", "db2", "ties", "tz")) {
      both(db, "CREATE DATABASE " + db);
    }
    write("db", fixtures(new Random(42)));
    write("db2", "cpu,host=z v=42 " + T0 + "\ncpu,host=z v=43 " + (T0 + 1_000_000_000L) + "\n");
    StringBuilder ties = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      for (String h : List.of("a", "b", "c")) {
        ties.append("t,host=").append(h).append(" v=").append(i * 10 + h.charAt(0) - 'a').append(' ')
            .append(T0 + i * 1_000_000_000L).append('\n');
      }
    }
    write("ties", ties.toString());
    write("tz", zoneFixtures());
  }

  /**
   * Hourly points around daylight-saving changes (America/Chicago in March and November 2018,
   * Europe/Berlin in March, Australia/Lord_Howe's half-hour change in April), and a daily
   * series with gaps across them for fill().
   */
  static String zoneFixtures() {
    StringBuilder sb = new StringBuilder();
    long hour = 3_600_000_000_000L;
    for (String[] span : new String[][] {{"2018-03-08T00:00:00Z", "2018-03-14T00:00:00Z"},
        {"2018-03-24T00:00:00Z", "2018-03-28T00:00:00Z"}, {"2018-03-30T00:00:00Z", "2018-04-02T00:00:00Z"},
        {"2018-10-31T00:00:00Z", "2018-11-07T00:00:00Z"}}) {
      long from = Instant.parse(span[0]).getEpochSecond() * 1_000_000_000L;
      long to = Instant.parse(span[1]).getEpochSecond() * 1_000_000_000L;
      for (long t = from; t < to; t += hour) {
        long n = (t / hour) % 17;
        sb.append("h,loc=x v=").append(n * 1.5).append(",i=").append(n).append("i ").append(t).append('\n');
      }
    }
    for (String day : List.of("2018-03-08", "2018-03-13", "2018-11-01", "2018-11-06")) {
      sb.append("gap v=").append(day.charAt(9) - '0').append(".5,i=").append(day.charAt(9) - '0').append("i ")
          .append(Instant.parse(day + "T12:00:00Z").getEpochSecond() * 1_000_000_000L).append('\n');
    }
    return sb.toString();
  }

  private static final java.util.concurrent.atomic.AtomicInteger BYTE_IDENTICAL =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger WITHIN_TOLERANCE =
      new java.util.concurrent.atomic.AtomicInteger();

  @AfterAll
  static void stop() throws Exception {
    System.out.println("differential: " + BYTE_IDENTICAL + " answers byte-identical to influxd, "
        + WITHIN_TOLERANCE + " equal within 1e-9 (order of float additions)");
    if (influxd != null) {
      influxd.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + influxd.port() + pathAndQuery);
  }

  /** Deterministic fixtures: irregular times, missing fields, several types, odd names. */
  static String fixtures(Random random) {
    StringBuilder sb = new StringBuilder();
    String[][] hosts = {{"a", "eu"}, {"b", "us"}, {"c", "eu"}};
    for (int i = 0; i < 40; i++) {
      for (String[] h : hosts) {
        if (random.nextInt(5) == 0) {
          continue;
        }
        // Series never share a timestamp: influxd orders such ties arbitrarily (see KNOWN).
        long t = T0 + i * 10_000_000_000L + (h[0].charAt(0) - 'a') * 1_000_000_000L;
        sb.append("cpu,host=").append(h[0]).append(",region=").append(h[1]).append(' ');
        List<String> fields = new ArrayList<>();
        if (random.nextInt(6) != 0) {
          fields.add("v=" + String.format(Locale.ROOT, "%.2f", random.nextDouble() * 100));
        }
        if (random.nextInt(3) != 0) {
          fields.add("i=" + (random.nextInt(200) - 50) + "i");
        }
        if (random.nextInt(4) == 0) {
          fields.add("s=\"" + (char) ('p' + random.nextInt(4)) + "\"");
        }
        if (random.nextInt(4) == 0) {
          fields.add("ok=" + random.nextBoolean());
        }
        if (fields.isEmpty()) {
          fields.add("v=0.5");
        }
        sb.append(String.join(",", fields)).append(' ').append(t).append('\n');
      }
    }
    for (int i = 0; i < 12; i++) {
      sb.append("mem,host=").append(i % 2 == 0 ? "a" : "b").append(" free=").append(1000 - i * 7)
          .append("i,used=").append(i * 1.25).append(' ').append(T0 + i * 30_000_000_000L).append('\n');
    }
    for (int i = 0; i < 5; i++) {
      sb.append("disk value=").append(i * 0.1).append(' ').append(T0 + i * 3_600_000_000_000L).append('\n');
    }
    sb.append("my\\ meas,tag\\ key=va\\ lue f=1 ").append(T0).append('\n');
    sb.append("my\\ meas,tag\\ key=other f=2 ").append(T0 + 5_000_000_000L).append('\n');
    sb.append("events,kind=click count=3i,label=\"x<y&z\" ").append(T0 + 7_000_000_000L).append('\n');
    sb.append("events,kind=view count=5i,label=\"a\\\"b\" ").append(T0 + 8_000_000_000L).append('\n');
    sb.append("events count=1i ").append(T0 + 9_000_000_000L).append('\n');
    return sb.toString();
  }

  private static void write(String db, String lines) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/write?db=" + db))
            .POST(HttpRequest.BodyPublishers.ofString(lines)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    ParseResult parsed = LineProtocolParser.parse(lines.getBytes(StandardCharsets.UTF_8),
        Precision.NANOSECONDS, Instant.now());
    assertThat(parsed.errors()).isEmpty();
    store.write(db, null, parsed.points());
  }

  private static String[] both(String db, String query) throws Exception {
    Case c = new Case(db, query, false, null);
    return new String[] {influx(c), capstan(c)};
  }

  static String influx(Case c) throws Exception {
    String form = "q=" + URLEncoder.encode(c.query(), StandardCharsets.UTF_8)
        + (c.db() == null ? "" : "&db=" + c.db())
        + (c.epoch() == null ? "" : "&epoch=" + c.epoch());
    // influxd reads pretty from the URL only, not from a form body.
    String params = (c.pretty() ? "&pretty=true" : "")
        + (c.chunkSize() > 0 ? "&chunked=true&chunk_size=" + c.chunkSize() : "");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            uri("/query" + (params.isEmpty() ? "" : "?" + params.substring(1))))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  static String capstan(Case c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonOptions options = new JsonOptions(c.pretty(), c.epoch());
    try {
      List<StatementResult> results = executor.execute(c.query(), new QueryContext(c.db(), null));
      if (c.chunkSize() > 0) {
        InfluxJson.writeChunked(results, options, c.chunkSize(), out);
      } else {
        InfluxJson.write(results, options, out);
      }
    } catch (QueryParseException e) {
      InfluxJson.writeError(e.influxMessage(), options, out);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @TestFactory
  Stream<DynamicTest> capstanAnswersAsInfluxdDoes() {
    return cases().stream().map(InfluxQlDifferentialTest::differential);
  }

  /**
   * Where Capstan answers differently, on purpose or for now; enabled, each of these fails. Not
   * listed: the few float results that differ in the last bit because influxd adds in another
   * order (stddev, means under ORDER BY time DESC); those are compared within 1e-9 above.
   */
  @Disabled("known differences from influxd 1.6.7, kept as executable documentation")
  @TestFactory
  Stream<DynamicTest> knownDifferences() {
    return Stream.of(
        // Rows of different series at the same time, without GROUP BY: influxd's merge heap
        // orders such ties arbitrarily; Capstan orders them by series key.
        new Case("ties", "SELECT v FROM t", false, null),
        // influxd prefixes the shard ("shard 1: ...").
        Case.q("DROP SERIES FROM cpu WHERE v > 1"),
        // influxd merges one measurement read from two databases into one series.
        Case.q("SELECT v FROM db2.autogen.cpu, cpu LIMIT 1"),
        // Not implemented: Capstan answers "... is not supported by Capstan".
        // A subquery beside a measurement: Capstan asks for two subqueries instead.
        Case.q("SELECT max(v) FROM (SELECT v FROM cpu), mem"),
        // influxd lists its _internal database and prints the statement with INTO and FROM
        // qualified (db.autogen.m); Capstan prints it as written.
        Case.q("SHOW CONTINUOUS QUERIES"),
        // influxd 1.6.7's abs() returns an integer unchanged (-34 for -34); Capstan answers 34.
        Case.q("SELECT round(mean(v)), abs(min(i)) FROM cpu GROUP BY host"),
        Case.q("SELECT abs(free - 1000) FROM mem LIMIT 4"),
        // Raw rows of a subquery's aggregates come one series after the other in influxd, not
        // in time order as Capstan (and influxd for raw subqueries) merges them.
        Case.q("SELECT max FROM (SELECT max(v) FROM cpu GROUP BY host)"),
        // Rows of several series at one time in a subquery's result: influxd keeps them all,
        // Capstan refuses the query and asks for a GROUP BY that tells them apart.
        new Case("ties", "SELECT count(v) FROM (SELECT v FROM t)", false, null),
        // influxd's integral() answers its groups out of order, the last interval of some as a
        // series of its own after the others (same values); under ORDER BY time DESC negative
        // areas and an extra row, or nothing: Capstan refuses DESC there.
        Case.q("SELECT integral(v) FROM cpu GROUP BY host"),
        Case.q("SELECT integral(i, 1m) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m), host"),
        Case.q("SELECT integral(v) FROM cpu ORDER BY time DESC"),
        // Beside another aggregate over a range, influxd answers integral() at time 0 on a row
        // of its own; Capstan answers one row at the range's start.
        Case.q("SELECT integral(v), mean(v) FROM cpu WHERE time >= '2026-01-01T00:01:00Z'"),
        // influxd takes the time comparisons out of the condition, ORed or not ("time < t OR
        // v > 90" filters on v > 90 within time < t); Capstan evaluates the OR per row.
        Case.q("SELECT v FROM cpu WHERE time < '2026-01-01T00:03:00Z' OR v > 90 LIMIT 3"),
        // SOFFSET without SLIMIT: influxd answers no series at all; Capstan skips the first ones.
        Case.q("SELECT count(v) FROM cpu GROUP BY host SOFFSET 1"),
        // OFFSET without LIMIT on raw rows under DESC: influxd answers one row.
        Case.q("SELECT v FROM cpu WHERE host = 'b' ORDER BY time DESC OFFSET 3"),
        // LIMIT under fill(none) with several calls: influxd limits each call's points, so the
        // rows are the union of each call's first n; Capstan limits rows.
        Case.q("SELECT last(v), last(ok) FROM cpu GROUP BY time(45s) fill(none) ORDER BY time DESC LIMIT 2"),
        // top() with GROUP BY time and LIMIT: influxd limits the points top() sees, answering
        // points that are not the bucket's top; Capstan limits the rows of the true top.
        Case.q("SELECT top(v, 3) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(1m, 5s) LIMIT 3"),
        // influxd answers sample() beside another function with rows of each that do not line
        // up (the aggregate's at time 0); Capstan refuses, as for derivative(sample()).
        Case.q("SELECT sample(v, 1000), mean(v) FROM cpu"),
        // influxd 1.6.7 fails with an index out of range (a period of 1 leaves no window);
        // Capstan says the period must be at least 2 without a warm-up.
        Case.q("SELECT chande_momentum_oscillator(v, 1) FROM cpu"),
        // influxd's holt_winters reads the buckets newest first under ORDER BY time DESC, finds
        // its first bucket after its last and answers nothing; Capstan forecasts, newest first.
        Case.q("SELECT holt_winters(mean(v), 3, 0) FROM cpu WHERE time < '2026-01-01T00:03:00Z' GROUP BY time(20s) ORDER BY time DESC"),
        // influxd answers a row per interval since 1677; Capstan refuses GROUP BY time() there.
        Case.q("SHOW SERIES CARDINALITY GROUP BY time(1h) LIMIT 2"),
        // influxd shows the aggregate's row at time 0 among the transformation's rows; Capstan
        // refuses to mix a transformation of raw values with an aggregate.
        Case.q("SELECT derivative(v), mean(v) FROM cpu"),
        Case.q("SELECT mean(v), derivative(v) FROM cpu GROUP BY host")
    ).map(InfluxQlDifferentialTest::differential);
  }

  private static DynamicTest differential(Case c) {
    return DynamicTest.dynamicTest(c.label(), () -> {
          String[] answers = {influx(c), capstan(c)};
          // A chunked answer is one JSON document per line; compare them as an array.
          JsonNode expected = JSON.readTree(c.chunkSize() == 0 ? answers[0]
              : "[" + String.join(",", answers[0].strip().split("\n")) + "]");
          JsonNode actual = JSON.readTree(c.chunkSize() == 0 ? answers[1]
              : "[" + String.join(",", answers[1].strip().split("\n")) + "]");
          List<String> diffs = new ArrayList<>();
          List<String> inexact = new ArrayList<>();
          compare("$", expected, actual, diffs, inexact);
          assertThat(diffs).as("%s%ninfluxd: %s%ncapstan: %s", c.label(), answers[0], answers[1]).isEmpty();
          // Beyond structure, the bytes: number texts, key order, escaping, indentation. A few
          // float results differ in the last bit (stddev's and DESC means' order of additions
          // in influxd's merged streams); such answers are compared within 1e-9 only.
          if (inexact.isEmpty()) {
            assertThat(answers[1]).isEqualTo(answers[0]);
            BYTE_IDENTICAL.incrementAndGet();
          } else {
            WITHIN_TOLERANCE.incrementAndGet();
            System.out.println("within 1e-9 only: " + c.label() + " at " + inexact);
          }
        });
  }

  static void compare(String path, JsonNode e, JsonNode a, List<String> diffs, List<String> inexact) {
    if (e.isNumber() && a.isNumber()) {
      double x = e.asDouble();
      double y = a.asDouble();
      if (x != y && Math.abs(x - y) > 1e-9 * Math.max(Math.abs(x), Math.abs(y))) {
        diffs.add(path + ": " + e + " != " + a);
      } else if (x != y) {
        inexact.add(path);
      }
      if (e.isIntegralNumber() != a.isIntegralNumber()) {
        diffs.add(path + ": integer vs float " + e + " / " + a);
      }
    } else if (e.isObject() && a.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = e.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!a.has(f.getKey())) {
          diffs.add(path + "." + f.getKey() + " missing");
        } else {
          compare(path + "." + f.getKey(), f.getValue(), a.get(f.getKey()), diffs, inexact);
        }
      }
      a.fieldNames().forEachRemaining(k -> {
        if (!e.has(k)) {
          diffs.add(path + "." + k + " unexpected");
        }
      });
    } else if (e.isArray() && a.isArray()) {
      if (e.size() != a.size()) {
        diffs.add(path + ": " + e.size() + " elements != " + a.size());
      }
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        compare(path + "[" + i + "]", e.get(i), a.get(i), diffs, inexact);
      }
    } else if (!e.equals(a)) {
      diffs.add(path + ": " + e + " != " + a);
    }
  }

  /**
   * derivative, non_negative_derivative, difference, non_negative_difference, moving_average,
   * cumulative_sum and elapsed: raw and over GROUP BY time buckets, several series and GROUP BY
   * tags, DESC, LIMIT/OFFSET, empty buckets under each fill, integer fields, and the errors.
   */
  static List<Case> transformationCases() {
    List<Case> c = new ArrayList<>();
    String r5 = " WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z'";
    String r10 = " WHERE time >= '2026-01-01T00:01:00Z' AND time < '2026-01-01T00:10:00Z'";
    String mid = " WHERE time >= '2026-01-01T00:00:20Z' AND time < '2026-01-01T00:02:40Z'";
    List<String> raw = List.of("derivative(v)", "derivative(v, 1m)", "non_negative_derivative(v)",
        "non_negative_derivative(v, 10s)", "difference(v)", "non_negative_difference(v)",
        "derivative(i)", "difference(i)", "non_negative_difference(i)", "moving_average(v, 2)",
        "moving_average(i, 3)", "cumulative_sum(v)", "cumulative_sum(i)", "elapsed(v)",
        "elapsed(v, 1s)", "elapsed(s, 1ms)", "elapsed(ok, 1m)");
    for (String f : raw) {
      c.add(Case.q("SELECT " + f + " FROM cpu WHERE host = 'a'"));
      c.add(Case.q("SELECT " + f + " FROM cpu GROUP BY host"));
    }
    for (String f : List.of("derivative(v)", "difference(i)", "moving_average(v, 3)",
        "cumulative_sum(i)", "elapsed(v, 1s)", "non_negative_derivative(i, 1m)")) {
      c.add(Case.q("SELECT " + f + " FROM cpu"));
      c.add(Case.q("SELECT " + f + " FROM cpu GROUP BY host ORDER BY time DESC"));
      c.add(Case.q("SELECT " + f + " FROM cpu" + mid + " GROUP BY region LIMIT 3 OFFSET 2"));
      c.add(Case.q("SELECT " + f + " FROM cpu WHERE v > 30 AND host = 'b' ORDER BY time DESC LIMIT 4"));
    }
    for (String f : List.of("derivative(mean(v))", "derivative(mean(v), 1s)", "derivative(sum(i), 10s)",
        "non_negative_derivative(max(v))", "non_negative_derivative(last(i), 1s)", "difference(mean(v))",
        "difference(count(v))", "non_negative_difference(sum(i))", "moving_average(mean(v), 2)",
        "moving_average(max(i), 4)", "cumulative_sum(mean(v))", "cumulative_sum(count(i))",
        "elapsed(mean(v))", "elapsed(first(s), 1s)")) {
      for (String fill : List.of("", " fill(none)", " fill(0)", " fill(previous)", " fill(linear)")) {
        c.add(Case.q("SELECT " + f + " FROM cpu WHERE host = 'a' AND time >= '2026-01-01T00:00:00Z'"
            + " AND time < '2026-01-01T00:07:00Z' GROUP BY time(20s)" + fill));
      }
      c.add(Case.q("SELECT " + f + " FROM cpu" + r5 + " GROUP BY time(1m)"));
      c.add(Case.q("SELECT " + f + " FROM cpu" + r10 + " GROUP BY time(1m), host"));
      c.add(Case.q("SELECT " + f + " FROM cpu" + r10 + " GROUP BY time(90s), host ORDER BY time DESC"));
      c.add(Case.q("SELECT " + f + " FROM cpu" + r10 + " GROUP BY time(30s) LIMIT 4 OFFSET 1"));
      c.add(Case.q("SELECT " + f + " FROM cpu WHERE time >= '2026-01-01T00:00:30Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(1m), region ORDER BY time DESC LIMIT 3"));
    }
    for (String q : List.of(
        // Several columns: each is its own stream, zipped by time.
        "SELECT derivative(v), difference(v), cumulative_sum(v) FROM cpu WHERE host = 'c'",
        "SELECT derivative(v) AS d, non_negative_derivative(v) AS nnd FROM cpu GROUP BY host",
        "SELECT derivative(mean(v)), mean(v) FROM cpu" + r5 + " GROUP BY time(1m)",
        "SELECT cumulative_sum(sum(i)), derivative(sum(i)) FROM cpu" + r10 + " GROUP BY time(1m), host",
        "SELECT moving_average(v, 2), elapsed(i) FROM cpu WHERE host = 'a' LIMIT 3",
        "SELECT derivative(v) * 60, difference(i) + 1 FROM cpu WHERE host = 'b'",
        "SELECT derivative(*) FROM cpu WHERE host = 'a' LIMIT 5",
        "SELECT cumulative_sum(*), elapsed(*, 1s) FROM mem",
        "SELECT derivative(mean(v), 1m) FROM cpu WHERE v > 20 AND time >= '2026-01-01T00:01:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT derivative(free) FROM mem GROUP BY host",
        "SELECT non_negative_difference(free) FROM mem",
        "SELECT derivative(used, 1h) FROM mem WHERE host = 'a' ORDER BY time DESC",
        "SELECT derivative(mean(used)) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(1m)",
        "SELECT derivative(value) FROM disk",
        "SELECT derivative(mean(value), 1h) FROM disk WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T05:00:00Z' GROUP BY time(1h)",
        "SELECT derivative(v) FROM cpu WHERE host = 'nope'",
        "SELECT derivative(v) FROM nope",
        "SELECT derivative(mean(v)) FROM cpu GROUP BY time(1m)",
        // No upper bound: the buckets run to now(). Day buckets, so that influxd and Capstan
        // asked a second apart agree except across midnight UTC.
        "SELECT difference(count(v)) FROM cpu WHERE time >= '2026-01-01T00:00:30Z' GROUP BY time(1d) fill(0) ORDER BY time DESC LIMIT 3",
        "SELECT cumulative_sum(count(v)) FROM cpu WHERE time >= '2026-01-01T00:00:30Z' GROUP BY time(1d) fill(none) ORDER BY time DESC",
        "SELECT derivative(mean(v)) FROM cpu WHERE time < '2026-01-01T00:04:00Z' GROUP BY time(1m) ORDER BY time DESC",
        // Errors, as influxd words them.
        "SELECT derivative(v) FROM cpu" + r5 + " GROUP BY time(1m)",
        "SELECT derivative(mean(v)) FROM cpu", "SELECT difference(mean(v)) FROM cpu GROUP BY host",
        "SELECT derivative(v), v FROM cpu", "SELECT derivative(v, 10) FROM cpu",
        "SELECT derivative(v, 1s, 2) FROM cpu", "SELECT derivative() FROM cpu",
        "SELECT derivative(v, -1s) FROM cpu", "SELECT derivative(v, 0s) FROM cpu",
        "SELECT difference(v, 1s) FROM cpu", "SELECT non_negative_difference() FROM cpu",
        "SELECT moving_average(v) FROM cpu", "SELECT moving_average(v, 1) FROM cpu",
        "SELECT moving_average(v, 2.5) FROM cpu", "SELECT moving_average(v, 1s) FROM cpu",
        "SELECT cumulative_sum(v, 2) FROM cpu", "SELECT elapsed(v, 2) FROM cpu",
        "SELECT elapsed(v, 1s, 2) FROM cpu", "SELECT elapsed() FROM cpu",
        "SELECT derivative(s) FROM cpu", "SELECT difference(ok) FROM cpu",
        "SELECT cumulative_sum(s) FROM cpu", "SELECT moving_average(ok, 2) FROM cpu",
        "SELECT derivative(foo(v)) FROM cpu" + r5 + " GROUP BY time(1m)",
        // Edges: mixed with an aggregate, several measurements, offsets, SLIMIT, DISTINCT.
        "SELECT derivative(v) FROM cpu, mem", "SELECT difference(free), derivative(v) FROM cpu, mem GROUP BY host",
        "SELECT derivative(mean(v)) FROM cpu WHERE time >= '2026-01-01T00:00:20Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m, 15s)",
        "SELECT derivative(mean(v)) FROM cpu" + r10 + " GROUP BY time(1m), host SLIMIT 2 SOFFSET 1",
        "SELECT derivative(v) FROM cpu WHERE time > now() - 1h", "SELECT DERIVATIVE(v) FROM cpu WHERE host = 'a'",
        "SELECT derivative(v) FROM cpu GROUP BY *", "SELECT derivative(count(s)) FROM cpu" + r10 + " GROUP BY time(1m)",
        "SELECT elapsed(ok) FROM cpu ORDER BY time DESC LIMIT 3", "SELECT derivative(v) FROM cpu WHERE time = '2026-01-01T00:00:02Z'",
        "SELECT cumulative_sum(v) FROM cpu ORDER BY time DESC LIMIT 3 OFFSET 1",
        "SELECT non_negative_derivative(mean(v), 1s) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time <= '2026-01-01T00:06:00Z' GROUP BY time(1m), host fill(none)",
        "SELECT derivative(mean(*)) FROM cpu" + r5 + " GROUP BY time(1m)", "SELECT derivative(top(v, 2)) FROM cpu" + r5 + " GROUP BY time(1m)",
        "SELECT derivative(distinct(v)) FROM cpu" + r5 + " GROUP BY time(1m)", "SELECT derivative(derivative(v)) FROM cpu",
        "SELECT derivative(v) + difference(v) FROM cpu WHERE host = 'a'", "SELECT derivative(percentile(v, 50)) FROM cpu" + r5 + " GROUP BY time(1m)",
        "SELECT derivative(mean(v)) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:00:01Z' GROUP BY time(1m)",
        "SELECT derivative(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY host fill(0)",
        // As Grafana's InfluxDB datasource writes them ($timeFilter in ms, quoted names).
        "SELECT non_negative_derivative(mean(\"v\"), 1s) FROM \"cpu\" WHERE time >= 1767225600000ms and time <= 1767226020000ms GROUP BY time(20s), \"host\" fill(null)",
        "SELECT non_negative_derivative(last(\"i\"), 10s) AS \"rate\" FROM \"autogen\".\"cpu\" WHERE (\"host\" = 'a') AND time >= 1767225600000ms and time <= 1767226020000ms GROUP BY time(30s) fill(none)",
        "SELECT difference(sum(\"free\")) AS \"d\", cumulative_sum(sum(\"free\")) FROM \"mem\" WHERE time >= 1767225600000ms and time <= 1767226020000ms GROUP BY time(1m), \"host\" fill(0)",
        "SELECT mean(derivative(v)) FROM cpu", "SELECT derivative(v) FROM cpu WHERE host = 'b' fill(0)",
        "SELECT derivative(/v|i/, 1m) FROM cpu LIMIT 4", "SELECT derivative(max(/v|i/)) FROM cpu" + r5 + " GROUP BY time(1m)",
        "SELECT derivative(v) FROM cpu GROUP BY host SLIMIT 1", "SELECT derivative(mean(v)) FROM cpu" + r5 + " GROUP BY time(1m) LIMIT 0",
        "SELECT derivative(1) FROM cpu", "SELECT derivative(v, 'x') FROM cpu", "SELECT moving_average(v, 100000000) FROM cpu")) {
      c.add(Case.q(q));
    }
    return c;
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    String range = " WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:07:00Z'";
    // --- parse errors ---
    for (String q : List.of("foo", "SELECT", "SELECT FROM cpu", "SELECT v FROM", "SELECT v FROM cpu WHERE",
        "SELECT v FROM cpu WHERE v >", "SELECT v FROM cpu GROUP time(1m)", "SELECT v FROM cpu LIMIT x",
        "SELECT v FROM cpu ORDER BY v", "SELECT v FROM cpu ORDER BY", "SHOW", "SHOW FOO", "CREATE",
        "CREATE DATABASE", "DROP", "DROP RETENTION POLICY x", "SELECT v FROM cpu; foo",
        "SELECT v FROM cpu WHERE host = 'a", "SELECT v FROM cpu WHERE host =~ /a", "SELECT v, FROM cpu",
        "SELECT v FROM cpu SLIMIT", "SELECT v > 1 FROM cpu", "SELECT v FROM cpu WHERE v = 1 AND",
        "SELECT \"v FROM cpu", "SHOW TAG VALUES FROM cpu", "SHOW TAG VALUES WITH KEY host",
        "DELETE", "DROP SERIES", "CREATE RETENTION POLICY rp ON db DURATION 1h",
        "CREATE RETENTION POLICY rp ON db DURATION 1h REPLICATION 0",
        "ALTER RETENTION POLICY autogen ON db", "SELECT v FROM cpu fill(foo)",
        "SELECT v FROM cpu GROUP BY time(1m) fill(1,2)", "SELECT mean(v) FROM cpu WHERE time > now() - 1x",
        "SELECT v FROM cpu\nWHERE\n", "SELECT v FROM a.b.c.d", "SELECT v FROM cpu LIMIT 1 OFFSET",
        "SHOW MEASUREMENTS WITH MEASUREMENT", "SHOW MEASUREMENTS WITH MEASUREMENT > cpu",
        "SHOW RETENTION POLICIES ON", "SELECT v FROM cpu WHERE time > 1h30", "SELECT 'a' + FROM cpu",
        "SELECT v FROM cpu -- comment", "SELECT v /* c */ FROM cpu LIMIT 1", "SELECT v FROM cpu WHERE (v > 1",
        "SELECT v::bogus FROM cpu", "SELECT * ::field FROM cpu LIMIT 1")) {
      c.add(Case.q(q));
    }
    // --- raw ---
    for (String q : List.of(
        "SELECT * FROM cpu", "SELECT v FROM cpu", "SELECT v, i FROM cpu", "SELECT i, v FROM cpu LIMIT 5",
        "SELECT * FROM cpu LIMIT 3 OFFSET 2", "SELECT v FROM cpu ORDER BY time DESC LIMIT 4",
        "SELECT v, host FROM cpu LIMIT 6", "SELECT v AS value, i AS v FROM cpu LIMIT 3",
        "SELECT v, v FROM cpu LIMIT 2", "SELECT v + i, v * 2, v - 1, v / 4, i % 7, -v FROM cpu LIMIT 8",
        "SELECT (v + 1) * 2 AS x FROM cpu LIMIT 3", "SELECT i / 2, i * 2, i + i FROM cpu LIMIT 5",
        "SELECT s, ok FROM cpu", "SELECT * FROM mem", "SELECT free FROM mem WHERE host = 'a'",
        "SELECT * FROM cpu WHERE host = 'b'", "SELECT v FROM cpu WHERE host != 'a'",
        "SELECT v FROM cpu WHERE host =~ /^[ab]$/", "SELECT v FROM cpu WHERE host !~ /a/",
        "SELECT v FROM cpu WHERE v > 50", "SELECT v, i FROM cpu WHERE i < 0",
        "SELECT v FROM cpu WHERE v > 20 AND v < 60", "SELECT v FROM cpu WHERE v < 10 OR v > 90",
        "SELECT v FROM cpu WHERE host = 'a' AND (v > 50 OR i > 100)", "SELECT * FROM cpu WHERE s = 'p'",
        "SELECT v FROM cpu WHERE ok = true", "SELECT v FROM cpu WHERE region = 'eu' AND host = 'c'",
        "SELECT * FROM cpu WHERE time = '2026-01-01T00:00:10Z'",
        "SELECT v FROM cpu WHERE time > '2026-01-01T00:05:00Z'",
        "SELECT v FROM cpu WHERE time >= '2026-01-01T00:05:00Z' AND time <= '2026-01-01T00:05:31Z'",
        "SELECT v FROM cpu WHERE time > " + (T0 + 300_000_000_000L),
        "SELECT v FROM cpu WHERE time < '2026-01-01T00:00:30Z' + 10s",
        "SELECT v FROM cpu WHERE time < '2026-01-01 00:00:30'", "SELECT v FROM cpu WHERE time > now() - 1h",
        "SELECT v FROM cpu WHERE time < now() AND host = 'a' LIMIT 2",
        "SELECT v FROM cpu GROUP BY host LIMIT 2", "SELECT * FROM cpu GROUP BY * LIMIT 2",
        "SELECT v FROM cpu GROUP BY region, host SLIMIT 2", "SELECT v FROM cpu GROUP BY host SLIMIT 1 SOFFSET 1",
        "SELECT v FROM cpu GROUP BY /reg/ LIMIT 1", "SELECT * FROM cpu GROUP BY host LIMIT 1",
        "SELECT nothere FROM cpu", "SELECT v, nothere FROM cpu LIMIT 2", "SELECT host FROM cpu",
        "SELECT v FROM nope", "SELECT v FROM cpu WHERE host = 'zzz'", "SELECT v FROM cpu WHERE host = 1",
        "SELECT * FROM /m/ LIMIT 2", "SELECT * FROM \"my meas\"", "SELECT f, \"tag key\" FROM \"my meas\"",
        "SELECT * FROM events", "SELECT label FROM events", "SELECT * FROM disk",
        "SELECT * FROM db.autogen.cpu LIMIT 1", "SELECT * FROM autogen.cpu LIMIT 1", "SELECT * FROM db..cpu LIMIT 1",
        "SELECT v FROM db2.autogen.cpu", "SELECT v FROM cpu, mem LIMIT 2", "SELECT free, v FROM cpu, mem LIMIT 2",
        "SELECT *::field FROM cpu LIMIT 2", "SELECT *::tag, v FROM cpu LIMIT 2", "SELECT /^[vi]$/ FROM cpu LIMIT 2",
        "SELECT v::float, i::integer FROM cpu LIMIT 2", "SELECT host::tag, v::field FROM cpu LIMIT 2",
        "SELECT v FROM cpu LIMIT 2; SELECT free FROM mem LIMIT 1", "SELECT v FROM nosuch.autogen.cpu",
        "SELECT v FROM cpu LIMIT 0", "SELECT v FROM cpu OFFSET 110",
        "SELECT v FROM cpu WHERE time >= '2026-01-01T00:05:00Z' ORDER BY time DESC")) {
      c.add(Case.q(q));
    }
    // --- aggregates ---
    for (String f : List.of("count(v)", "sum(v)", "mean(v)", "median(v)", "min(v)", "max(v)",
        "first(v)", "last(v)", "spread(v)", "stddev(v)", "percentile(v, 90)", "count(i)", "sum(i)",
        "mean(i)", "median(i)", "min(i)", "max(i)", "spread(i)", "stddev(i)", "percentile(i, 50)",
        "first(s)", "last(ok)", "count(s)", "distinct(s)", "count(distinct(host))", "top(v, 3)",
        "bottom(i, 2)", "distinct(i)", "count(distinct(i))", "percentile(v, 0)", "percentile(v, 100)")) {
      c.add(Case.q("SELECT " + f + " FROM cpu"));
    }
    for (String q : List.of(
        "SELECT count(v), mean(v), max(v) FROM cpu",
        "SELECT mean(v) FROM cpu" + range,
        "SELECT max(v) FROM cpu" + range,
        "SELECT max(v), host FROM cpu",
        "SELECT max(v) * 2, min(v) + 1 FROM cpu",
        "SELECT mean(v) AS m, mean(v) FROM cpu",
        "SELECT mean(v), mean(v), mean(i) FROM cpu",
        "SELECT sum(v) / count(v) FROM cpu",
        "SELECT mean(v) FROM cpu GROUP BY host",
        "SELECT count(v) FROM cpu GROUP BY region, host",
        "SELECT mean(v) FROM cpu GROUP BY *",
        "SELECT mean(v) FROM cpu WHERE host = 'a'",
        "SELECT mean(v) FROM cpu WHERE v > 50",
        "SELECT count(v) FROM cpu WHERE i > 0",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m)",
        "SELECT count(v) FROM cpu" + range + " GROUP BY time(1m)",
        "SELECT count(v), sum(i) FROM cpu" + range + " GROUP BY time(1m), host",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m) fill(none)",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m) fill(0)",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z' GROUP BY time(1m) fill(previous)",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z' GROUP BY time(1m) fill(linear)",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z' GROUP BY time(1m) fill(null)",
        "SELECT sum(i) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z' GROUP BY time(1m) fill(linear)",
        "SELECT count(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z' GROUP BY time(1m)",
        "SELECT count(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z' GROUP BY time(1m) fill(7)",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:20Z' AND time < '2026-01-01T00:03:00Z' GROUP BY time(1m, 15s)",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:20Z' AND time < '2026-01-01T00:03:00Z' GROUP BY time(1m, -15s)",
        "SELECT mean(v) FROM cpu WHERE time > '2026-01-01T00:00:20Z' AND time <= '2026-01-01T00:03:00Z' GROUP BY time(30s)",
        "SELECT max(v) FROM cpu" + range + " GROUP BY time(2m)",
        "SELECT first(v), last(v) FROM cpu" + range + " GROUP BY time(2m)",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m) ORDER BY time DESC",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m) LIMIT 3",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m) LIMIT 2 OFFSET 2",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m), host SLIMIT 2",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m), host SLIMIT 1 SOFFSET 2",
        "SELECT mean(free) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(1m), host",
        "SELECT mean(v) * 10 FROM cpu" + range + " GROUP BY time(2m)",
        "SELECT spread(i), stddev(v), median(v) FROM cpu" + range + " GROUP BY time(2m)",
        "SELECT percentile(v, 75) FROM cpu" + range + " GROUP BY time(3m)",
        "SELECT top(v, 2) FROM cpu" + range + " GROUP BY time(3m)",
        "SELECT distinct(s) FROM cpu" + range + " GROUP BY time(3m)",
        "SELECT mean(value) FROM disk WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T05:00:00Z' GROUP BY time(1h)",
        "SELECT sum(count) FROM events GROUP BY kind",
        "SELECT mean(v) FROM cpu WHERE time > now() - 1h GROUP BY time(1m)",
        "SELECT count(v) FROM cpu WHERE time < now()",
        "SELECT mean(v) FROM cpu, mem",
        "SELECT mean(free), max(used) FROM mem",
        "SELECT count(free) FROM mem WHERE host =~ /a|b/ AND free > 950")) {
      c.add(Case.q(q));
    }
    // --- more edges ---
    for (String q : List.of(
        "SELECT v FROM cpu WHERE time < '2026-01-01T00:00:30Z' OR time > '2026-01-01T00:06:20Z'",
        "SELECT v FROM cpu WHERE (host = 'a' OR host = 'b') AND time < '2026-01-01T00:01:00Z'",
        "SELECT v FROM cpu WHERE host = 'a' OR v > 90", "SELECT v FROM cpu WHERE v = 0.5",
        "SELECT v FROM cpu WHERE s =~ /^[pq]$/", "SELECT v FROM cpu WHERE s !~ /p/ AND time < '2026-01-01T00:02:00Z'",
        "SELECT i FROM cpu WHERE i >= 100 AND i <= 120", "SELECT v FROM cpu WHERE i = 26",
        "SELECT v FROM cpu WHERE v + 1 > 99", "SELECT v FROM cpu WHERE 'a' = host",
        "SELECT v FROM cpu WHERE time = 1767225602000000000", "SELECT v FROM cpu WHERE time >= 1767225900s",
        "SELECT v FROM cpu WHERE time > '2026-01-01'", "SELECT v FROM cpu WHERE time > '2025-12-31' LIMIT 1",
        "SELECT v FROM cpu WHERE time > '2026-01-01T00:06:00.5Z'", "SELECT v FROM cpu WHERE time > '2026-01-01T01:00:00+01:00' LIMIT 2",
        "SELECT v FROM cpu WHERE time > '2026-01-01T00:06:20Z' AND time < '2026-01-01T00:06:00Z'",
        "SELECT i * 1000000000000, i % 3, i / 0, v / 0 FROM cpu LIMIT 4", "SELECT i - 2.5, 10 - i FROM cpu LIMIT 3",
        "SELECT v * 1.1 FROM cpu LIMIT 5", "SELECT \"v\" FROM \"cpu\" LIMIT 1", "select V from CPU",
        "SELECT v FROM cpu WHERE host = 'a' LIMIT 2 OFFSET 1", "SELECT used, free FROM mem WHERE used > 5 AND host = 'b'",
        "SELECT count(i), count(v), count(s), count(ok) FROM cpu", "SELECT max(i) - min(i) FROM cpu",
        "SELECT first(i), last(i) FROM cpu GROUP BY host", "SELECT last(v), host FROM cpu",
        "SELECT first(s), region FROM cpu WHERE host = 'b'", "SELECT min(v), s, i FROM cpu",
        "SELECT percentile(i, 33.3) FROM cpu", "SELECT median(free) FROM mem", "SELECT spread(used) FROM mem",
        "SELECT stddev(v) FROM cpu WHERE time = '2026-01-01T00:00:02Z'", "SELECT top(free, 3), bottom(used, 1) FROM mem",
        "SELECT bottom(v, 3) FROM cpu WHERE host = 'c'", "SELECT top(i, 100) FROM cpu WHERE host = 'a' AND time < '2026-01-01T00:02:00Z'",
        "SELECT sum(free) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(2m), host fill(none)",
        "SELECT last(used) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(45s) fill(previous)",
        "SELECT max(free) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(45s) fill(linear)",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time <= '2026-01-01T00:02:00Z' GROUP BY time(1m)",
        "SELECT count(v) FROM cpu WHERE host = 'zzz' AND time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:02:00Z' GROUP BY time(1m)",
        "SELECT mean(v) FROM cpu WHERE v > 1000", "SELECT count(v) FROM cpu WHERE v > 1000",
        "SELECT mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:03:00Z' GROUP BY time(1m), *",
        "SELECT mean(v) FROM cpu GROUP BY nothere", "SELECT v FROM cpu GROUP BY nothere LIMIT 1",
        "SELECT mean(v) FROM /cpu|mem/", "SELECT * FROM db2..cpu",
        "SHOW TAG VALUES FROM cpu WITH KEY != host", "SHOW TAG VALUES FROM cpu WITH KEY !~ /host/",
        "SHOW TAG VALUES FROM cpu WITH KEY = host LIMIT 1 OFFSET 1", "SHOW TAG VALUES FROM /e/ WITH KEY =~ /./",
        "SHOW TAG KEYS FROM cpu LIMIT 1", "SHOW TAG KEYS WHERE host = 'a'", "SHOW SERIES WHERE host =~ /a|z/",
        "SHOW SERIES FROM /^m/", "SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(cpu|disk)$/ LIMIT 1 OFFSET 1",
        "SHOW FIELD KEYS FROM events", "SHOW FIELD KEYS FROM cpu, mem", "SHOW FIELD KEYS LIMIT 1",
        "SHOW FIELD KEYS ON db2", "SHOW TAG KEYS ON db2", "SHOW SERIES ON db2", "SHOW MEASUREMENTS ON nope")) {
      c.add(Case.q(q));
    }
    // --- aggregates over wildcards and regexes ---
    for (String q : List.of("SELECT mean(*) FROM cpu", "SELECT count(*) FROM cpu", "SELECT max(*) FROM cpu GROUP BY host",
        "SELECT first(*) FROM cpu", "SELECT last(/^[is]$/) FROM cpu", "SELECT sum(*) FROM mem",
        "SELECT count(*) FROM cpu" + range + " GROUP BY time(2m)", "SELECT spread(/./) FROM cpu",
        "SELECT mean(*), count(v) FROM cpu", "SELECT distinct(*) FROM events")) {
      c.add(Case.q(q));
    }
    // --- fill per call: each call is filled on its own where it has no points and others have ---
    String span = " WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:40Z'";
    for (String fill : List.of("", " fill(null)", " fill(none)", " fill(0)", " fill(-1)", " fill(1.5)", " fill(previous)",
        " fill(linear)")) {
      for (String calls : List.of("count(s), count(v)", "mean(v), mean(i)", "last(ok), last(s), max(i)",
          "median(i), spread(i), sum(i), mode(i)", "count(v), count(free)", "stddev(v), count(v)", "first(*)")) {
        c.add(Case.q("SELECT " + calls + " FROM cpu" + span + " GROUP BY time(20s)" + fill));
      }
      c.add(Case.q("SELECT mean(v), max(i) FROM cpu" + span + " GROUP BY time(20s)" + fill + " ORDER BY time DESC"));
      c.add(Case.q("SELECT mean(v), count(s) FROM cpu" + span + " GROUP BY time(30s), host" + fill));
      c.add(Case.q("SELECT count(*) FROM /cpu|mem/" + span + " GROUP BY time(1m)" + fill));
      // Buckets without points: none for top, bottom and distinct; a lone selector's other
      // columns filled with it.
      String sparse = span + " AND v > 60 GROUP BY time(10s)" + fill;
      for (String calls : List.of("top(v, 2)", "bottom(i, 2)", "distinct(i)", "top(v, host, 2)", "max(v), host",
          "max(v), host, i", "min(i), s, ok")) {
        c.add(Case.q("SELECT " + calls + " FROM cpu" + sparse));
      }
    }
    c.add(Case.q("SELECT top(v, 2) FROM cpu" + span + " AND v > 60 GROUP BY time(10s) ORDER BY time DESC"));
    // The stddev of one point is influxd's NaN (null in JSON): a value, neither filled nor skipped.
    for (String fill : List.of("fill(-1)", "fill(previous)", "fill(none)")) {
      c.add(Case.q("SELECT stddev(v), count(v) FROM cpu" + span + " AND host = 'a' GROUP BY time(10s, -3s) " + fill));
    }
    // SLIMIT under DESC: the first series in ascending order, answered last first.
    c.add(Case.q("SELECT v FROM cpu" + span + " GROUP BY host ORDER BY time DESC SLIMIT 2"));
    c.add(Case.q("SELECT count(v) FROM cpu" + span + " GROUP BY time(1m), host ORDER BY time DESC SLIMIT 2 SOFFSET 1"));
    c.add(Case.q("SELECT bottom(i, 2) FROM cpu" + span + " AND v > 60 GROUP BY time(10s) LIMIT 3"));
    // --- last()/first() and LIMIT read only the newest/oldest points per series field ---
    String cut = " WHERE time >= '2026-01-01T00:01:05Z' AND time <= '2026-01-01T00:04:55Z'";
    for (String q : List.of(
        "SELECT last(v) FROM cpu GROUP BY *", "SELECT first(v) FROM cpu GROUP BY host", "SELECT last(v), last(i) FROM cpu",
        "SELECT first(v), first(s), first(ok) FROM cpu GROUP BY host", "SELECT last(*) FROM cpu GROUP BY host",
        "SELECT last(v) FROM cpu" + cut + " GROUP BY host", "SELECT first(i) FROM cpu" + cut,
        "SELECT last(v) FROM cpu" + cut + " GROUP BY host ORDER BY time DESC", "SELECT first(v) * 2 FROM cpu GROUP BY host",
        "SELECT last(v) FROM cpu GROUP BY host LIMIT 1 OFFSET 0", "SELECT last(v) FROM cpu WHERE v < 50 GROUP BY host",
        "SELECT last(v) FROM cpu WHERE i > 0 GROUP BY host", "SELECT last(v), first(v) FROM cpu GROUP BY host",
        "SELECT last(i), i FROM cpu GROUP BY host", "SELECT last(v) FROM cpu WHERE host = 'a' OR host = 'c'",
        "SELECT v FROM cpu" + cut + " LIMIT 3", "SELECT v, i FROM cpu" + cut + " ORDER BY time DESC LIMIT 4 OFFSET 1",
        "SELECT i FROM cpu GROUP BY host ORDER BY time DESC LIMIT 2 OFFSET 3", "SELECT s, ok FROM cpu ORDER BY time DESC LIMIT 5",
        "SELECT v FROM cpu WHERE v > 20 ORDER BY time DESC LIMIT 3", "SELECT * FROM cpu ORDER BY time DESC LIMIT 2", "SELECT v FROM cpu, mem ORDER BY time DESC LIMIT 1",
        "SELECT free, v FROM cpu, mem GROUP BY host ORDER BY time DESC LIMIT 1",
        "SELECT mean(v) FROM cpu" + range + " GROUP BY time(2m), host ORDER BY time DESC")) {
      c.add(Case.q(q));
    }
    c.addAll(transformationCases());
    // --- select errors ---
    for (String q : List.of(
        "SELECT v, mean(v) FROM cpu", "SELECT mean(v), host FROM cpu", "SELECT top(v, 2), mean(v) FROM cpu",
        "SELECT distinct(v), mean(v) FROM cpu", "SELECT foo(v) FROM cpu", "SELECT mean(v, 2) FROM cpu",
        "SELECT mean() FROM cpu", "SELECT percentile(v) FROM cpu", "SELECT top(v) FROM cpu",
        "SELECT top(v, 0) FROM cpu", "SELECT v FROM cpu GROUP BY time(1m)", "SELECT mean(s) FROM cpu",
        "SELECT sum(ok) FROM cpu")) {
      c.add(Case.q(q));
    }
    c.add(Case.noDb("SELECT v FROM cpu"));
    c.add(Case.noDb("SELECT v FROM db.autogen.cpu LIMIT 1"));
    c.add(new Case("nosuch", "SELECT v FROM cpu", false, null));
    c.add(Case.noDb("SHOW MEASUREMENTS"));
    c.add(Case.q("SELECT v FROM db.nope.cpu"));
    // --- output options ---
    for (String q : List.of("SELECT v, s, ok FROM cpu LIMIT 3", "SELECT mean(v) FROM cpu GROUP BY host",
        "SHOW DATABASES", "SELECT v FROM nope", "SELECT v, mean(v) FROM cpu", "SELECT FROM",
        "SELECT * FROM events", "SHOW RETENTION POLICIES")) {
      c.add(new Case("db", q, true, null));
    }
    for (String epoch : List.of("h", "m", "s", "ms", "u", "ns")) {
      c.add(new Case("db", "SELECT v FROM cpu WHERE time >= '2026-01-01T00:05:00Z' LIMIT 3", false, epoch));
      c.add(new Case("db", "SELECT count(v) FROM cpu" + range + " GROUP BY time(90s)", false, epoch));
    }
    // --- chunked ---
    c.add(new Case("db", "SELECT derivative(v) FROM cpu WHERE host = 'c' LIMIT 3", false, "s"));
    c.add(Case.chunked("SELECT difference(i) FROM cpu GROUP BY host", 4));
    for (int size : List.of(1, 3, 10_000)) {
      c.add(Case.chunked("SELECT v FROM cpu WHERE time < '2026-01-01T00:01:00Z' GROUP BY host", size));
      c.add(Case.chunked("SELECT mean(v) FROM cpu" + range + " GROUP BY time(1m); SHOW DATABASES; SELECT v FROM nope", size));
    }
    c.add(Case.chunked("SHOW DATABASES; SELECT v, mean(v) FROM cpu; SHOW DATABASES; SHOW DATABASES", 2));
    // --- several statements, one failing: influxd's "not executed" quirk ---
    c.add(Case.q("SELECT v, mean(v) FROM cpu; SHOW DATABASES"));
    c.add(Case.q("SHOW DATABASES; SELECT v, mean(v) FROM cpu; SHOW DATABASES; SHOW DATABASES"));
    c.add(Case.q("SHOW DATABASES; SELECT v, mean(v) FROM cpu"));
    // --- SHOW ---
    for (String q : List.of("SHOW DATABASES", "SHOW MEASUREMENTS", "SHOW MEASUREMENTS LIMIT 2",
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /m/", "SHOW MEASUREMENTS WITH MEASUREMENT = cpu",
        "SHOW MEASUREMENTS WHERE host = 'a'", "SHOW MEASUREMENTS ON db2", "SHOW SERIES",
        "SHOW SERIES FROM cpu", "SHOW SERIES FROM cpu WHERE host = 'a'", "SHOW SERIES WHERE region =~ /u/",
        "SHOW SERIES LIMIT 3 OFFSET 1", "SHOW TAG KEYS", "SHOW TAG KEYS FROM cpu", "SHOW TAG KEYS FROM nope",
        "SHOW TAG VALUES WITH KEY = host", "SHOW TAG VALUES FROM cpu WITH KEY = host",
        "SHOW TAG VALUES FROM cpu WITH KEY IN (host, region)", "SHOW TAG VALUES FROM cpu WITH KEY =~ /reg/",
        "SHOW TAG VALUES FROM cpu WITH KEY = host WHERE region = 'eu'", "SHOW TAG VALUES WITH KEY = nope",
        "SHOW FIELD KEYS", "SHOW FIELD KEYS FROM cpu", "SHOW FIELD KEYS FROM \"my meas\"",
        "SHOW RETENTION POLICIES", "SHOW RETENTION POLICIES ON db2", "SHOW RETENTION POLICIES ON nope",
        "SHOW SERIES ON nope",
        // without authentication neither has users; Capstan has no subscriptions
        "SHOW USERS", "SHOW GRANTS FOR bob", "SHOW GRANTS bob", "SHOW SUBSCRIPTIONS")) {
      c.add(Case.q(q));
    }
    // --- cardinality: estimated (bare) and exact forms ---
    for (String q : List.of("SHOW SERIES CARDINALITY", "SHOW MEASUREMENT CARDINALITY",
        "SHOW SERIES CARDINALITY ON db2", "SHOW MEASUREMENT CARDINALITY ON db2",
        "SHOW SERIES CARDINALITY ON nope", "SHOW MEASUREMENT CARDINALITY ON nope",
        "SHOW SERIES EXACT CARDINALITY", "SHOW MEASUREMENT EXACT CARDINALITY",
        "SHOW SERIES EXACT CARDINALITY ON db2", "SHOW SERIES EXACT CARDINALITY ON nope",
        "SHOW MEASUREMENT EXACT CARDINALITY ON nope", "SHOW SERIES CARDINALITY FROM cpu",
        "SHOW SERIES CARDINALITY FROM /m/", "SHOW SERIES EXACT CARDINALITY FROM cpu, events",
        "SHOW SERIES CARDINALITY WHERE host = 'a'", "SHOW SERIES EXACT CARDINALITY WHERE region =~ /u/ OR kind = 'view'",
        "SHOW SERIES EXACT CARDINALITY FROM nope", "SHOW SERIES EXACT CARDINALITY WHERE host = 'zz'",
        "SHOW MEASUREMENT CARDINALITY FROM cpu", "SHOW MEASUREMENT EXACT CARDINALITY FROM /e/",
        "SHOW MEASUREMENT EXACT CARDINALITY WHERE host = 'b'", "SHOW MEASUREMENT EXACT CARDINALITY WHERE host = 'zz'",
        "SHOW SERIES CARDINALITY LIMIT 1", "SHOW SERIES EXACT CARDINALITY LIMIT 2 OFFSET 0",
        "SHOW SERIES EXACT CARDINALITY OFFSET 1", "SHOW MEASUREMENT CARDINALITY LIMIT 1",
        "SHOW MEASUREMENT EXACT CARDINALITY OFFSET 1", "SHOW SERIES EXACT CARDINALITY WHERE time > 0",
        "SHOW MEASUREMENT CARDINALITY WHERE time > 0", "SHOW MEASUREMENT EXACT", "SHOW MEASUREMENT foo",
        "SHOW SERIES CARDINALITY; SHOW MEASUREMENT EXACT CARDINALITY ON db2")) {
      c.add(Case.q(q));
    }
    // --- cardinality of tag keys, tag values and field keys; GROUP BY tags ---
    for (String q : List.of("SHOW TAG KEY CARDINALITY", "SHOW TAG KEY EXACT CARDINALITY",
        "SHOW TAG KEY CARDINALITY FROM cpu", "SHOW TAG KEY CARDINALITY FROM /e/", "SHOW TAG KEY CARDINALITY FROM nope",
        "SHOW TAG KEY EXACT CARDINALITY WHERE host = 'a'", "SHOW TAG KEY CARDINALITY WHERE host = 'zz'",
        "SHOW TAG KEY CARDINALITY ON nope", "SHOW TAG KEY CARDINALITY ON db2", "SHOW TAG KEY CARDINALITY LIMIT 1",
        "SHOW TAG KEY EXACT CARDINALITY OFFSET 1", "SHOW TAG KEY CARDINALITY WHERE time > 0",
        "SHOW TAG KEY CARDINALITY WHERE host = 'c' OR v > 1", "SHOW TAG KEY CARDINALITY GROUP BY host",
        "SHOW TAG KEY CARDINALITY GROUP BY *", "SHOW TAG KEY CARDINALITY GROUP BY /o/",
        "SHOW TAG KEY CARDINALITY GROUP BY nope", "SHOW TAG KEY CARDINALITY GROUP BY \"host\"",
        "SHOW TAG KEY CARDINALITY GROUP BY 1", "SHOW TAG KEY CARDINALITY FROM cpu GROUP BY host LIMIT 1 OFFSET 1",
        "SHOW TAG VALUES CARDINALITY WITH KEY = host", "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host",
        "SHOW TAG VALUES CARDINALITY FROM cpu WITH KEY =~ /o/", "SHOW TAG VALUES EXACT CARDINALITY WITH KEY IN (host, kind)",
        "SHOW TAG VALUES CARDINALITY WITH KEY != host", "SHOW TAG VALUES CARDINALITY WITH KEY !~ /o/",
        "SHOW TAG VALUES CARDINALITY WITH KEY = nope", "SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE region = 'us'",
        "SHOW TAG VALUES CARDINALITY FROM cpu, mem WITH KEY = host WHERE host =~ /a|b/",
        "SHOW TAG VALUES CARDINALITY ON nope WITH KEY = host", "SHOW TAG VALUES CARDINALITY ON db2 WITH KEY = host",
        "SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE time > 0", "SHOW TAG VALUES CARDINALITY WITH KEY = host LIMIT 1",
        "SHOW TAG VALUES CARDINALITY WITH KEY = host GROUP BY region", "SHOW TAG VALUES CARDINALITY WITH KEY = host GROUP BY *",
        "SHOW TAG VALUES CARDINALITY", "SHOW FIELD KEY CARDINALITY", "SHOW FIELD KEY EXACT CARDINALITY",
        "SHOW FIELD KEY CARDINALITY FROM cpu", "SHOW FIELD KEY CARDINALITY ON nope", "SHOW FIELD KEY CARDINALITY ON db2",
        "SHOW FIELD KEY EXACT CARDINALITY WHERE host = 'a'", "SHOW FIELD KEY CARDINALITY WHERE host = 'zz'",
        "SHOW FIELD KEY CARDINALITY WHERE region =~ /u/ OR kind = 'view'", "SHOW FIELD KEY CARDINALITY LIMIT 1",
        "SHOW FIELD KEY CARDINALITY OFFSET 1", "SHOW FIELD KEY EXACT CARDINALITY WHERE time > 0",
        "SHOW FIELD KEY CARDINALITY GROUP BY host, kind", "SHOW SERIES CARDINALITY GROUP BY host",
        "SHOW SERIES EXACT CARDINALITY FROM cpu GROUP BY region", "SHOW SERIES CARDINALITY GROUP BY host LIMIT 1 OFFSET 1",
        "SHOW SERIES CARDINALITY ON nope GROUP BY host", "SHOW MEASUREMENT CARDINALITY GROUP BY host",
        "SHOW MEASUREMENT EXACT CARDINALITY GROUP BY *", "SHOW MEASUREMENT CARDINALITY WHERE host = 'a' GROUP BY region",
        "SHOW MEASUREMENT CARDINALITY GROUP BY host OFFSET 1", "SHOW TAG KEY", "SHOW FIELD KEY", "SHOW TAG KEY EXACT")) {
      c.add(Case.q(q));
    }
    c.add(Case.noDb("SHOW TAG KEY CARDINALITY"));
    c.add(Case.noDb("SHOW FIELD KEY EXACT CARDINALITY"));
    c.add(Case.noDb("SHOW TAG VALUES CARDINALITY WITH KEY = host"));
    c.add(Case.noDb("SHOW SERIES CARDINALITY"));
    for (String q : List.of("KILL QUERY 99", "KILL QUERY 99 ON h1", "KILL QUERY x", "KILL QUERY", "KILL x",
        "KILL QUERY 99 ON", "KILL QUERY -1", "KILL QUERY 1.5", "KILL QUERY 99999999999999999999")) {
      c.add(Case.noDb(q));
    }
    c.add(Case.noDb("SHOW SHARD"));
    c.add(Case.noDb("SHOW SHARD x"));
    c.add(Case.noDb("SHOW SHARDS x"));
    c.add(Case.noDb("SHOW MEASUREMENT EXACT CARDINALITY"));
    c.add(Case.noDb("SHOW SERIES CARDINALITY ON db"));
    c.add(new Case("db", "SHOW SERIES EXACT CARDINALITY", true, null));
    // --- math functions; top and bottom by tag ---
    for (String q : List.of(
        "SELECT abs(v), round(v), floor(v), ceil(v), sqrt(v), pow(v, 2), ln(v), log(v, 10), log2(v), log10(v), exp(v) FROM cpu LIMIT 5",
        "SELECT sin(v), cos(v), tan(v), asin(v), acos(v), atan(v), atan2(v, 2) FROM cpu LIMIT 5",
        "SELECT abs(i), round(i), sqrt(i) FROM cpu WHERE host = 'a' LIMIT 4",
        "SELECT abs(v, 2) FROM cpu", "SELECT pow(v) FROM cpu", "SELECT round(v) * 2 + abs(i) FROM cpu LIMIT 3",
        "SELECT abs(s), round(ok) FROM cpu LIMIT 3", "SELECT ln(i), log(i, 2), atan2(i, v) FROM cpu LIMIT 6",
        "SELECT round(i / 7) FROM cpu LIMIT 5", "SELECT round(mean(v)) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT abs(max(v)), host FROM cpu", "SELECT sqrt(count(v)) FROM cpu",
        "SELECT top(v, host, 2) FROM cpu",
        "SELECT bottom(v, host, region, 2) FROM cpu",
        "SELECT top(i, host, 3) FROM cpu GROUP BY region",
        "SELECT top(v, host, 5) FROM cpu", "SELECT top(v, nope, 2) FROM cpu",
        "SELECT bottom(i, region, 1) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(2m)",
        "SELECT top(v, 1, 2) FROM cpu", "SELECT top(free, host, 1), bottom(free, host, 1) FROM mem")) {
      c.add(Case.q(q));
    }
    // --- sample (n at least the points of a bucket: all of them, so the answer is determined),
    // the other columns beside multi-point selectors, and their order under ORDER BY time DESC ---
    String r3 = " WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:03:00Z'";
    for (String q : List.of(
        "SELECT sample(v, 1000) FROM cpu", "SELECT sample(v, 1000), host, i FROM cpu" + r3,
        "SELECT sample(s, 1000) FROM cpu", "SELECT sample(ok, 100) FROM cpu GROUP BY host",
        "SELECT sample(*, 1000) FROM cpu" + r3, "SELECT sample(/^[iv]$/, 1000) FROM cpu" + r3 + " GROUP BY host",
        "SELECT sample(i, 1000) FROM cpu" + r3 + " GROUP BY time(1m)",
        "SELECT sample(v, 1000) FROM cpu" + r3 + " GROUP BY time(1m) ORDER BY time DESC",
        "SELECT sample(v, 1000) FROM cpu" + r3 + " GROUP BY time(1m) fill(0)",
        "SELECT sample(free, 12) FROM mem", "SELECT sample(nope, 2) FROM cpu",
        "SELECT sample(v) FROM cpu", "SELECT sample(v, 0) FROM cpu", "SELECT sample(v, -3) FROM cpu",
        "SELECT sample(v, 1.5) FROM cpu", "SELECT sample(v, 'x') FROM cpu", "SELECT sample(3, 2) FROM cpu",
        "SELECT sample(v, 2), top(v, 2) FROM cpu", "SELECT derivative(sample(v, 2)) FROM cpu",
        "SELECT top(v, 3), host, i FROM cpu", "SELECT bottom(i, 2), region, s FROM cpu GROUP BY host",
        "SELECT top(v, host, 2), i FROM cpu", "SELECT top(v, 3) FROM cpu ORDER BY time DESC",
        "SELECT top(v, 2) FROM cpu" + r3 + " GROUP BY time(1m) ORDER BY time DESC",
        "SELECT bottom(v, host, 2) FROM cpu" + r3 + " GROUP BY time(1m) ORDER BY time DESC",
        "SELECT distinct(i) FROM cpu" + r3 + " ORDER BY time DESC",
        "SELECT distinct(i) FROM cpu" + r3 + " GROUP BY time(1m) ORDER BY time DESC",
        "SELECT top(*, 1) FROM cpu", "SELECT bottom(/v/, 1) FROM cpu", "SELECT top(*::field, 1) FROM cpu")) {
      c.add(Case.q(q));
    }
    // Points of three series at each time: ties listed by series, ORDER BY time DESC too.
    c.add(new Case("ties", "SELECT sample(v, 100) FROM t", false, null));
    c.add(new Case("ties", "SELECT sample(v, 100), host FROM t ORDER BY time DESC", false, null));
    c.add(new Case("ties", "SELECT top(v, 4), host FROM t ORDER BY time DESC", false, null));
    // --- technical analysis: each indicator with its defaults, hold periods and warm-ups, over
    // raw values and per GROUP BY time bucket, and influxd's argument errors ---
    String r4 = " WHERE time >= '2026-01-01T00:01:00Z' AND time < '2026-01-01T00:05:00Z'";
    for (String f : List.of("exponential_moving_average", "double_exponential_moving_average",
        "triple_exponential_moving_average", "relative_strength_index", "triple_exponential_derivative",
        "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average", "chande_momentum_oscillator")) {
      boolean warmups = !f.startsWith("kaufmans_");
      c.add(Case.q("SELECT " + f + "(v, 4) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(i, 3, 0) FROM cpu GROUP BY host"));
      c.add(Case.q("SELECT " + f + "(v, 2) FROM cpu WHERE host = 'b' ORDER BY time DESC LIMIT 5"));
      c.add(Case.q("SELECT " + f + "(mean(v), 3) FROM cpu" + r4 + " GROUP BY time(30s)"));
      c.add(Case.q("SELECT " + f + "(max(i), 2, 1) FROM cpu" + r4 + " GROUP BY time(1m), host fill(previous)"));
      c.add(Case.q("SELECT " + f + "(*, 3) FROM cpu WHERE host = 'a'"));
      if (warmups) {
        c.add(Case.q("SELECT " + f + "(v, 3, -1, 'simple') FROM cpu GROUP BY region"));
        c.add(Case.q("SELECT " + f + "(v, 5, 2, 'exponential') FROM cpu WHERE host = 'c'"));
        c.add(Case.q("SELECT " + f + "(v, 2, 1, 'nope') FROM cpu"));
        c.add(Case.q("SELECT " + f + "(v, 2, 1, 3) FROM cpu"));
      }
      c.add(Case.q("SELECT " + f + "(v) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(v, 0) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(v, 2.5) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(v, 2, -2) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(v, 2, 0) FROM cpu LIMIT 3"));
      c.add(Case.q("SELECT " + f + "(v, 2, 'x') FROM cpu"));
      c.add(Case.q("SELECT " + f + "(s, 2) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(mean(v), 2) FROM cpu"));
      c.add(Case.q("SELECT " + f + "(v, 2) FROM cpu" + r4 + " GROUP BY time(1m)"));
      c.add(Case.q("SELECT " + f + "(v, 2, 0, 'simple', 1) FROM cpu"));
    }
    // --- holt_winters: forecasts fitted by Nelder-Mead, bit for bit ---
    String r6 = " WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:40Z'";
    for (String q : List.of(
        "SELECT holt_winters(mean(v), 5, 0) FROM cpu" + r6 + " GROUP BY time(20s)",
        "SELECT holt_winters_with_fit(mean(v), 3, 0) FROM cpu" + r6 + " GROUP BY time(20s)",
        "SELECT holt_winters(max(i), 4, 3) FROM cpu" + r6 + " GROUP BY time(30s), host",
        "SELECT holt_winters_with_fit(first(v), 2, 4) FROM cpu" + r6 + " GROUP BY time(10s)",
        "SELECT holt_winters(sum(i), 6, 2) FROM cpu" + r6 + " GROUP BY time(40s) fill(0)",
        "SELECT holt_winters(count(v), 2, 1) FROM cpu" + r6 + " GROUP BY time(1m), region",
        "SELECT holt_winters(mean(used), 3, 0) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:06:00Z' GROUP BY time(30s)",
        "SELECT holt_winters(mean(v), 3, 0) FROM cpu" + r6 + " GROUP BY time(20s) LIMIT 2",
        "SELECT holt_winters(mean(v), 3, 50) FROM cpu" + r6 + " GROUP BY time(20s)",
        "SELECT holt_winters(mean(v), 3) FROM cpu", "SELECT holt_winters(v, 3, 0) FROM cpu",
        "SELECT holt_winters(mean(v), 0, 0) FROM cpu", "SELECT holt_winters(mean(v), 1.5, 0) FROM cpu",
        "SELECT holt_winters(mean(v), 2, -1) FROM cpu", "SELECT holt_winters(mean(v), 2, 'x') FROM cpu",
        "SELECT holt_winters(mean(v), 2, 0) FROM cpu", "SELECT holt_winters_with_fit(v, 2, 0) FROM cpu",
        "SELECT holt_winters(mean(s), 2, 0) FROM cpu" + r6 + " GROUP BY time(20s)")) {
      c.add(Case.q(q));
    }
    c.add(Case.q("SELECT chande_momentum_oscillator(v, 3, 0, 'none') FROM cpu"));
    c.add(Case.q("SELECT exponential_moving_average(v, 3) * 2 + 1 FROM cpu"));
    // Two series merged without GROUP BY: one stream over both, in time order. (Points of
    // several series at one time: QueryExecutorTest; influxd orders those ties arbitrarily.)
    c.add(Case.q("SELECT exponential_moving_average(v, 3) FROM cpu WHERE host = 'a' OR host = 'b'"));
    // --- integral and mode ---
    for (String q : List.of(
        "SELECT integral(v) FROM cpu",
        "SELECT integral(v, 1m) FROM cpu WHERE host = 'a'",
        "SELECT integral(i) FROM cpu",
        "SELECT integral(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT integral(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(90s, 30s)",
        "SELECT integral(v), mean(v), count(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(2m)",
        "SELECT integral(v), mean(v) FROM cpu",
        "SELECT integral(v), mean(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:09:00Z' GROUP BY time(1m)",
        "SELECT integral(v) FROM cpu WHERE time >= '2026-01-01T00:01:00Z'",
        "SELECT integral(*) FROM mem",
        "SELECT integral(/u/) FROM mem",
        "SELECT integral(free, 1h) FROM mem GROUP BY time(2m)",
        "SELECT integral(value) FROM disk WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z' GROUP BY time(90m)",
        "SELECT integral(used) FROM mem WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m) fill(0)",
        "SELECT integral(v) FROM cpu WHERE v > 50",
        "SELECT integral(s) FROM cpu",
        "SELECT integral(ok) FROM cpu",
        "SELECT integral(v, 0s) FROM cpu",
        "SELECT integral(v, 1m, 2) FROM cpu",
        "SELECT integral(v, x) FROM cpu",
        "SELECT integral() FROM cpu",
        "SELECT integral(v) FROM nope",
        "SELECT derivative(integral(v)) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT mode(i) FROM cpu",
        "SELECT mode(v) FROM cpu",
        "SELECT mode(s) FROM cpu",
        "SELECT mode(ok) FROM cpu",
        "SELECT mode(i) FROM cpu GROUP BY host",
        "SELECT mode(i) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT mode(*) FROM cpu",
        "SELECT mode(i), max(i) FROM cpu",
        "SELECT mode(free) FROM mem",
        "SELECT mode(i) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m) fill(-1)",
        "SELECT mode(v, 2) FROM cpu",
        "SELECT mode(count) FROM events")) {
      c.add(Case.q(q));
    }
    // --- subqueries ---
    for (String q : List.of(
        "SELECT max(v) FROM (SELECT v FROM cpu)",
        "SELECT mean(v) FROM (SELECT v FROM cpu WHERE host = 'a')",
        "SELECT count(v), sum(i) FROM (SELECT v, i FROM cpu)",
        "SELECT sum(max) FROM (SELECT max(v) FROM cpu GROUP BY time(1m), host) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT sum(max) FROM (SELECT max(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m), host) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT mean(max) FROM (SELECT max(v) FROM cpu GROUP BY time(1m), host) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(2m), host",
        "SELECT sum(max) FROM (SELECT max(v) FROM cpu GROUP BY time(1m)) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY host",
        "SELECT count(v) FROM (SELECT v FROM cpu) GROUP BY host",
        "SELECT count(v) FROM (SELECT v FROM cpu GROUP BY region) GROUP BY host",
        "SELECT count(v) FROM (SELECT v FROM cpu) GROUP BY *",
        "SELECT * FROM (SELECT v, host FROM cpu) LIMIT 5",
        "SELECT * FROM (SELECT v FROM cpu GROUP BY host) LIMIT 5",
        "SELECT * FROM (SELECT v FROM cpu) GROUP BY host LIMIT 2",
        "SELECT v * 2 FROM (SELECT v FROM cpu) WHERE v > 90",
        "SELECT max(v) FROM (SELECT v FROM cpu WHERE region = 'eu') WHERE time < '2026-01-01T00:03:00Z'",
        "SELECT mean(m) FROM (SELECT mean(v) AS m FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m), host)",
        "SELECT max(v) FROM (SELECT v FROM cpu) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m)",
        "SELECT last(free), first(used) FROM (SELECT free, used FROM mem)",
        "SELECT derivative(max) FROM (SELECT max(v) FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m))",
        "SELECT count(s) FROM (SELECT s FROM cpu)",
        "SELECT max(m) FROM (SELECT max(v) AS m FROM (SELECT v FROM cpu) GROUP BY host)",
        "SELECT count(count) FROM (SELECT count(value) FROM disk GROUP BY time(1h)) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T06:00:00Z'",
        "SELECT sum(c) FROM (SELECT count(v) AS c FROM cpu GROUP BY time(1m) fill(0)) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z'",
        "SELECT * FROM (SELECT mean(v) FROM cpu GROUP BY time(1m) fill(previous)) WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z'",
        "SELECT v FROM (SELECT v FROM cpu ORDER BY time DESC LIMIT 3)",
        "SELECT v FROM (SELECT v FROM cpu) ORDER BY time DESC LIMIT 3",
        "SELECT v FROM (SELECT v FROM cpu LIMIT 2 OFFSET 1) GROUP BY host",
        "SELECT max(mv) FROM (SELECT mean(v) AS mv FROM cpu GROUP BY host), (SELECT mean(used) AS mv FROM mem)",
        "SELECT top(v, 2) FROM (SELECT v FROM cpu WHERE host = 'b')",
        "SELECT percentile(v, 50), median(v), stddev(v), spread(v) FROM (SELECT v FROM cpu)",
        "SELECT count(distinct(s)) FROM (SELECT s FROM cpu)",
        "SELECT mean(v) FROM (SELECT v FROM cpu WHERE v > 50) WHERE v < 80 GROUP BY region",
        "SELECT v FROM (SELECT v FROM cpu LIMIT 2) ORDER BY time DESC",
        "SELECT v FROM (SELECT v FROM cpu ORDER BY time ASC LIMIT 2) ORDER BY time DESC",
        "SELECT v FROM (SELECT v FROM cpu ORDER BY time DESC LIMIT 2) ORDER BY time DESC",
        "SELECT max(v) FROM (SELECT v FROM nope)",
               "SELECT max(v) FROM (SELECT v FROM cpu",
        "SELECT max(v) FROM (SHOW DATABASES)")) {
      c.add(Case.q(q));
    }
    // --- seeded random SELECTs over the fixtures, before anything changes them ---
    RandomQueries.generate(20261128, 400).forEach(q -> c.add(Case.q(q)));
    // --- DDL, in order ---
    for (String q : List.of(
        "CREATE DATABASE ddl", "SHOW DATABASES", "CREATE DATABASE ddl", "SHOW RETENTION POLICIES ON ddl",
        "CREATE RETENTION POLICY short ON ddl DURATION 1d REPLICATION 1",
        "CREATE RETENTION POLICY mid ON ddl DURATION 30d REPLICATION 1 SHARD DURATION 2h",
        "CREATE RETENTION POLICY long ON ddl DURATION 52w REPLICATION 1 DEFAULT",
        "CREATE RETENTION POLICY forever ON ddl DURATION INF REPLICATION 2",
        "CREATE RETENTION POLICY tiny ON ddl DURATION 30m REPLICATION 1",
        "CREATE RETENTION POLICY x ON nope DURATION 1d REPLICATION 1",
        "SHOW RETENTION POLICIES ON ddl",
        "ALTER RETENTION POLICY short ON ddl DURATION 3d",
        "ALTER RETENTION POLICY mid ON ddl SHARD DURATION 1d REPLICATION 3 DEFAULT",
        "ALTER RETENTION POLICY nope ON ddl DURATION 3d",
        "SHOW RETENTION POLICIES ON ddl",
        "CREATE RETENTION POLICY mid ON ddl DURATION 30d REPLICATION 1 SHARD DURATION 2h",
        "CREATE RETENTION POLICY mid ON ddl DURATION 31d REPLICATION 1",
        "CREATE RETENTION POLICY sh ON ddl DURATION 2h REPLICATION 1 SHARD DURATION 3h",
        "CREATE RETENTION POLICY sm ON ddl DURATION 2h REPLICATION 1 SHARD DURATION 30m",
        "ALTER RETENTION POLICY short ON ddl DURATION 2h",
        "ALTER RETENTION POLICY long ON ddl DURATION INF",
        "ALTER RETENTION POLICY long ON ddl REPLICATION 2 REPLICATION 3",
        "SHOW RETENTION POLICIES ON ddl",
        "DROP RETENTION POLICY short ON ddl", "DROP RETENTION POLICY nope ON ddl",
        "SHOW RETENTION POLICIES ON ddl",
        "CREATE DATABASE withrp WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME three",
        "SHOW RETENTION POLICIES ON withrp",
        "CREATE DATABASE withdur WITH DURATION 100d", "SHOW RETENTION POLICIES ON withdur",
        "CREATE DATABASE withdur WITH DURATION 100d", "CREATE DATABASE withdur WITH DURATION 50d",
        "CREATE DATABASE withdur", "CREATE DATABASE shortdb WITH DURATION 10m",
        "CREATE DATABASE \"odd name\"", "SHOW RETENTION POLICIES ON \"odd name\"", "DROP DATABASE \"odd name\"",
        "DROP DATABASE withrp", "DROP DATABASE withdur", "DROP DATABASE nope", "DROP DATABASE ddl",
        "SHOW DATABASES")) {
      c.add(Case.q(q));
    }
    // --- continuous queries: created, refused and dropped (influxd runs them too: on no data) ---
    for (String q : List.of(
        "CREATE CONTINUOUS QUERY cq1 ON db BEGIN SELECT mean(v) INTO cpu_1m FROM cpu GROUP BY time(1m), * END",
        "CREATE CONTINUOUS QUERY cq1 ON db BEGIN SELECT mean(v) INTO cpu_1m FROM cpu GROUP BY time(1m), * END",
        "CREATE CONTINUOUS QUERY cq1 ON db BEGIN SELECT max(v) INTO cpu_1m FROM cpu GROUP BY time(1m), * END",
        "CREATE CONTINUOUS QUERY cq1 ON nope BEGIN SELECT mean(v) INTO cpu_1m FROM cpu GROUP BY time(1m), * END",
        "CREATE CONTINUOUS QUERY cq2 ON db RESAMPLE EVERY 30s FOR 2m BEGIN SELECT max(v) INTO db.autogen.cpu_max FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY raw ON db BEGIN SELECT v INTO x FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY bad ON db BEGIN SELECT mean(v) INTO x FROM cpu END",
        "CREATE CONTINUOUS QUERY bad ON db BEGIN SELECT mean(v) FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY bad ON db RESAMPLE EVERY 0s BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY bad ON db RESAMPLE FOR 30s BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY bad ON db BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m)",
        "DROP CONTINUOUS QUERY cq2 ON db",
        "DROP CONTINUOUS QUERY cq2 ON db",
        "DROP CONTINUOUS QUERY x ON nope",
        "DROP CONTINUOUS QUERY cq1 ON db",
        "DROP CONTINUOUS QUERY raw ON db")) {
      c.add(Case.q(q));
    }
    // --- SELECT INTO, into a database of its own ---
    for (String q : List.of(
        "CREATE DATABASE intodb",
        "SELECT mean(v) INTO intodb.autogen.cpu_m FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:05:00Z' GROUP BY time(1m), *",
        "SELECT * FROM intodb.autogen.cpu_m",
        "SHOW TAG KEYS ON intodb FROM cpu_m",
        "SHOW FIELD KEYS ON intodb",
        "SELECT * INTO intodb..cpu_copy FROM cpu WHERE host = 'b'",
        "SELECT * FROM intodb..cpu_copy LIMIT 5",
        "SHOW FIELD KEYS ON intodb FROM cpu_copy",
        "SHOW TAG KEYS ON intodb FROM cpu_copy",
        "SELECT v INTO intodb.autogen.:MEASUREMENT FROM /m/",
        "SHOW MEASUREMENTS ON intodb",
        "SELECT count(v) INTO intodb..cnt FROM cpu GROUP BY host",
        "SELECT * FROM intodb..cnt GROUP BY host",
        "SELECT max(v) INTO intodb..cpu_n FROM cpu WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T01:00:00Z' GROUP BY time(10m)",
        "SELECT * FROM intodb..cpu_n",
        "SELECT mean(*) INTO intodb.autogen.:MEASUREMENT FROM /^(cpu|mem)$/ WHERE time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:04:00Z' GROUP BY time(1m), *",
        "SELECT * FROM intodb..mem GROUP BY *", "SHOW FIELD KEYS ON intodb FROM cpu",
        "SELECT v INTO nope.autogen.x FROM cpu",
        "SELECT v INTO intodb.nope.x FROM cpu",
        "SELECT v INTO x FROM nope",
        "SELECT v INTO intodb.autogen.:MEASUREMENT_x FROM cpu",
        "SELECT free INTO intodb..cnt FROM mem",
        "SELECT s INTO intodb..cpu_m FROM cpu")) {
      c.add(Case.q(q));
    }
    // --- deletes, last since they change the fixtures ---
    for (String q : List.of(
        "DELETE FROM mem WHERE time < '2026-01-01T00:02:00Z'", "SELECT * FROM mem",
        "DELETE FROM mem WHERE host = 'a' AND time < '2026-01-01T00:04:00Z'", "SELECT * FROM mem",
        "DROP SERIES FROM cpu WHERE host = 'c'", "SHOW SERIES FROM cpu", "SELECT count(v) FROM cpu GROUP BY host",
        "SHOW SERIES EXACT CARDINALITY", "SHOW MEASUREMENT EXACT CARDINALITY", "SHOW SERIES CARDINALITY",
"DROP SERIES WHERE time > 0",
        "DELETE WHERE kind = 'view'", "SELECT * FROM events",
        "DROP MEASUREMENT disk", "SHOW MEASUREMENTS", "SELECT * FROM disk", "SHOW FIELD KEYS FROM disk",
        "DROP MEASUREMENT nope", "DELETE FROM events", "SHOW MEASUREMENTS")) {
      c.add(Case.q(q));
    }
    c.add(Case.noDb("DROP SERIES FROM cpu"));
    c.add(Case.noDb("DELETE FROM cpu"));
    c.addAll(zoneCases());
    return c;
  }

  /** tz(): windows in local time across daylight-saving changes, times printed in the zone. */
  static List<Case> zoneCases() {
    List<Case> c = new ArrayList<>();
    String spring = " WHERE time >= '2018-03-09T00:00:00Z' AND time < '2018-03-14T00:00:00Z'";
    String fall = " WHERE time >= '2018-11-01T00:00:00Z' AND time < '2018-11-07T00:00:00Z'";
    String chicago = " tz('America/Chicago')";
    List<String> queries = new ArrayList<>();
    for (String range : List.of(spring, fall)) {
      for (String group : List.of("time(1d)", "time(2h)", "time(12h)", "time(1d, 6h)", "time(3d)", "time(1w)",
          "time(1d, -3h)", "time(25h)")) {
        queries.add("SELECT count(v), sum(i), mean(v) FROM h" + range + " GROUP BY " + group + chicago);
      }
      queries.add("SELECT max(v), first(i), last(v) FROM h" + range + " GROUP BY time(1d)" + chicago);
      queries.add("SELECT top(v, 2) FROM h" + range + " GROUP BY time(1d)" + chicago);
      queries.add("SELECT integral(v, 1h) FROM h" + range + " GROUP BY time(1d)" + chicago);
      queries.add("SELECT count(v) FROM h" + range + " GROUP BY time(1d) ORDER BY time DESC" + chicago);
      queries.add("SELECT derivative(mean(v), 1h), difference(max(i)) FROM h" + range + " GROUP BY time(1d)" + chicago);
      queries.add("SELECT cumulative_sum(count(v)) FROM h" + range + " GROUP BY time(1d)" + chicago);
      queries.add("SELECT max(v) FROM h" + range + chicago);
      for (String fill : List.of("null", "none", "0", "previous", "linear")) {
        queries.add("SELECT mean(v), max(i) FROM gap WHERE time >= '" + (range == spring ? "2018-03-07" : "2018-10-30")
            + "T00:00:00Z' AND time < '" + (range == spring ? "2018-03-15" : "2018-11-08") + "T00:00:00Z' GROUP BY time(1d) fill("
            + fill + ")" + chicago);
      }
    }
    // The hour of the change, hour by hour; 1h windows are never bent by a 1 h shift.
    queries.add("SELECT count(v), first(v) FROM h WHERE time >= '2018-03-11T05:00:00Z' AND time < '2018-03-11T11:00:00Z' GROUP BY time(1h)" + chicago);
    queries.add("SELECT count(v), first(v) FROM h WHERE time >= '2018-11-04T04:00:00Z' AND time < '2018-11-04T10:00:00Z' GROUP BY time(1h)" + chicago);
    queries.add("SELECT count(v) FROM h WHERE time >= '2018-11-04T04:00:00Z' AND time < '2018-11-04T10:00:00Z' GROUP BY time(30m) fill(0)" + chicago);
    // Time literals without an offset are local time; raw rows print in the zone.
    queries.add("SELECT v, i FROM h WHERE time >= '2018-03-11 00:00:00' AND time < '2018-03-11 05:00:00'" + chicago);
    queries.add("SELECT v FROM h WHERE time >= '2018-11-04 00:30:00' AND time <= '2018-11-04 02:00:00'" + chicago);
    queries.add("SELECT count(v) FROM h WHERE time >= '2018-03-11' AND time < '2018-03-12'" + chicago);
    queries.add("SELECT count(v) FROM h WHERE time >= '2018-03-11T00:00:00Z' AND time < '2018-03-12T00:00:00Z'" + chicago);
    queries.add("SELECT v FROM h WHERE time >= '2018-03-11 00:00:00' AND time < '2018-03-11 02:00:00' tz('UTC')");
    queries.add("SELECT v FROM h WHERE time >= '2018-03-11 00:00:00' AND time < '2018-03-11 02:00:00' TZ('Asia/Kolkata')");
    // Other zones: Berlin's spring change, a fixed half-hour offset, Lord Howe's half-hour change.
    String berlin = " WHERE time >= '2018-03-24T00:00:00Z' AND time < '2018-03-28T00:00:00Z'";
    queries.add("SELECT count(v), mean(v) FROM h" + berlin + " GROUP BY time(1d) tz('Europe/Berlin')");
    queries.add("SELECT count(v) FROM h" + berlin + " GROUP BY time(6h) tz('Europe/Berlin')");
    queries.add("SELECT count(v), mean(v) FROM h" + spring + " GROUP BY time(1d) tz('Asia/Kolkata')");
    String lordHowe = " WHERE time >= '2018-03-31T10:00:00Z' AND time < '2018-03-31T20:00:00Z'";
    queries.add("SELECT count(v), first(v) FROM h" + lordHowe + " GROUP BY time(1h) tz('Australia/Lord_Howe')");
    queries.add("SELECT count(v) FROM h WHERE time >= '2018-03-30T00:00:00Z' AND time < '2018-04-02T00:00:00Z' GROUP BY time(1d) tz('Australia/Lord_Howe')");
    queries.add("SELECT count(v), mean(v) FROM h" + spring + " GROUP BY time(1d) tz('UTC')");
    // Errors.
    for (String tz : List.of("tz('Mars/Olympus_Mons')", "tz(1)", "tz('UTC', 'UTC')", "tz", "tz()", "tz('+01:00')")) {
      queries.add("SELECT count(v) FROM h GROUP BY time(1d) " + tz);
    }
    for (String q : queries) {
      c.add(new Case("tz", q, false, null));
    }
    c.add(new Case("tz", "SELECT count(v) FROM h" + spring + " GROUP BY time(1d)" + chicago, false, "s"));
    c.add(new Case("tz", "SELECT v FROM h WHERE time >= '2018-03-11 00:00:00' AND time < '2018-03-11 05:00:00'" + chicago, false, null, 2));
    return c;
  }
}
