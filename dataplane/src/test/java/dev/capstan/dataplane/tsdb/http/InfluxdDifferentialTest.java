package dev.capstan.dataplane.tsdb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.dataplane.server.EventLoops;
import dev.capstan.dataplane.testing.Influxd;
import dev.capstan.dataplane.tsdb.engine.EngineOptions;
import dev.capstan.dataplane.tsdb.engine.TsdbEngine;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends the same bytes to the real influxd 1.6.7 and to Capstan's server and compares what
 * comes back: status, the headers clients read, and the JSON body as a tree. Both run with
 * authentication on and a 1000-byte body limit; every case that is not about credentials
 * carries valid ones. Afterwards both must hold the same points per measurement.
 *
 * <p>Where Capstan deliberately differs (verbose ping, {@code Authorization: Token}, gzip bombs)
 * the case lives in {@link InfluxApiTest} instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InfluxdDifferentialTest {

  private static final int MAX_BODY = 1000;
  private static final String AUTH = InfluxApiTest.basic("admin", "pw");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The headers clients act on; Request-Id and the version only have to be present. */
  private static final List<String> COMPARED_HEADERS = List.of(
      "content-type", "content-encoding", "x-influxdb-error", "www-authenticate",
      "x-content-type-options", "x-influxdb-build");

  @TempDir static Path dir;
  private static Influxd influxd;
  private static EventLoops loops;
  private static TsdbEngine store;
  private static InfluxHttpServer capstan;

  /** One request; {@code auth}: add valid credentials. */
  record Case(String name, String method, String uri, byte[] body, boolean auth, List<String> headers) {
    @Override
    public String toString() {
      return name;
    }

    Case withoutAuth() {
      return new Case(name, method, uri, body, false, headers);
    }

    Case withHeaders(String... more) {
      return new Case(name, method, uri, body, false, List.of(more));
    }

    byte[] bytes() {
      List<String> h = new ArrayList<>(headers);
      if (auth) {
        h.add("Authorization");
        h.add(AUTH);
      }
      return RawHttp.request(method, uri, body, h.toArray(String[]::new));
    }
  }

  static Case write(String name, String uri, String body) {
    return new Case(name, "POST", uri, body.getBytes(StandardCharsets.UTF_8), true, List.of());
  }

  static Case call(String name, String method, String uri, boolean auth, String... headers) {
    return new Case(name, method, uri, new byte[0], auth, List.of(headers));
  }

  @BeforeAll
  static void startBoth() throws Exception {
    var binary = Influxd.binary();
    assumeTrue(binary.isPresent(), "influxd is not installed (looked on PATH and in /usr/bin): differential tests skipped");
    influxd = Influxd.start(binary.get(), dir, true, MAX_BODY);
    try (RawHttp http = new RawHttp(influxd.port())) {
      // With no user yet, influxd lets the first admin be created without credentials.
      for (String q : List.of("CREATE USER admin WITH PASSWORD 'pw' WITH ALL PRIVILEGES", "CREATE DATABASE db",
          "CREATE RETENTION POLICY short ON db DURATION 1h REPLICATION 1")) {
        RawHttp.Response r = http.exchange(RawHttp.request("POST", "/query",
            ("q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8),
            "Content-Type", "application/x-www-form-urlencoded", "Authorization", AUTH));
        assertThat(r.status()).as(q + ": " + r.text()).isEqualTo(200);
      }
    }
    loops = EventLoops.start("diff-http", 1);
    store = TsdbEngine.open(dir.resolve("capstan"), EngineOptions.defaults(), Clock.systemUTC());
    store.createDatabase("db");
    store.createRetentionPolicy("db", new RetentionPolicy("short", Duration.ofHours(1), Duration.ofHours(1), 1, false));
    InfluxApi api = new InfluxApi(store, new InfluxQlQueries(store, Clock.systemUTC()), Clock.systemUTC(),
        HttpOptions.defaults().withMaxBodySize(MAX_BODY), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    api.authenticateWith(Users.of(Map.of("admin", "pw")));
    capstan = InfluxHttpServer.start(loops, "127.0.0.1", 0, api);
  }

  @AfterAll
  static void stopBoth() {
    if (capstan != null) {
      capstan.close();
    }
    if (loops != null) {
      loops.close();
    }
    if (store != null) {
      try {
        store.close();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    if (influxd != null) {
      influxd.close();
    }
  }

  static Stream<Case> cases() throws IOException {
    long now = System.currentTimeMillis() / 1000;
    return Stream.of(
        write("one point", "/write?db=db", "m01 v=1 1000000000"),
        write("empty body", "/write?db=db", ""),
        write("comments and blank lines", "/write?db=db", "# a comment\n\n   \nm02 v=1 1000000000\n  # indented comment\n\n"),
        write("escaping", "/write?db=db",
            "m\\ 03\\,x,t\\ a\\,b\\=c=v\\ 1\\,2\\=3 f\\ k\\,e\\=y=\"s \\\"q\\\" \\\\ t\" 1000000000"),
        write("all field types", "/write?db=db", "m04 f=1.5,e=-1e3,i=-3i,u=0i,s=\"x\",b1=t,b2=T,b3=true,b4=True,b5=TRUE,"
            + "b6=f,b7=F,b8=false,b9=False,b10=FALSE 1000000000"),
        write("tags and many series", "/write?db=db", "m05,h=a v=1 1000000000\nm05,h=b v=2 1000000000\nm05,h=a v=3 2000000000"),
        write("precision n", "/write?db=db&precision=n", "m06 v=1 1000000000"),
        write("precision ns", "/write?db=db&precision=ns", "m06 v=2 2000000000"),
        write("precision u", "/write?db=db&precision=u", "m06 v=3 3000000"),
        write("precision ms", "/write?db=db&precision=ms", "m06 v=4 4000"),
        write("precision s", "/write?db=db&precision=s", "m06 v=5 5"),
        write("precision m", "/write?db=db&precision=m", "m06 v=6 1"),
        write("precision h", "/write?db=db&precision=h", "m06 v=7 1"),
        write("unknown precision", "/write?db=db&precision=x", "m06 v=8 8000000000"),
        write("no timestamp", "/write?db=db", "m07 v=1"),
        write("mixed batch", "/write?db=db", "m08 v=1 1000000000\nm08 v=\nm08 x=1i 2000000000\nbad"),
        write("all lines bad", "/write?db=db", "m09 v=\nbad\nm09,t v=1"),
        write("type conflict", "/write?db=db", "m10 v=1 1000000000\nm10 v=2i 1000000001\nm10 v=3 1000000002"),
        write("type conflict across writes", "/write?db=db", "m10 v=\"s\" 1000000003"),
        write("bad values", "/write?db=db", "m11 v=9223372036854775808i\nm11 v=tru\nm11 v=1 12a\nm11 v=1 1000000000"),
        write("bad tags", "/write?db=db", "m12,t v=1\nm12,t= v=1\nm12,=x v=1\nm12 v=\"unterminated"),
        write("duplicate field keeps last", "/write?db=db", "m13 a=1,a=2 1000000000"),
        write("unicode", "/write?db=db", "m\u00e9\u6e2c,t=\u2603 v=\"\u00fc\" 1000000000"),
        write("unicode parse error", "/write?db=db", "m\u00e9\u6e2c v="),
        write("unknown db", "/write?db=nope", "m v=1"),
        write("db needing quotes", "/write?db=a%22b%5Cc", "m v=1"),
        write("missing db", "/write", "m v=1"),
        write("empty db", "/write?db=", "m v=1"),
        write("unknown rp", "/write?db=db&rp=nope", "m v=1"),
        write("empty rp is the default", "/write?db=db&rp=", "m14 v=1 1000000000"),
        write("beyond retention", "/write?db=db&rp=short&precision=s", "m15 v=1 1000"),
        write("beyond retention and inside", "/write?db=db&rp=short&precision=s", "m15 v=1 1000\nm15 v=2 " + now),
        write("bad consistency", "/write?db=db&consistency=x", "m16 v=1 1000000000"),
        write("consistency all", "/write?db=db&consistency=all", "m16 v=1 1000000000"),
        write("too large", "/write?db=db", "m17 v=1 1000000000\n".repeat(MAX_BODY / 10)),
        new Case("gzip", "POST", "/write?db=db", gzip("m18 v=1 1000000000\nm18 v=2 2000000000\n"), true,
            List.of("Content-Encoding", "gzip")),
        new Case("gzip truncated", "POST", "/write?db=db", "notgzip".getBytes(StandardCharsets.UTF_8), true,
            List.of("Content-Encoding", "gzip")),
        new Case("gzip wrong magic", "POST", "/write?db=db", "m19 v=1 1000000000".getBytes(StandardCharsets.UTF_8), true,
            List.of("Content-Encoding", "gzip")),
        call("GET write", "GET", "/write?db=db", true),
        call("ping", "GET", "/ping", false),
        call("HEAD ping", "HEAD", "/ping", false),
        call("unknown path", "GET", "/nowhere", true),
        call("query without q", "GET", "/query?db=db", true),
        call("query with empty q", "POST", "/query?q=", true),
        call("PUT query", "PUT", "/query?q=SHOW+DATABASES", true),
        call("show databases", "GET", "/query?q=SHOW+DATABASES", true),
        call("show databases gzipped", "GET", "/query?q=SHOW+DATABASES", true, "Accept-Encoding", "gzip"),
        new Case("form query", "POST", "/query?q=ignored", "q=SHOW+DATABASES".getBytes(StandardCharsets.UTF_8), true,
            List.of("Content-Type", "application/x-www-form-urlencoded")),
        call("parse error", "GET", "/query?q=SELEC+x", true),
        call("parse error pretty", "GET", "/query?q=SELECT+FROM&pretty=true", true),
        call("select with epoch", "GET", "/query?db=db&epoch=s&q=SELECT+*+FROM+m05", true),
        call("select pretty", "GET", "/query?db=db&pretty=true&q=SELECT+*+FROM+m05+GROUP+BY+*", true),
        call("select chunked", "GET", "/query?db=db&chunked=true&chunk_size=3&q=SELECT+v+FROM+m06", true),
        call("several statements", "GET", "/query?db=db&q=SHOW+MEASUREMENTS+LIMIT+1%3BSHOW+DATABASES", true),
        call("unknown database", "GET", "/query?db=nope&q=SELECT+*+FROM+m01", true),
        call("database required", "GET", "/query?q=SELECT+*+FROM+m01", true),
        call("create database by POST", "POST", "/query?q=CREATE+DATABASE+other", true),
        call("databases after create", "GET", "/query?q=SHOW+DATABASES", true),
        call("retention policies", "GET", "/query?q=SHOW+RETENTION+POLICIES+ON+db", true),
        write("no credentials", "/write?db=db", "m v=1").withoutAuth(),
        write("no credentials, unknown db", "/write?db=nope", "m v=1").withoutAuth(),
        write("url credentials", "/write?db=db&u=admin&p=pw", "m20 v=1 1000000000").withoutAuth(),
        write("wrong url password", "/write?db=db&u=admin&p=bad", "m v=1").withoutAuth(),
        write("unknown user", "/write?db=db&u=eve&p=pw", "m v=1").withoutAuth(),
        write("user without password", "/write?db=db&u=admin", "m v=1").withoutAuth(),
        write("url credentials win over header", "/write?db=db&u=admin&p=pw", "m21 v=1 1000000000")
            .withHeaders("Authorization", InfluxApiTest.basic("admin", "bad")),
        write("wrong basic password", "/write?db=db", "m v=1").withHeaders("Authorization", InfluxApiTest.basic("admin", "x")),
        write("basic garbage", "/write?db=db", "m v=1").withHeaders("Authorization", "Basic !!!"),
        write("bearer", "/write?db=db", "m v=1").withHeaders("Authorization", "Bearer abc"),
        call("query without credentials", "GET", "/query?q=SHOW+DATABASES", false),
        call("query with wrong credentials", "GET", "/query?q=SHOW+DATABASES&u=admin&p=x", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Order(1)
  void answersAsInfluxd(Case c) throws IOException {
    RawHttp.Response expected = send(influxd.port(), c);
    RawHttp.Response actual = send(capstan.port(), c);

    assertThat(actual.status()).as("status").isEqualTo(expected.status());
    for (String h : COMPARED_HEADERS) {
      assertThat(actual.header(h)).as("header " + h).isEqualTo(expected.header(h));
    }
    // influxd lists allowed methods in Go's random map order.
    assertThat(methods(actual.header("allow"))).as("header allow").isEqualTo(methods(expected.header("allow")));
    for (String h : List.of("request-id", "x-request-id", "x-influxdb-version")) {
      assertThat(actual.header(h) != null).as("presence of header " + h).isEqualTo(expected.header(h) != null);
    }
    String expectedBody = body(expected);
    String actualBody = body(actual);
    JsonNode expectedJson = json(expectedBody);
    if (expectedJson != null) {
      assertThat(json(actualBody)).as("JSON body " + actualBody).isEqualTo(expectedJson);
    } else {
      assertThat(actualBody).as("body").isEqualTo(expectedBody);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  @Order(2)
  void bothHoldTheSamePoints(String query) throws IOException {
    String uri = "/query?db=db&q=" + java.net.URLEncoder.encode(query, StandardCharsets.UTF_8);
    Case c = call(query, "GET", uri, true);

    RawHttp.Response expected = send(influxd.port(), c);
    RawHttp.Response actual = send(capstan.port(), c);

    assertThat(expected.status()).isEqualTo(200);
    assertThat(json(body(expected)).path("results").path(0).has("series")).as("influxd has data").isTrue();
    assertThat(json(body(actual))).isEqualTo(json(body(expected)));
  }

  /** Every measurement the write cases stored, read back whole. */
  static Stream<String> queries() {
    // m07 and short.m15 hold points stamped with each server's own clock: only counted.
    return Stream.of("SHOW MEASUREMENTS", "SHOW SERIES FROM m05", "SHOW FIELD KEYS FROM m04",
        "SELECT * FROM \"m 03,x\"", "SELECT * FROM m01, m02, m04, m05, m06, m08",
        "SELECT * FROM m10, m11, m13, m14, m16, m18, m20, m21", "SELECT * FROM \"m\u00e9\u6e2c\"",
        "SELECT count(v) FROM short.m15", "SELECT count(v) FROM m07",
        // The groups the writes made: 1970's and this week's in autogen, this hour's in short;
        // the database "other" has none. Created in that order, so influxd's ids match the rows.
        "SHOW SHARD GROUPS", "SHOW SHARDS");
  }

  private static Set<String> methods(String allow) {
    return allow == null ? Set.of() : Set.of(allow.split(", "));
  }

  private static JsonNode influxQuery(RawHttp http, String q) throws IOException {
    RawHttp.Response r = http.exchange(RawHttp.request("GET",
        "/query?db=db&epoch=ns&q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8), new byte[0],
        "Authorization", AUTH));
    return JSON.readTree(r.body()).path("results").path(0).path("series");
  }

  private static RawHttp.Response send(int port, Case c) throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      return http.exchange(c.bytes());
    }
  }

  private static String body(RawHttp.Response r) throws IOException {
    byte[] body = r.body();
    if ("gzip".equals(r.header("content-encoding"))) {
      body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
    }
    return new String(body, StandardCharsets.UTF_8).strip();
  }

  private static JsonNode json(String text) {
    try {
      return text.isEmpty() ? null : JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
