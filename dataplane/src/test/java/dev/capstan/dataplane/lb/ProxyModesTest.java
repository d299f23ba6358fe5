package dev.capstan.dataplane.lb;

import static dev.capstan.dataplane.lb.LbFixture.get;
import static dev.capstan.dataplane.lb.LbFixture.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP mode, protocol upgrades, reloads under load, and the command line. */
class ProxyModesTest {

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LbServer lb;

  @AfterEach
  void stop() throws Exception {
    LbFixture.stop(lb, closeables);
  }

  /** A raw socket server; {@code session} runs per connection on its own thread. */
  private int rawServer(SocketSession session) throws IOException {
    ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closeables.add(ss);
    Thread t = new Thread(() -> {
      while (!ss.isClosed()) {
        try {
          Socket s = ss.accept();
          closeables.add(s);
          new Thread(() -> {
            try (s) {
              session.run(s);
            } catch (IOException ignored) {
              // the client went away
            }
          }).start();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return ss.getLocalPort();
  }

  interface SocketSession {
    void run(Socket s) throws IOException;
  }

  /** Echoes until the client half-closes, then half-closes too. */
  private static void echo(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    byte[] buf = new byte[65536];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
    }
    s.shutdownOutput();
  }

  @Test
  void tcpModeSplicesLargePayloadsBothWaysWithHalfClose() throws Exception {
    int echo1 = rawServer(ProxyModesTest::echo);
    int echo2 = rawServer(ProxyModesTest::echo);
    lb = LbServer.start(LbFixture.parse("""
        mode: TCP
        algorithm: LeastConnections
        listeners: [{name: tcp, port: 0}]
        backends:
          - {host: 127.0.0.1, port: %d, weight: 1}
          - {host: 127.0.0.1, port: %d, weight: 1}
        passiveHealthCheck: {maxFails: 1, failTimeout: 10s}
        timeouts: {connect: 2s, response: 10s, idle: 30s}
        adminPort: 0
        """.formatted(echo1, echo2)), 2);
    byte[] payload = new byte[16 << 20];
    new Random(42).nextBytes(payload);
    for (int round = 0; round < 2; round++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("tcp"))) {
        // Write on another thread: the echo comes back while we send, and would fill buffers.
        Thread writer = new Thread(() -> {
          try {
            s.getOutputStream().write(payload);
            s.shutdownOutput();
          } catch (IOException ignored) {
            // seen as a short read below
          }
        });
        writer.start();
        byte[] back = s.getInputStream().readAllBytes(); // to EOF: the server's half-close came through
        writer.join();
        assertThat(back).hasSize(payload.length).isEqualTo(payload);
      }
    }
    assertThat(lb.status().servers()).allSatisfy(st -> assertThat(st.requests()).isEqualTo(1));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(lb.status().servers()).allSatisfy(st -> assertThat(st.active()).isZero()));
  }

