package dev.capstan.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * /healthz, /readyz and /metrics on one port. The JDK's HTTP server is enough for three
 * endpoints scraped every few seconds; the data plane, which serves traffic, uses Netty.
 */
final class HealthServer implements AutoCloseable {
  /** A probe's answer: healthy or not, and a one-line reason. */
  record Check(boolean ok, String detail) {}

  private final HttpServer server;

  HealthServer(int port, Supplier<Check> liveness, Supplier<Check> readiness, Supplier<String> metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext("/healthz", ex -> answer(ex, liveness.get()));
    server.createContext("/readyz", ex -> answer(ex, readiness.get()));
    server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "health-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange ex, Check check) throws IOException {
    send(ex, check.ok() ? 200 : 503, "text/plain; charset=utf-8", (check.ok() ? "ok" : "not ok") + ": " + check.detail() + "\n");
  }

  private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
