package dev.capstan.dataplane.tsdb.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.tsdb.influxql.Monitor;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The API as a function: statuses, bodies and headers of influxd 1.6.7 without sockets. */
class InfluxApiTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private InMemoryTsdbStore store;
  private FakeQueries queries;
  private PrometheusMeterRegistry registry;
  private InfluxApi api;

  @BeforeEach
  void setUp() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    store = new InMemoryTsdbStore(clock, true);
    store.createDatabase("db");
    store.createRetentionPolicy("db", new RetentionPolicy("short", Duration.ofHours(1), Duration.ofHours(1), 1, false));
    queries = new FakeQueries(store);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    api = new InfluxApi(store, queries, clock, HttpOptions.defaults().withMaxBodySize(1000), registry);
  }

  static ApiRequest request(String method, String uri, String body, String... headers) {
    return request(method, uri, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  static ApiRequest request(String method, String uri, byte[] body, String... headers) {
    var decoder = new io.netty.handler.codec.http.QueryStringDecoder(uri);
    Map<String, String> h = new HashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i].toLowerCase(), headers[i + 1]);
    }
    return new ApiRequest(method, decoder.path(), decoder.parameters(), Map.of(), h, body, false);
  }

  private ApiResponse post(String uri, String body) {
    return api.handle(request("POST", uri, body));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      # case                  | uri                         | body                      | status | error
      one point               | /write?db=db                | cpu v=1                   | 204    |
      empty body              | /write?db=db                | ''                        | 204    |
      comment only            | /write?db=db                | # nothing                 | 204    |
      missing db              | /write                      | cpu v=1                   | 400    | database is required
      empty db                | /write?db=                  | cpu v=1                   | 400    | database is required
      unknown db              | /write?db=nope              | cpu v=1                   | 404    | database not found: "nope"
      all lines bad           | /write?db=db                | cpu v=                    | 400    | unable to parse 'cpu v=': missing field value
      unknown policy          | /write?db=db&rp=nope        | cpu v=1                   | 500    | retention policy not found: nope
      beyond retention        | /write?db=db&rp=short&precision=s | cpu v=1 1000        | 400    | partial write: points beyond retention policy dropped=1
      bad consistency         | /write?db=db&consistency=x  | cpu v=1                   | 400    | invalid consistency level
      good consistency        | /write?db=db&consistency=quorum | cpu v=1               | 204    |
      """)
  void writes(String name, String uri, String body, int status, String error) {
    ApiResponse r = post(uri, body == null ? "" : body);

    assertThat(r.status()).isEqualTo(status);
    if (error == null) {
      assertThat(r.body()).isEmpty();
      assertThat(r.header("X-Influxdb-Error")).isNull();
    } else {
      assertThat(r.bodyText()).isEqualTo(Json.error(error.replace("\\\"", "\"")));
      assertThat(r.header("X-Influxdb-Error")).isEqualTo(error.replace("\\\"", "\""));
    }
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("X-Influxdb-Version")).isEqualTo("1.6.7-capstan");
    assertThat(r.header("Request-Id")).isNotBlank().isEqualTo(r.header("X-Request-Id"));
  }

  @Test
  void mixedBatchWritesTheGoodLinesAndReportsAPartialWriteWithDroppedZero() {
    ApiResponse r = post("/write?db=db", "cpu v=1 1\ncpu v=\nmem x=1i 2\nbad");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).isEqualTo(
        "{\"error\":\"partial write: unable to parse 'cpu v=': missing field value\\n"
            + "unable to parse 'bad': missing fields dropped=0\"}");
    assertThat(r.header("X-Influxdb-Error")).doesNotContain("\n");
    assertThat(store.points("db")).extracting(Point::measurement).containsExactly("cpu", "mem");
  }

  @Test
  void typeConflictWritesTheRestAndCountsTheDropped() {
    ApiResponse r = post("/write?db=db", "cpu v=1 1\ncpu v=2i 2\ncpu v=3i 3\ncpu v=4 4");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).isEqualTo("{\"error\":\"partial write: field type conflict: input field \\\"v\\\" "
        + "on measurement \\\"cpu\\\" is type integer, already exists as type float dropped=2\"}");
    assertThat(store.points("db")).extracting(Point::timestampNanos).containsExactly(1L, 4L);
  }

  @Test
  void storeRefusalsWinOverParseErrorsAsInInfluxd() {
    ApiResponse r = post("/write?db=db&rp=short&precision=s", "cpu v=1 1000\nbad");

    assertThat(r.bodyText()).contains("points beyond retention policy dropped=1").doesNotContain("bad");
  }

  @ParameterizedTest
  @CsvSource({"n,1", "ns,1", "u,1000", "ms,1000000", "s,1000000000", "m,60000000000", "h,3600000000000", "bogus,1"})
  void precisionScalesTimestamps(String precision, long factor) {
    post("/write?db=db&precision=" + precision, "cpu v=1 7");

    assertThat(store.points("db")).singleElement().extracting(Point::timestampNanos).isEqualTo(7 * factor);
  }

  @Test
  void pointsWithoutTimestampGetTheClocksTimeTruncatedToThePrecision() {
    post("/write?db=db&precision=s", "cpu v=1\n");
    post("/write?db=db&rp=short", "cpu v=1\n");

    long nanos = NOW.getEpochSecond() * 1_000_000_000L;
    assertThat(store.points("db")).singleElement().extracting(Point::timestampNanos).isEqualTo(nanos);
    assertThat(store.points("db", "short")).singleElement().extracting(Point::timestampNanos).isEqualTo(nanos);
  }

  @Test
  void gzipBodiesAreInflatedAndLimitedAfterInflating() throws IOException {
    ApiResponse ok = api.handle(request("POST", "/write?db=db", gzip("cpu v=1 1\ncpu v=2 2\n"), "Content-Encoding", "gzip"));
    ApiResponse bomb = api.handle(request("POST", "/write?db=db", gzip("cpu v=1 1\n".repeat(200)), "Content-Encoding", "gzip"));
    ApiResponse truncated = api.handle(request("POST", "/write?db=db", "notgzip", "Content-Encoding", "gzip"));
    ApiResponse corrupt = api.handle(request("POST", "/write?db=db", Arrays.copyOf(gzip("cpu v=1 1\n".repeat(50)), 30), "Content-Encoding", "gzip"));
    ApiResponse notGzip = api.handle(request("POST", "/write?db=db", "cpu v=1 1 and more text", "Content-Encoding", "gzip"));

    assertThat(ok.status()).isEqualTo(204);
    assertThat(store.points("db")).hasSize(2);
    assertThat(bomb.status()).isEqualTo(413);
    assertThat(bomb.bodyText()).isEqualTo("{\"error\":\"Request Entity Too Large\"}");
    assertThat(truncated.bodyText()).isEqualTo("{\"error\":\"unexpected EOF\"}");
    assertThat(corrupt.bodyText()).isEqualTo("{\"error\":\"unexpected EOF\"}");
    assertThat(notGzip.bodyText()).isEqualTo("{\"error\":\"gzip: invalid header\"}");
  }

  @Test
  void tooLargeBodyIsCheckedAfterTheDatabase() {
    ApiRequest big = new ApiRequest("POST", "/write", Map.of("db", List.of("db")), Map.of(), Map.of(), new byte[0], true);
    ApiRequest bigUnknown = new ApiRequest("POST", "/write", Map.of("db", List.of("x")), Map.of(), Map.of(), new byte[0], true);

    assertThat(api.handle(big).status()).isEqualTo(413);
    assertThat(api.handle(bigUnknown).status()).isEqualTo(404);
  }

  @Test
  void routerLevelAnswersCarryNoRequestId() {
    ApiResponse get = api.handle(request("GET", "/write?db=db", ""));
    ApiResponse put = api.handle(request("PUT", "/query?q=x", ""));
    ApiResponse missing = api.handle(request("GET", "/nowhere", ""));

    assertThat(get.status()).isEqualTo(405);
    assertThat(get.header("Allow")).isEqualTo("OPTIONS, POST");
    assertThat(get.bodyText()).isEqualTo("Method Not Allowed\n");
    assertThat(put.header("Allow")).isEqualTo("OPTIONS, GET, POST");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.bodyText()).isEqualTo("404 page not found\n");
    assertThat(List.of(get, put, missing)).allSatisfy(r -> assertThat(r.header("Request-Id")).isNull());
  }

  @Test
  void pingHealthAndVerbosePing() {
    ApiResponse ping = api.handle(request("GET", "/ping", ""));
    ApiResponse head = api.handle(request("HEAD", "/ping", ""));
    ApiResponse verbose = api.handle(request("GET", "/ping?verbose=true", ""));
    ApiResponse notVerbose = api.handle(request("GET", "/ping?verbose=false", ""));
    ApiResponse health = api.handle(request("GET", "/health", ""));

    assertThat(List.of(ping, head, notVerbose)).allSatisfy(r -> assertThat(r.status()).isEqualTo(204));
    assertThat(verbose.status()).isEqualTo(200);
    assertThat(verbose.bodyText()).isEqualTo("{\"version\":\"1.6.7-capstan\"}");
    assertThat(health.bodyText()).isEqualTo("{\"name\":\"influxdb\",\"message\":\"ready for queries and writes\","
        + "\"status\":\"pass\",\"checks\":[],\"version\":\"1.6.7-capstan\"}");
  }

  @Test
  void queryNeedsQAndPassesItsParameters() {
    ApiResponse missing = api.handle(request("GET", "/query?db=db", ""));
    ApiResponse get = api.handle(request("GET", "/query?q=SHOW+DATABASES&db=db&rp=short&epoch=ms&pretty=true&chunked=true&chunk_size=5", ""));

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.bodyText()).isEqualTo("{\"error\":\"missing required parameter \\\"q\\\"\"}");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.bodyText()).contains("[\"db\"]");
    assertThat(queries.seen).usingRecursiveFieldByFieldElementComparatorIgnoringFields("monitor").containsExactly(
        new QueryRequest("SHOW DATABASES", "db", "short", "ms", true, true, 5, true));
  }

  @Test
  void formBodyValuesComeBeforeUrlValuesAndPostIsNotReadOnly() {
    ApiRequest post = new ApiRequest("POST", "/query",
        Map.of("q", List.of("SHOW MEASUREMENTS"), "epoch", List.of("s")),
        Map.of("q", List.of("CREATE DATABASE x"), "db", List.of("db")), Map.of(), new byte[0], false);

    api.handle(post);

    assertThat(queries.seen).usingRecursiveFieldByFieldElementComparatorIgnoringFields("monitor")
        .containsExactly(new QueryRequest("CREATE DATABASE x", "db", null, "s", false, false, 0, false));
    assertThat(store.databases()).contains("x");
  }

  @Test
  void parseErrorsAre400WithTheErrorHeader() {
    ApiResponse r = api.handle(request("GET", "/query?q=SELEC+x", ""));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("X-Influxdb-Error")).startsWith("error parsing query: found SELEC");
  }

  @Test
  void queryAnswersAreGzippedWhenTheClientAcceptsIt() throws IOException {
    ApiResponse r = api.handle(request("GET", "/query?q=SHOW+DATABASES", "", "Accept-Encoding", "deflate, gzip"));
    ApiResponse w = api.handle(request("POST", "/write?db=nope", "cpu v=1", "Accept-Encoding", "gzip"));

    assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
    assertThat(new String(new GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes(),
        StandardCharsets.UTF_8)).contains("\"databases\"");
    assertThat(w.header("Content-Encoding")).as("influxd gzips only /query").isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no credentials       | /write?db=db                 |                                 | 401 | unable to parse authentication credentials
      url params           | /write?db=db&u=admin&p=pw    |                                 | 204 |
      wrong password       | /write?db=db&u=admin&p=bad   |                                 | 401 | authorization failed
      unknown user         | /write?db=db&u=eve&p=pw      |                                 | 401 | authorization failed
      user without p       | /write?db=db&u=admin         |                                 | 401 | unable to parse authentication credentials
      basic                | /write?db=db                 | Basic YWRtaW46cHc=              | 204 |
      basic lower case     | /write?db=db                 | basic YWRtaW46cHc=              | 204 |
      basic wrong          | /write?db=db                 | Basic YWRtaW46YmFk              | 401 | authorization failed
      basic garbage        | /write?db=db                 | Basic !!!                       | 401 | unable to parse authentication credentials
      basic empty user     | /write?db=db                 | Basic OnB3                      | 401 | username required
      token                | /write?db=db                 | Token admin:pw                  | 204 |
      token wrong          | /write?db=db                 | Token admin:bad                 | 401 | authorization failed
      token without colon  | /write?db=db                 | Token adminpw                   | 401 | unable to parse authentication credentials
      bearer               | /write?db=db                 | Bearer abc                      | 401 | bearer auth disabld
      auth before db check | /write?db=nope               |                                 | 401 | unable to parse authentication credentials
      query too            | /query?q=SHOW+DATABASES      |                                 | 401 | unable to parse authentication credentials
      query with params    | /query?q=SHOW+DATABASES&u=admin&p=pw |                         | 200 |
      """)
  void authentication(String name, String uri, String authorization, int status, String error) {
    api.authenticateWith(Users.of(Map.of("admin", "pw")));
    ApiRequest request = authorization == null
        ? request("POST", uri, "cpu v=1")
        : request("POST", uri, "cpu v=1", "Authorization", authorization);

    ApiResponse r = api.handle(request);

    assertThat(r.status()).isEqualTo(status);
    if (error != null) {
      assertThat(r.bodyText()).isEqualTo(Json.error(error));
      assertThat(r.header("Www-Authenticate")).isEqualTo("Basic realm=\"InfluxDB\"");
      assertThat(r.header("X-Influxdb-Error")).isNull();
    }
  }

  @Test
  void pingNeedsNoCredentialsAndAuthCanBeTurnedOffAgain() {
    api.authenticateWith(Users.of(Map.of("admin", "pw")));
    assertThat(api.handle(request("GET", "/ping", "")).status()).isEqualTo(204);

    api.authenticateWith(null);
    assertThat(post("/write?db=db", "cpu v=1").status()).isEqualTo(204);
  }

  @Test
  void metricsCountRequestsByEndpointAndStatusAndPoints() {
    post("/write?db=db", "cpu v=1 1\ncpu v=2 2\nbad");
    post("/write?db=nope", "cpu v=1");
    api.handle(request("GET", "/query?q=SHOW+DATABASES", ""));

    String scrape = api.handle(request("GET", "/metrics", "")).bodyText();

    assertThat(scrape)
        .contains("capstan_tsdb_http_requests_seconds_count{endpoint=\"write\",status=\"400\"} 1")
        .contains("capstan_tsdb_http_requests_seconds_count{endpoint=\"write\",status=\"404\"} 1")
        .contains("capstan_tsdb_http_requests_seconds_count{endpoint=\"query\",status=\"200\"} 1")
        .contains("capstan_tsdb_points_written_total 2.0")
        .contains("capstan_tsdb_points_rejected_total 1.0");
  }

  @Test
  void debugVarsIsInfluxdsExpvarDocumentForTelegraf() throws IOException {
    post("/write?db=db", "cpu,host=a v=1 1\ncpu,host=b v=2 2\nmem free=3i 3\nbad");
    post("/write?db=nope", "cpu v=1");
    api.handle(request("GET", "/query?q=SHOW+DATABASES", ""));
    api.handle(request("GET", "/ping", ""));

    ApiResponse r = api.handle(request("GET", "/debug/vars", ""));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(doc.path("system").path("started").asText()).isEqualTo(NOW.toString());
    assertThat(doc.path("memstats").path("HeapAlloc").asLong()).isPositive();
    assertThat(doc.path("database:db").path("values").path("numSeries").asLong()).isEqualTo(3);
    assertThat(doc.path("database:db").path("values").path("numMeasurements").asLong()).isEqualTo(2);
    var httpd = doc.path("httpd").path("values");
    assertThat(httpd.path("writeReq").asLong()).isEqualTo(2);
    assertThat(httpd.path("queryReq").asLong()).isEqualTo(1);
    assertThat(httpd.path("pingReq").asLong()).isEqualTo(1);
    assertThat(httpd.path("clientError").asLong()).as("the partial write and the unknown database").isEqualTo(2);
    assertThat(httpd.path("pointsWrittenOK").asLong()).isEqualTo(3);
    assertThat(httpd.path("pointsWrittenDropped").asLong()).isEqualTo(1);
    // Telegraf reads every entry but these three as a statistic {name, tags, values}.
    doc.fields().forEachRemaining(e -> {
      if (!List.of("system", "cmdline", "memstats").contains(e.getKey())) {
        assertThat(e.getValue().has("name") && e.getValue().has("tags") && e.getValue().path("values").isObject())
            .as(e.getKey()).isTrue();
      }
    });

    api.authenticateWith(Users.of(Map.of("admin", "pw")));
    assertThat(api.handle(request("GET", "/debug/vars", "")).status()).as("credentials when auth is on").isEqualTo(401);
    assertThat(api.handle(request("GET", "/debug/vars?u=admin&p=pw", "")).status()).isEqualTo(200);
  }

  @Test
  void queriesSeeTheNodesStatisticsAndDiagnostics() {
    post("/write?db=db", "cpu,host=a v=1 1\ncpu,host=b v=2 2");
    api.handle(request("GET", "/ping", ""));
    api.handle(request("GET", "/query?q=SHOW+STATS", ""));

    var monitor = queries.seen.get(0).monitor();
    assertThat(monitor.statistics()).extracting(Monitor.Statistic::name).containsExactly("runtime", "database", "httpd");
    assertThat(monitor.statistics()).filteredOn(st -> st.name().equals("httpd")).singleElement()
        .satisfies(st -> assertThat(st.values()).containsEntry("pingReq", 1L).containsEntry("writeReq", 1L)
            .containsEntry("pointsWrittenOK", 2L));
    assertThat(monitor.statistics()).filteredOn(st -> st.name().equals("database")).singleElement()
        .satisfies(st -> {
          assertThat(st.tags()).containsEntry("database", "db");
          assertThat(st.values()).containsEntry("numSeries", 2L);
        });
    assertThat(monitor.diagnostics()).extracting(Monitor.Diagnostic::name)
        .containsExactly("build", "network", "runtime", "system");
    assertThat(monitor.diagnostics().get(0).values()).containsEntry("Version", HttpOptions.VERSION);
    assertThat(monitor.diagnostics().get(3).values()).containsEntry("started", NOW.toString())
        .containsEntry("uptime", "0s").containsEntry("PID", ProcessHandle.current().pid());
  }

  @Test
  void unknownDatabaseIsQuotedAsGosPercentQ() {
    ApiResponse r = post("/write?db=a%22b%5C%09<", "cpu v=1");

    assertThat(r.header("X-Influxdb-Error")).isEqualTo("database not found: \"a\\\"b\\\\\\t<\"");
  }

  @Test
  void jsonEscapingFollowsGo() {
    assertThat(Json.string("a\"b\\c\n<&>\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001\"");
  }

  @Test
  void allFieldTypesAreStoredAsParsed() {
    post("/write?db=db", "m f=1.5,i=-3i,s=\"x y\",b=t,B=FALSE 1");

    assertThat(store.points("db")).singleElement().satisfies(p -> assertThat(p.fields()).containsOnlyKeys("f", "i", "s", "b", "B")
        .containsEntry("b", new FieldValue.BooleanField(true)));
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