  /**
   * A client that sends a short request and half-closes before the balancer has connected to a
   * server (as {@code nc -N} or a one-shot request does) still gets the whole answer. The early
   * FIN used to turn reading back on for a channel whose input was shut down, which epoll fails,
   * and the error closed both connections before the answer came back.
   */
  @Test
  void aClientThatHalfClosesAtOnceGetsTheWholeAnswer() throws Exception {
    int echo = rawServer(ProxyModesTest::echo);
    lb = LbServer.start(LbFixture.parse("""
        mode: TCP
        algorithm: RoundRobin
        listeners: [{name: tcp, port: 0}]
        backends: [{host: 127.0.0.1, port: %d, weight: 1}]
        timeouts: {connect: 2s, response: 10s, idle: 30s}
        adminPort: 0
        """.formatted(echo)), 2);
    for (int round = 0; round < 20; round++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("tcp"))) {
        s.setSoTimeout(10_000);
        byte[] request = ("request " + round).getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(request);
        s.shutdownOutput();
        assertThat(s.getInputStream().readAllBytes()).as("round %d", round).isEqualTo(request);
      }
    }
  }

  @Test
  void upgradeIsPassedThroughAndBytesSpliced() throws Exception {
    int ws = rawServer(s -> {
      InputStream in = s.getInputStream();
      String head = readHead(in);
      OutputStream out = s.getOutputStream();
      if (!head.toLowerCase().contains("upgrade: websocket")) {
        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return;
      }
      out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] buf = new byte[1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(new String(buf, 0, n, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    });
    lb = LbServer.start(LbFixture.parse("""
        mode: HTTP
        algorithm: RoundRobin
        listeners: [{name: web, port: 0}]
        backends: [{host: 127.0.0.1, port: %d, weight: 1}]
        timeouts: {connect: 2s, response: 10s, idle: 30s}
        adminPort: 0
        """.formatted(ws)), 2);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("web"))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: websocket");
      for (String word : List.of("hello", "tunnel")) {
        out.write(word.getBytes(StandardCharsets.US_ASCII));
        byte[] back = s.getInputStream().readNBytes(word.length());
        assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo(word.toUpperCase());
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.write(c);
      String s = b.toString(StandardCharsets.US_ASCII);
      if (s.endsWith("\r\n\r\n")) {
        return s;
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void aReloadUnderLoadDropsNoRequestAndRemovedServerDrains() throws Exception {
    TestBackend a = TestBackend.start("a");
    TestBackend c = TestBackend.start("c");
    TestBackend d = TestBackend.start("d");
    closeables.addAll(List.of(a, c, d));
    c.delay(200); // so that requests are in flight on it when it is removed
    lb = LbServer.start(yaml("HTTP", "algorithm: RoundRobin", List.of(a, c), null), 2);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger failures = new AtomicInteger();
    ConcurrentHashMap<String, AtomicInteger> answered = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        while (!stop.get()) {
          try {
            HttpResponse<String> r = get(lb, "/");
            if (r.statusCode() != 200) {
              failures.incrementAndGet();
            }
            answered.computeIfAbsent(r.body(), k -> new AtomicInteger()).incrementAndGet();
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      });
      th.start();
      threads.add(th);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> c.requests() >= 4);
    lb.reload(yaml("HTTP", "algorithm: LeastConnections", List.of(a, d), null));
    int cAtReload = c.requests();
    await().atMost(Duration.ofSeconds(10)).until(() -> d.requests() >= 50);
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }
    assertThat(failures.get()).isZero();
    assertThat(c.requests()).isEqualTo(cAtReload); // no new request after its removal
    assertThat(answered.get("c").get()).isEqualTo(cAtReload); // every one in flight was answered
    assertThat(lb.status().servers()).extracting(LbServer.ServerStatus::address)
        .containsExactly(a.address(), d.address());
    assertThat(lb.status().algorithm()).isEqualTo("LeastConnections");
  }

  @Test
  void shutdownStopsAcceptingAndLetsTheRequestInFlightFinish() throws Exception {
    TestBackend slow = TestBackend.start("slow");
    closeables.add(slow);
    slow.delay(700);
    lb = LbServer.start(yaml("HTTP", "algorithm: RoundRobin", List.of(slow), null), 2);
    int port = lb.port("web");
    var inFlight = LbFixture.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> lb.status().servers().get(0).active() == 1);
    lb.close(Duration.ofSeconds(10));
    HttpResponse<String> r = inFlight.get(5, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("slow");
    assertThat(r.headers().firstValue("Connection")).contains("close");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new Socket(InetAddress.getLoopbackAddress(), port).close()).isInstanceOf(IOException.class);
  }

  @Test
  void aWrongConfigurationIsOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("lb.yaml");
    Files.writeString(config, """
        mode: HTTP
        algorithm: Hash
        listeners: [{name: web, port: 0}]
        backends: [{host: 127.0.0.1, port: 1, weight: 1}]
        adminPort: 0
        """);
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LbMain.class.getName(), "--config", config.toString())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(output.strip()).isEqualTo("lb: hashKey is missing from lb.yaml for algorithm Hash");
  }
}
