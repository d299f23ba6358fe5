package dev.capstan.dataplane.lb;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on loopback that answers its own name, as nginx-tests' backends do:
 * {@code /} returns the name; {@code /echo-xff} the X-Forwarded-For it got; {@code /upload}
 * the size of the body; {@code /download?bytes=N} N bytes; {@code /health} the health status.
 * It can be slowed down, killed and restarted on the same port.
 */
final class TestBackend implements AutoCloseable {

  static {
    // Without it the JDK server's header and body writes meet Nagle and delayed ACKs: 40 ms a request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  final String name;
  private int port;
  private volatile long delayMillis;
  private volatile int healthStatus = 200;
  private final AtomicInteger requests = new AtomicInteger();
  final AtomicReference<String> lastXForwardedProto = new AtomicReference<>();
  private HttpServer server;
  private ExecutorService executor;

  private TestBackend(String name) {
    this.name = name;
  }

  static TestBackend start(String name) throws IOException {
    TestBackend b = new TestBackend(name);
    b.bind(0);
    return b;
  }

  private void bind(int wanted) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 128);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    port = server.getAddress().getPort();
  }

  int port() {
    return port;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  int requests() {
    return requests.get();
  }

  void delay(long millis) {
    delayMillis = millis;
  }

  void healthStatus(int status) {
    healthStatus = status;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/health")) {
        reply(ex, healthStatus, name);
        return;
      }
      requests.incrementAndGet();
      lastXForwardedProto.set(ex.getRequestHeaders().getFirst("X-Forwarded-Proto"));
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis); // the server's own slowness, part of the scenario
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      switch (path) {
        case "/echo-xff" -> reply(ex, 200, String.valueOf(ex.getRequestHeaders().getFirst("X-Forwarded-For")));
        case "/upload" -> {
          long n = 0;
          try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[65536];
            for (int r; (r = in.read(buf)) > 0; ) {
              n += r;
            }
          }
          reply(ex, 200, name + " " + n);
        }
        case "/download" -> {
          long bytes = Long.parseLong(ex.getRequestURI().getQuery().substring("bytes=".length()));
          ex.sendResponseHeaders(200, bytes);
          try (OutputStream out = ex.getResponseBody()) {
            byte[] buf = new byte[65536];
            for (int i = 0; i < buf.length; i++) {
              buf[i] = (byte) i;
            }
            for (long left = bytes; left > 0; left -= buf.length) {
              out.write(buf, 0, (int) Math.min(buf.length, left));
            }
          }
        }
        default -> reply(ex, 200, name);
      }
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  /** Stops listening and drops every connection, like a crashed server. */
  void kill() {
    server.stop(0);
    executor.shutdownNow();
  }

  void restart() throws IOException {
    bind(port);
  }

  @Override
  public void close() {
    kill();
  }
}
