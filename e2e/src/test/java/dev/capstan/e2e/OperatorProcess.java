package dev.capstan.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The operator, run from its jar as a separate process, as a user would run it. */
public final class OperatorProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private OperatorProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the operator with the given environment and waits until /readyz answers 200. */
  public static OperatorProcess start(String name, Map<String, String> env) {
    Repo.requireBuilt();
    try {
      int port = freePort();
      Files.createDirectories(Repo.LOGS);
      Path log = Repo.LOGS.resolve(name + ".log");
      String java = ProcessHandle.current().info().command().orElse("java");
      ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-jar", Repo.OPERATOR_JAR.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      pb.environment().put("CAPSTAN_HTTP_PORT", Integer.toString(port));
      pb.environment().put("POD_NAME", name);
      OperatorProcess op = new OperatorProcess(pb.start(), port, log);
      op.awaitReady(Duration.ofSeconds(60));
      return op;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the operator: " + e.getMessage(), e);
    }
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited with " + process.exitValue() + "; log:\n" + logText());
      }
      try {
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(250);
    }
    throw new IllegalStateException("the operator was not ready within " + timeout + "; log:\n" + logText());
  }

  public String metrics() throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** As kill -9: no shutdown hook runs, the Lease is not released. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /**
   * Sends SIGTERM, as Kubernetes does when it stops a pod, and waits up to {@code grace} for
   * the process to exit by itself.
   *
   * @return whether it exited within the grace period (it is killed otherwise)
   */
  public boolean terminate(Duration grace) {
    process.destroy();
    try {
      boolean exited = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      return exited;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    terminate(Duration.ofSeconds(30));
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
