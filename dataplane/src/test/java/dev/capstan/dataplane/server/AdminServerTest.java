package dev.capstan.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicReference<AdminServer.Health> HEALTH =
      new AtomicReference<>(AdminServer.Health.ok());
  private static EventLoops loops;
  private static AdminServer server;
  private static PrometheusMeterRegistry registry;

  @BeforeAll
  static void start() throws InterruptedException {
    loops = EventLoops.start("admin-test", 1);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("capstan_test_requests").increment(3);
    server =
        AdminServer.start(
            loops, "127.0.0.1", 0, registry, HEALTH::get, () -> Map.of("servers", 2));
  }

  @AfterAll
  static void stop() {
    server.close();
    loops.close();
  }

  @Test
  void healthFollowsTheSupplier() throws Exception {
    HEALTH.set(AdminServer.Health.ok());
    HttpResponse<String> up = get("/health");
    HEALTH.set(AdminServer.Health.unhealthy("WAL directory not writable"));
    HttpResponse<String> down = get("/health");
    HEALTH.set(AdminServer.Health.ok());

    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).isEqualTo("WAL directory not writable\n");
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    HttpResponse<String> r = get("/metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.body()).contains("capstan_test_requests_total 3.0");
  }

  @Test
  void statusIsJson() throws Exception {
    HttpResponse<String> r = get("/status");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"servers\" : 2");
  }

  @Test
  void anUnknownPathSaysWhatExists() throws Exception {
    HttpResponse<String> r = get("/nope");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("/health, /metrics or /status");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
