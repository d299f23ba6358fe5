package dev.capstan.dataplane.lb;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.dataplane.server.ConfigFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Configurations as the operator renders them, a balancer on them, and an HTTP client. */
final class LbFixture {

  private LbFixture() {}

  static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /** lb.yaml with listener "web" on any port, admin on any port, and these backends. */
  static BalancerConfig yaml(String mode, String algorithmAndMore, List<TestBackend> backends,
      int[] weights) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < backends.size(); i++) {
      b.append("  - {host: 127.0.0.1, port: ").append(backends.get(i).port())
          .append(", weight: ").append(weights == null ? 1 : weights[i]).append("}\n");
    }
    return parse("""
        mode: %s
        %s
        listeners:
          - {name: web, port: 0}
        backends:
        %s
        timeouts: {connect: 2s, response: 10s, idle: 30s}
        adminPort: 0
        """.formatted(mode, algorithmAndMore.strip(), b));
  }

  static BalancerConfig parse(String yaml) {
    return ConfigFile.parse("test lb.yaml", yaml.getBytes(StandardCharsets.UTF_8), BalancerConfig.class);
  }

  static String backendsYaml(List<TestBackend> backends) {
    return backends.stream()
        .map(t -> "  - {host: 127.0.0.1, port: " + t.port() + ", weight: 1}")
        .collect(Collectors.joining("\n"));
  }

  /**
   * After a test: the balancer (if one was started) first, so no request is in flight, then
   * what the test started, the last first; every one is closed even if one fails.
   */
  static void stop(LbServer lb, List<? extends AutoCloseable> started) throws Exception {
    Exception failed = null;
    if (lb != null) {
      lb.close();
    }
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  static HttpResponse<String> get(LbServer lb, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lb.port("web") + path))
        .timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
