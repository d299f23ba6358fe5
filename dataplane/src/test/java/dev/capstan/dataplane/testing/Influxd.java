package dev.capstan.dataplane.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real influxd 1.6.7 as a child process on a directory and free ports: the reference the
 * differential tests compare Capstan with.
 */
public final class Influxd implements AutoCloseable {
  /** influxd's own default request body limit. */
  public static final int DEFAULT_MAX_BODY_SIZE = 25_000_000;

  private final Process process;
  private final int httpPort;
  private final Path log;

  private Influxd(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /** influxd on the PATH or in /usr/bin, if installed. */
  public static Optional<Path> binary() {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "influxd");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Starts influxd with its data, WAL and log in {@code dir}; returns once it answers /ping. */
  public static Influxd start(Path binary, Path dir, boolean authEnabled, int maxBodySize) throws IOException {
    int http = freePort();
    int rpc = freePort();
    String conf = """
        reporting-disabled = true
        bind-address = "127.0.0.1:%d"
        [meta]
          dir = "%s/meta"
        [data]
          dir = "%s/data"
          wal-dir = "%s/wal"
          query-log-enabled = false
        [monitor]
          store-enabled = false
        [continuous_queries]
          enabled = false
        [logging]
          level = "error"
        [http]
          bind-address = "127.0.0.1:%d"
          log-enabled = false
          auth-enabled = %s
          max-body-size = %d
        """.formatted(rpc, dir, dir, dir, http, authEnabled, maxBodySize);
    Path config = dir.resolve("influxd.conf");
    Files.writeString(config, conf);
    Path log = dir.resolve("influxd.log");
    Process process = new ProcessBuilder(binary.toString(), "-config", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    Influxd influxd = new Influxd(process, http, log);
    HttpClient client = HttpClient.newHttpClient();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("influxd exited: " + Files.readString(log));
        }
        try {
          return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/ping")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 204;
        } catch (IOException e) {
          return false;
        }
      });
    } catch (RuntimeException e) {
      influxd.close();
      throw e;
    }
    return influxd;
  }

  public int port() {
    return httpPort;
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
