package dev.capstan.dataplane.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.dataplane.broker.server.BrokerServer;
import dev.capstan.dataplane.server.AdminServer;
import dev.capstan.dataplane.server.EventLoops;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker's admin endpoint as the kubelet probes it: /health for liveness, /readyz for readiness. */
class BrokerReadinessHttpTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private EventLoops loops;
  private final List<AutoCloseable> started = new ArrayList<>();

  @BeforeEach
  void startLoops() {
    loops = EventLoops.start("readiness-test", 2);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    loops.close();
  }

  @Test
  void whileLogsAreRecoveredItIsAliveButNotReady() throws Exception {
    AdminServer admin = admin(null);
    assertThat(get(admin, "/health")).isEqualTo("200 ok");
    assertThat(get(admin, "/readyz")).isEqualTo("503 recovering partition logs");
    assertThat(get(admin, "/status")).contains("recovering partition logs");
  }

  @Test
  void aSingleBrokerIsReadyOnceItServes() throws Exception {
    BrokerServer broker = broker(0, List.of(), Duration.ofSeconds(60));
    AdminServer admin = admin(broker);
    assertThat(get(admin, "/readyz")).isEqualTo("200 ready: listener serving, 0 partitions recovered, every peer seen");
  }

  @Test
  void aBrokerOfTwoIsReadyOnceItsPeerAnswered() throws Exception {
    List<String> listeners = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
    AdminServer first = admin(broker(0, listeners, Duration.ofSeconds(60)));
    assertThat(get(first, "/readyz"))
        .startsWith("503 waiting for broker 1 at " + listeners.get(1) + " to answer (");
    // Not ready is not dead: the liveness probe must leave it running.
    assertThat(get(first, "/health")).isEqualTo("200 ok");

    AdminServer second = admin(broker(1, listeners, Duration.ofSeconds(60)));
    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(get(first, "/readyz")).startsWith("200 ready: ").endsWith("every peer seen");
      assertThat(get(second, "/readyz")).startsWith("200 ready: ").endsWith("every peer seen");
    });
  }

  @Test
  void aPeerThatNeverAnswersHoldsTheBrokerBackOnlyForTheWait() throws Exception {
    List<String> listeners = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
    AdminServer alone = admin(broker(0, listeners, Duration.ofSeconds(2)));
    assertThat(get(alone, "/readyz")).startsWith("503 waiting for broker 1");
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(get(alone, "/readyz")).isEqualTo(
        "200 ready: listener serving, 0 partitions recovered; never saw broker 1 at " + listeners.get(1)
            + " within 2s, serving without them"));
  }

  private BrokerServer broker(int id, List<String> listeners, Duration peerWait) throws Exception {
    BrokerServer.Options base = BrokerServer.Options.local(dir.resolve("b" + id));
    int port = listeners.isEmpty() ? 0 : Integer.parseInt(listeners.get(id).split(":")[1]);
    BrokerServer.Options options = new BrokerServer.Options(base.dataDir(), base.bindHost(), port, id, listeners,
        "readiness", base.retentionMs(), base.retentionBytes(), base.defaultPartitions(), base.autoCreateTopics(),
        base.syncOnAcksAll(), base.maxRequestBytes(), base.retentionCheckMs(), base.flushIntervalMs(),
        base.requestThreads(), base.clock(), base.groupConfig());
    BrokerServer broker = BrokerServer.start(options, loops, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        peerWait);
    started.add(broker);
    return broker;
  }

  private AdminServer admin(BrokerServer broker) throws Exception {
    AdminServer admin = BrokerMain.startAdmin(loops, "127.0.0.1", 0,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> broker);
    started.add(admin);
    return admin;
  }

  /** The status code and the body without its newline. */
  private static String get(AdminServer admin, String path) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body().strip();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
