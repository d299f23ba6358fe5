package dev.capstan.dataplane.tsdb.http;

import static dev.capstan.dataplane.tsdb.http.RawHttp.chunked;
import static dev.capstan.dataplane.tsdb.http.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.dataplane.server.EventLoops;
import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Netty edge: framing, keep-alive, body limits, ordering and work off the event loop. */
class InfluxHttpServerTest {

  private static final int MAX_BODY = 10_000;

  private EventLoops loops;
  private InMemoryTsdbStore store;
  private InfluxHttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch slowStarted = new CountDownLatch(1);

  @BeforeEach
  void setUp() {
    loops = EventLoops.start("test-http", 1);
    store = new InMemoryTsdbStore();
    store.createDatabase("db");
  }

  private void start(int workers, int queue) throws InterruptedException {
    FakeQueries fake = new FakeQueries(store);
    QueryHandler handler = request -> {
      if (request.query().equals("SLOW")) {
        slowStarted.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return QueryResponse.ok("{\"results\":[{\"statement_id\":0}]}".getBytes(StandardCharsets.UTF_8));
      }
      return fake.execute(request);
    };
    InfluxApi api = new InfluxApi(store, handler, Clock.systemUTC(),
        HttpOptions.defaults().withMaxBodySize(MAX_BODY).withWorkers(workers, queue),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server = InfluxHttpServer.start(loops, "127.0.0.1", 0, api);
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    if (server != null) {
      server.close();
    }
    loops.close();
  }

  private static byte[] write(String body) {
    return request("POST", "/write?db=db", body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void keepsTheConnectionAcrossRequestsAndFramesEveryAnswer() throws Exception {
    start(2, 16);
    try (RawHttp http = new RawHttp(server.port())) {
      RawHttp.Response first = http.exchange(write("cpu v=1 1"));
      RawHttp.Response second = http.exchange(request("GET", "/query?q=SHOW+DATABASES", new byte[0]));
      RawHttp.Response head = http.exchange(request("HEAD", "/ping", new byte[0]));
      RawHttp.Response third = http.exchange(write("cpu v=2 2"));

      assertThat(first.status()).isEqualTo(204);
      assertThat(first.header("content-length")).isNull();
      assertThat(second.text()).contains("\"databases\"");
      assertThat(second.header("content-length")).isEqualTo(Integer.toString(second.body().length));
      assertThat(head.status()).isEqualTo(204);
      assertThat(third.status()).isEqualTo(204);
      assertThat(first.header("date")).endsWith("GMT");
      assertThat(store.points("db")).hasSize(2);
    }
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    start(4, 16);
    try (RawHttp http = new RawHttp(server.port())) {
      http.send(RawHttp.concat(RawHttp.concat(write("cpu v=1 1"),
          request("POST", "/write?db=nope", "cpu v=1".getBytes(StandardCharsets.UTF_8))),
          RawHttp.concat(write("cpu v="), request("GET", "/ping?verbose=1", new byte[0]))));

      assertThat(http.read(false).status()).isEqualTo(204);
      assertThat(http.read(false).status()).isEqualTo(404);
      assertThat(http.read(false).status()).isEqualTo(400);
      assertThat(http.read(false).status()).isEqualTo(200);
    }
  }

  @Test
  void tooLargeBodiesAre413AndTheConnectionStaysUsable() throws Exception {
    start(2, 16);
    byte[] big = "cpu v=1 1\n".repeat(MAX_BODY / 10 + 1).getBytes(StandardCharsets.UTF_8);
    try (RawHttp http = new RawHttp(server.port())) {
      RawHttp.Response declared = http.exchange(request("POST", "/write?db=db", big));
      RawHttp.Response streamed = http.exchange(chunked("POST", "/write?db=db", big, 1000));
      RawHttp.Response fits = http.exchange(chunked("POST", "/write?db=db", "cpu v=1 1\ncpu v=2 2\n".getBytes(StandardCharsets.UTF_8), 7));

      assertThat(declared.status()).isEqualTo(413);
      assertThat(declared.text()).isEqualTo("{\"error\":\"Request Entity Too Large\"}");
      assertThat(streamed.status()).isEqualTo(413);
      assertThat(fits.status()).isEqualTo(204);
      assertThat(store.points("db")).hasSize(2);
    }
  }

  @Test
  void aSlowQueryDoesNotStallOtherConnections() throws Exception {
    start(2, 16);
    try (RawHttp slow = new RawHttp(server.port()); RawHttp other = new RawHttp(server.port())) {
      CompletableFuture<RawHttp.Response> pending = CompletableFuture.supplyAsync(() -> {
        try {
          return slow.exchange(request("GET", "/query?q=SLOW", new byte[0]));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(other.exchange(request("GET", "/ping", new byte[0])).status()).isEqualTo(204);
      assertThat(other.exchange(write("cpu v=1 1")).status()).isEqualTo(204);
      assertThat(pending).isNotDone();

      release.countDown();
      assertThat(pending.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  @Test
  void refusesWithA503WhenEveryWorkerAndQueueSlotIsTaken() throws Exception {
    start(1, 1);
    try (RawHttp a = new RawHttp(server.port()); RawHttp b = new RawHttp(server.port());
        RawHttp c = new RawHttp(server.port())) {
      a.send(request("GET", "/query?q=SLOW", new byte[0]));
      assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
      b.send(request("GET", "/ping", new byte[0]));
      await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
        // b occupies the one queue slot once the event loop has dispatched it
        RawHttp.Response refused = c.exchange(request("GET", "/ping", new byte[0]));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.text()).contains("retry later");
      });

      release.countDown();
      assertThat(a.read(false).status()).isEqualTo(200);
      assertThat(b.read(false).status()).isEqualTo(204);
      assertThat(c.exchange(request("GET", "/ping", new byte[0])).status()).isEqualTo(204);
    }
  }

  @Test
  void http10WithoutKeepAliveIsClosedAfterTheAnswer() throws Exception {
    start(2, 16);
    try (RawHttp http = new RawHttp(server.port())) {
      http.send("GET /ping HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

      assertThat(http.read(false).status()).isEqualTo(204);
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void aMalformedRequestHeadIsRefusedAndTheConnectionClosed() throws Exception {
    start(2, 16);
    try (RawHttp http = new RawHttp(server.port())) {
      http.send("POST /write?db=db HTTP/1.1\r\nContent-Length: nope\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

      assertThat(http.read(false).status()).isEqualTo(400);
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void formEncodedQueriesAndGzipAnswers() throws Exception {
    start(2, 16);
    try (RawHttp http = new RawHttp(server.port())) {
      RawHttp.Response r = http.exchange(request("POST", "/query",
          "q=SHOW+DATABASES".getBytes(StandardCharsets.UTF_8),
          "Content-Type", "application/x-www-form-urlencoded", "Accept-Encoding", "gzip"));

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("content-encoding")).isEqualTo("gzip");
      assertThat(new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes(),
          StandardCharsets.UTF_8)).contains("[\"db\"]");
    }
  }
}
