package dev.capstan.dataplane.lb;

import static dev.capstan.dataplane.lb.LbFixture.get;
import static dev.capstan.dataplane.lb.LbFixture.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP balancer, black box: real servers on loopback that answer their names. */
class HttpProxyTest {

  private final List<TestBackend> backends = new ArrayList<>();
  private LbServer lb;

  @BeforeEach
  void servers() throws Exception {
    for (String name : List.of("a", "b", "c")) {
      backends.add(TestBackend.start(name));
    }
  }

  @AfterEach
  void stop() throws Exception {
    LbFixture.stop(lb, backends);
  }

  private Map<String, Integer> shares(int requests, String path, String... headers) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = get(lb, path, headers);
      assertThat(r.statusCode()).isEqualTo(200);
      counts.merge(r.body(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Sequential requests leave every server idle at each pick, so the least-* algorithms tie
   * and take turns by weight: all three give the weights' shares, round robin exactly, random
   * two choices within 45 of 600 requests: its draws are unseeded, and a server's count is a
   * binomial with a standard deviation of up to 12 here, so 45 is 3.7 of them (a tolerance of 30 failed
   * in one CI run, 40 off).
   */
  @ParameterizedTest
  @CsvSource({
      "algorithm: RoundRobin, 0",
      "algorithm: LeastConnections, 0",
      "'algorithm: RandomTwoChoices\ntwoChoicesBasis: LeastConnections', 44"})
  void sequentialRequestsFollowTheWeights(String algorithm, int tolerance) throws Exception {
    lb = LbServer.start(yaml("HTTP", algorithm, backends, new int[] {3, 2, 1}), 2);
    Map<String, Integer> counts = shares(600, "/");
    assertThat(counts.get("a")).isCloseTo(300, org.assertj.core.data.Offset.offset(tolerance + 1));
    assertThat(counts.get("b")).isCloseTo(200, org.assertj.core.data.Offset.offset(tolerance + 1));
    assertThat(counts.get("c")).isCloseTo(100, org.assertj.core.data.Offset.offset(tolerance + 1));
  }

  @ParameterizedTest
  @CsvSource({
      "'algorithm: LeastTime\nleastTimeBasis: FirstByte'",
      "'algorithm: RandomTwoChoices\ntwoChoicesBasis: LeastTime\nleastTimeBasis: FirstByte'"})
  void aSlowServerGetsLessTraffic(String algorithm) throws Exception {
    backends.get(2).delay(40);
    lb = LbServer.start(yaml("HTTP", algorithm, backends, null), 2);
    Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 100; i++) {
          try {
            counts.merge(get(lb, "/").body(), 1, Integer::sum);
          } catch (Exception e) {
            counts.merge("error", 1, Integer::sum);
          }
        }
      });
      th.start();
      threads.add(th);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(counts).doesNotContainKey("error");
    int slow = counts.getOrDefault("c", 0);
    // 600 requests: the slow server (40 ms against well under 1 ms) gets under a tenth, each
    // fast one more than four times as many.
    assertThat(slow).isLessThan(60);
    assertThat(counts.get("a")).isGreaterThan(4 * slow);
    assertThat(counts.get("b")).isGreaterThan(4 * slow);
  }

  @Test
  void ipHashOnForwardedForOfTrustedProxiesAndHashOnHeaderCookiePath() throws Exception {
    lb = LbServer.start(yaml("HTTP", "algorithm: IPHash\ntrustedProxies: [127.0.0.0/8]", backends, null), 2);
    Map<String, String> first = new HashMap<>();
    Set<String> used = new HashSet<>();
    for (int c = 0; c < 60; c++) {
      String client = "198.51.100." + c;
      for (int i = 0; i < 3; i++) {
        String server = get(lb, "/", "X-Forwarded-For", client).body();
        assertThat(first.computeIfAbsent(client, k -> server)).isEqualTo(server);
        used.add(server);
      }
    }
    assertThat(used).containsExactlyInAnyOrder("a", "b", "c");
    lb.close();

    for (String key : List.of("source: Header, name: X-User", "source: Cookie, name: user", "source: Path")) {
      lb = LbServer.start(yaml("HTTP", "algorithm: Hash\nhashKey: {" + key + "}", backends, null), 2);
      Map<String, String> pinned = new HashMap<>();
      Set<String> spread = new HashSet<>();
      for (int u = 0; u < 40; u++) {
        for (int i = 0; i < 3; i++) {
          HttpResponse<String> r = key.contains("Path") ? get(lb, "/user/" + u)
              : key.contains("Cookie") ? get(lb, "/", "Cookie", "x=1; user=u" + u)
              : get(lb, "/", "X-User", "u" + u);
          assertThat(pinned.computeIfAbsent("u" + u, k -> r.body())).as(key).isEqualTo(r.body());
          spread.add(r.body());
        }
      }
      assertThat(spread).as(key).hasSize(3);
      lb.close();
    }
    lb = null;
  }

  @Test
  void cookiePinsAClientWhileItsServerIsHealthy() throws Exception {
    lb = LbServer.start(yaml("HTTP", """
        algorithm: RoundRobin
        sessionCookie: {name: CAPSTAN_SERVER, path: /, ttl: 1h}
        passiveHealthCheck: {maxFails: 1, failTimeout: 30s}
        """, backends, null), 2);
    HttpResponse<String> first = get(lb, "/");
    String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("CAPSTAN_SERVER=").contains("Max-Age=3600").contains("Path=/")
        .doesNotContain("127.0.0.1");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get(lb, "/", "Cookie", cookie);
      assertThat(r.body()).isEqualTo(first.body());
      assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    }
    backends.stream().filter(b -> b.name.equals(first.body())).findFirst().orElseThrow().kill();
    HttpResponse<String> moved = get(lb, "/", "Cookie", cookie);
    assertThat(moved.statusCode()).isEqualTo(200);
    assertThat(moved.body()).isNotEqualTo(first.body());
    assertThat(moved.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain(cookie);
  }

  @Test
  void aKilledServerIsEjectedPassivelyNoGetFailsAndItReturns() throws Exception {
    lb = LbServer.start(yaml("HTTP", """
        algorithm: RoundRobin
        passiveHealthCheck: {maxFails: 1, failTimeout: 1s}
        """, backends, null), 2);
    TestBackend b = backends.get(1);
    b.kill();
    Map<String, Integer> counts = shares(150, "/");
    assertThat(counts).containsOnlyKeys("a", "c");
    assertThat(lb.status().servers()).filteredOn(s -> s.address().equals(b.address()))
        .singleElement().satisfies(s -> assertThat(s.failures()).isGreaterThanOrEqualTo(1));
    b.restart();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(get(lb, "/").body()).isEqualTo("b"));
  }

  @Test
  void aKilledServerIsMarkedDownByProbesAndUpWhenItReturns() throws Exception {
    lb = LbServer.start(yaml("HTTP", """
        algorithm: RoundRobin
        activeHealthCheck: {type: HTTP, path: /health, expectedStatuses: [{from: 200, to: 299}], interval: 100ms, timeout: 100ms, healthyThreshold: 2, unhealthyThreshold: 2}
        passiveHealthCheck: {maxFails: 0, failTimeout: 10s}
        """, backends, null), 2);
    TestBackend b = backends.get(1);
    b.kill();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(lb.status().servers())
        .filteredOn(s -> s.address().equals(b.address())).singleElement()
        .satisfies(s -> assertThat(s.health()).isEqualTo("DOWN")));
    assertThat(shares(60, "/")).containsOnlyKeys("a", "c");
    // An unexpected status is a failed probe too.
    backends.get(2).healthStatus(500);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(shares(10, "/")).containsOnlyKeys("a"));
    b.restart();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(shares(10, "/")).containsOnlyKeys("a", "b"));
  }

  @Test
  void allDownAnswers503AndForwardedHeadersAreSet() throws Exception {
    lb = LbServer.start(yaml("HTTP", """
        algorithm: LeastConnections
        trustedProxies: [10.0.0.0/8]
        passiveHealthCheck: {maxFails: 1, failTimeout: 30s}
        """, backends, null), 2);
    HttpResponse<String> xff = get(lb, "/echo-xff", "X-Forwarded-For", "203.0.113.9");
    // 127.0.0.1 is not a trusted proxy, so what it claims is replaced by what we saw.
    assertThat(xff.body()).isEqualTo("127.0.0.1");
    assertThat(backends.stream().map(x -> x.lastXForwardedProto.get()).filter(p -> p != null)).containsOnly("http");
    backends.forEach(TestBackend::kill);
    HttpResponse<String> tried = get(lb, "/");
    assertThat(tried.statusCode()).isEqualTo(502);
    HttpResponse<String> none = get(lb, "/");
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(none.body()).isEqualTo("no healthy servers\n");
  }

  @Test
  void aServerSlowerThanTheResponseTimeoutGives504AndIsEjected() throws Exception {
    TestBackend slow = backends.get(0);
    slow.delay(30_000);
    lb = LbServer.start(LbFixture.parse("""
        mode: HTTP
        algorithm: RoundRobin
        listeners: [{name: web, port: 0}]
        backends: [{host: 127.0.0.1, port: %d, weight: 1}]
        passiveHealthCheck: {maxFails: 1, failTimeout: 30s}
        timeouts: {connect: 1s, response: 300ms, idle: 30s}
        adminPort: 0
        """.formatted(slow.port())), 2);
    long start = System.nanoTime();
    HttpResponse<String> r = get(lb, "/");
    assertThat(r.statusCode()).isEqualTo(504);
    // Far from the server's 30s (a cold JVM on a busy machine takes seconds for a first request).
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(lb.status().servers().get(0).health()).isEqualTo("EJECTED");
  }

  @Test
  void trustedProxyChainIsKept() throws Exception {
    lb = LbServer.start(yaml("HTTP", "algorithm: RoundRobin\ntrustedProxies: [127.0.0.0/8]", backends, null), 2);
    assertThat(get(lb, "/echo-xff", "X-Forwarded-For", "203.0.113.9").body()).isEqualTo("203.0.113.9, 127.0.0.1");
  }

  /**
   * Java's HttpClient, left at its default, offers an h2c upgrade on its first request to a
   * host, POSTs included. The balancer must not wait for a 101 then: the offer is dropped and
   * the request, body and all, goes on as HTTP/1.1.
   */
  @Test
  void anH2cUpgradeOfferOnAPostIsDroppedAndTheBodyArrives() throws Exception {
    lb = LbServer.start(yaml("HTTP", "algorithm: RoundRobin", backends, null), 2);
    java.net.http.HttpClient defaults = java.net.http.HttpClient.newHttpClient();
    byte[] body = new byte[1000];

    HttpResponse<String> r = defaults.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + lb.port("web") + "/upload"))
        .timeout(java.time.Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).endsWith(" " + body.length);
  }

  @Test
  void largeBodiesStreamBothWays() throws Exception {
    lb = LbServer.start(yaml("HTTP", "algorithm: RoundRobin", backends, null), 2);
    byte[] upload = new byte[8 << 20];
    HttpResponse<String> up = LbFixture.CLIENT.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + lb.port("web") + "/upload"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.body()).endsWith(" " + upload.length);
    HttpResponse<byte[]> down = LbFixture.CLIENT.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + lb.port("web") + "/download?bytes=" + (32 << 20))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(down.body()).hasSize(32 << 20);
    assertThat(down.body()[65537]).isEqualTo((byte) 1);
    // Still usable, on the same client connection.
    assertThat(get(lb, "/").statusCode()).isEqualTo(200);
  }

  @Test
  void statusAndMetricsShowServersAndRequests() throws Exception {
    lb = LbServer.start(yaml("HTTP", "algorithm: RoundRobin", backends, null), 2);
    shares(30, "/");
    HttpResponse<String> status = LbFixture.CLIENT.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + lb.adminPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(status.body()).contains("\"address\" : \"" + backends.get(0).address() + "\"")
        .contains("\"health\" : \"UP\"").contains("\"requests\" : 10");
    HttpResponse<String> metrics = LbFixture.CLIENT.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + lb.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("lb_requests_total{listener=\"web\",server=\"" + backends.get(0).address() + "\",status=\"2xx\"} 10.0")
        .contains("lb_server_up{server=\"" + backends.get(1).address() + "\"} 1.0")
        .contains("lb_active_connections{listener=\"web\"}");
  }
}
