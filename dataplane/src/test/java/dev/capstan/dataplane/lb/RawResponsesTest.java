package dev.capstan.dataplane.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests and responses as clients and servers really write them, byte for byte, through the
 * balancer, which passes heads and bodies on by copying: what each framing becomes for the
 * client, interim and bodiless responses, hop-by-hop headers both ways, what a server gets of
 * a client's head, and the requests (400 and close) and responses (502) it must refuse so
 * that the other side cannot read a different end of a message than the balancer did.
 */
class RawResponsesTest {

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LbServer lb;

  @AfterEach
  void stop() throws Exception {
    LbFixture.stop(lb, closeables);
  }

  /** What a scripted server writes for one request, and whether it closes afterwards. */
  record Reply(String bytes, boolean close) {
    static Reply of(String bytes) {
      return new Reply(bytes, false);
    }
  }

  /** A server that reads requests (skipping bodies) and writes the scripted reply for each. */
  private static final class ScriptedServer implements AutoCloseable {
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<String> heads = new CopyOnWriteArrayList<>();
    /** The request bodies as they arrived, chunk framing included. */
    final List<String> bodies = new CopyOnWriteArrayList<>();
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    ScriptedServer(Function<String, Reply> script) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.submit(() -> {
        while (!socket.isClosed()) {
          Socket s = socket.accept();
          connections.incrementAndGet();
          threads.submit(() -> serve(s, script));
        }
        return null;
      });
    }

    private Void serve(Socket s, Function<String, Reply> script) throws IOException {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        for (String head; (head = readHead(in)) != null; ) {
          requests.incrementAndGet();
          heads.add(head);
          String lower = head.toLowerCase(Locale.ROOT);
          if (lower.contains("\r\nexpect: 100-continue\r\n")) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
          // X-Early: the reply goes before the body is read, as a server refusing it does.
          boolean early = lower.contains("\r\nx-early: 1\r\n");
          Reply r = early ? script.apply(head) : null;
          if (early) {
            out.write(r.bytes().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
          bodies.add(readBody(in, head));
          if (!early) {
            r = script.apply(head);
            out.write(r.bytes().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
          if (r.close()) {
            return null;
          }
        }
      }
      return null;
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }

  /** Reads a body framed by Content-Length or chunks, as a server reads it; as it came. */
  private static String readBody(InputStream in, String head) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    StringBuilder raw = new StringBuilder();
    if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
      for (long size; (size = Long.parseLong(readLine(in, raw).split(";")[0], 16)) > 0; ) {
        raw.append(new String(in.readNBytes((int) size + 2), StandardCharsets.ISO_8859_1));
      }
      while (!readLine(in, raw).isEmpty()) {
        // trailers
      }
    } else if (lower.contains("\r\ncontent-length: ")) {
      int at = lower.indexOf("\r\ncontent-length: ") + 18;
      raw.append(new String(in.readNBytes(Integer.parseInt(lower.substring(at, lower.indexOf('\r', at)).trim())),
          StandardCharsets.ISO_8859_1));
    }
    return raw.toString();
  }

  /** A line without its CR LF; {@code raw} gets it with them. */
  private static String readLine(InputStream in, StringBuilder raw) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      raw.append((char) c);
      if (c != '\r') {
        b.append((char) c);
      }
    }
    raw.append('\n');
    return b.toString();
  }

  /** The head up to its blank line, or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    for (int c; (c = in.read()) >= 0; ) {
      b.write(c);
      matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
      if (matched == 4) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static String path(String head) {
    return head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
  }

  private ScriptedServer server(Function<String, Reply> script) throws IOException {
    ScriptedServer s = new ScriptedServer(script);
    closeables.add(s);
    return s;
  }

  private void balance(ScriptedServer... servers) throws InterruptedException {
    balance("", servers);
  }

  /** {@code more}: further lines of lb.yaml. */
  private void balance(String more, ScriptedServer... servers) throws InterruptedException {
    StringBuilder b = new StringBuilder();
    for (ScriptedServer s : servers) {
      b.append("  - {host: 127.0.0.1, port: ").append(s.port()).append(", weight: 1}\n");
    }
    lb = LbServer.start(LbFixture.parse("""
        mode: HTTP
        algorithm: RoundRobin
        listeners: [{name: web, port: 0}]
        backends:
        %s
        timeouts: {connect: 2s, response: 10s, idle: 30s}
        adminPort: 0
        %s
        """.formatted(b, more)), 1);
  }

  /** Writes {@code requests} at once on one connection and reads until the balancer closes it. */
  private String exchange(String requests) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("web"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String get(String path, String more) {
    return "GET " + path + " HTTP/1.1\r\nHost: lb\r\n" + more + "\r\n";
  }

  private static final String CLOSE = "Connection: close\r\n";

  /**
   * Pipelined requests are answered in order, each response framed as the server framed it
   * (chunks passed on as they came, with extensions and trailers), bodiless ones (HEAD, 204,
   * 304) without a body whatever their Content-Length says; all on one pooled server connection.
   */
  @Test
  void pipelinedResponsesOfEveryFramingArriveInOrderOverOneServerConnection() throws Exception {
    ScriptedServer server = server(head -> Reply.of(switch (path(head)) {
      case "/chunked" -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
      case "/204" -> "HTTP/1.1 204 No Content\r\n\r\n";
      case "/304" -> "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
      default -> head.startsWith("HEAD")
          ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
          : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain";
    }));
    balance(server);
    String answer = exchange(get("/chunked", "") + "HEAD / HTTP/1.1\r\nHost: lb\r\n\r\n"
        + get("/204", "") + get("/304", "") + get("/", CLOSE));
    assertThat(answer).isEqualTo(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nconnection: close\r\n\r\nplain");
    assertThat(server.requests.get()).isEqualTo(5);
    assertThat(server.connections.get()).isEqualTo(1);
  }

  /**
   * A connection's requests share one exchange object, begun again for each: nothing of one
   * request may reach the next. Each request below differs from the one before in what it
   * leaves behind: a body ended by the server's close (chunked for the client, server
   * connection not kept), HEAD (no body expected), a cookie that pins (no Set-Cookie), a
   * request body, a server answer before that body ended; each answer is as if it were the
   * connection's first.
   */
  @Test
  void nothingOfOneRequestReachesTheNextOnTheSameConnection() throws Exception {
    ScriptedServer server = server(head -> switch (path(head)) {
      case "/close" -> new Reply("HTTP/1.1 200 OK\r\n\r\nuntil the end", true);
      case "/early" -> Reply.of("HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig");
      default -> Reply.of(head.startsWith("HEAD")
          ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
          : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain");
    });
    balance("sessionCookie: {name: S, path: /}", server);
    String cookie = "S=" + dev.capstan.dataplane.lb.pool.Member.cookieValueOf("127.0.0.1:" + server.port());
    String setCookie = "set-cookie: " + cookie + "; Path=/; HTTPOnly\r\n";
    String answer = exchange(get("/close", "")
        + "HEAD / HTTP/1.1\r\nHost: lb\r\n\r\n"
        + get("/", "Cookie: " + cookie + "\r\n")
        + get("/", "")
        + "POST / HTTP/1.1\r\nHost: lb\r\nCookie: " + cookie + "\r\nContent-Length: 4\r\n\r\nbody"
        + "POST /early HTTP/1.1\r\nHost: lb\r\nX-Early: 1\r\nContent-Length: 4\r\n\r\nbody"
        + get("/", CLOSE));
    String plain = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n";
    assertThat(answer).isEqualTo(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n" + setCookie + "\r\nd\r\nuntil the end\r\n0\r\n\r\n"
            + plain + setCookie + "\r\n"
            + plain + "\r\nplain"
            + plain + setCookie + "\r\nplain"
            + plain + "\r\nplain"
            + "HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n" + setCookie + "\r\nbig"
            + plain + "connection: close\r\n" + setCookie + "\r\nplain");
    assertThat(server.heads).hasSize(7);
    assertThat(server.bodies.get(4)).isEqualTo("body");
  }

  /**
   * A body that ends when the server closes reaches an HTTP/1.1 client as chunks on a
   * connection that stays open, and an HTTP/1.0 client as it is, ended by our close.
   */
  @Test
  void aBodyEndedByTheServersCloseIsChunkedForHttp11AndClosedForHttp10() throws Exception {
    ScriptedServer server = server(head -> path(head).equals("/close")
        ? new Reply("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the end", true)
        : Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    assertThat(exchange(get("/close", "") + get("/", CLOSE))).isEqualTo(
        "HTTP/1.1 200 OK\r\nX-A: 1\r\ntransfer-encoding: chunked\r\n\r\nd\r\nuntil the end\r\n0\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
    assertThat(exchange("GET /close HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).isEqualTo(
        "HTTP/1.1 200 OK\r\nX-A: 1\r\nconnection: close\r\n\r\nuntil the end");
    assertThat(exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + "GET / HTTP/1.0\r\n\r\n"))
        .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: keep-alive\r\n\r\nok"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
  }

  /** 100 Continue reaches an HTTP/1.1 client ahead of the answer; an HTTP/1.0 one gets only the answer. */
  @Test
  void interimResponsesPrecedeTheAnswerForHttp11Only() throws Exception {
    ScriptedServer server = server(head -> Reply.of(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    assertThat(exchange(get("/", CLOSE))).isEqualTo(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
    assertThat(exchange("GET / HTTP/1.0\r\n\r\n"))
        .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
  }

  /** Headers about the server's connection stay there; the rest pass unchanged, in order. */
  @Test
  void hopByHopHeadersAndThoseConnectionNamesAreNotPassedOn() throws Exception {
    ScriptedServer server = server(head -> Reply.of("HTTP/1.1 200 Fine\r\nServer: s\r\n"
        + "Connection: keep-alive, X-Internal\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\n"
        + "Set-Cookie: a=1\r\nTrailer: X-T\r\nUpgrade: h2c\r\nContent-Length: 2\r\nX-Kept: yes\r\n\r\nok"));
    balance(server);
    assertThat(exchange(get("/", CLOSE))).isEqualTo("HTTP/1.1 200 Fine\r\nServer: s\r\n"
        + "Set-Cookie: a=1\r\nContent-Length: 2\r\nX-Kept: yes\r\nconnection: close\r\n\r\nok");
  }

  /**
   * Heads a client could frame differently from the balancer: 502, no retry on the other
   * server (each server saw one request in all), and the client's connection stays usable.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "duplicate Content-Length; Content-Length: 2|Content-Length: 2",
      "differing Content-Length; Content-Length: 2|Content-Length: 20",
      "Content-Length and chunked; Content-Length: 2|Transfer-Encoding: chunked",
      "chunked not last; Transfer-Encoding: chunked, gzip",
      "unknown coding; Transfer-Encoding: gzip",
      "obs-fold; X-A: 1|  more|Content-Length: 2",
      "space before the colon; Content-Length : 2",
      "NUL in a value; X-A: a\u0000b|Content-Length: 2",
      "bare LF; X-A: 1^Content-Length: 2",
  })
  void anAmbiguousHeadIs502AndNotRetried(String why, String headers) throws Exception {
    Function<String, Reply> script = head -> path(head).equals("/fine")
        ? Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        : Reply.of("HTTP/1.1 200 OK\r\n" + headers.replace("|", "\r\n").replace("^", "\n") + "\r\n\r\nok");
    ScriptedServer a = server(script);
    ScriptedServer b = server(script);
    balance(a, b);
    String answer = exchange(get("/", "") + get("/fine", CLOSE));
    assertThat(answer).as(why)
        .startsWith("HTTP/1.1 502 Bad Gateway\r\n")
        .endsWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
    assertThat(a.requests.get() + b.requests.get()).isEqualTo(2);
  }

  /** Switching protocols is for a request that asked for it; else the server is confused. */
  @Test
  void a101ToARequestWithoutUpgradeIs502() throws Exception {
    ScriptedServer server = server(head -> Reply.of(path(head).equals("/fine")
        ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        : "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
    balance(server);
    assertThat(exchange(get("/", "") + get("/fine", CLOSE)))
        .startsWith("HTTP/1.1 502 Bad Gateway\r\n")
        .endsWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok")
        .doesNotContain("101");
  }

  /**
   * A client naming a framing header in Connection must not get it removed: the server would
   * then read the body as a request of the client's own making (request smuggling).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"content-length", "transfer-encoding", "'Content-Length, Host'"})
  void aFramingHeaderNamedInConnectionStaysAndNoRequestIsSmuggled(String named) throws Exception {
    ScriptedServer server = server(head -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n";
    String post = named.equals("transfer-encoding")
        ? "POST /a HTTP/1.1\r\nHost: lb\r\nConnection: " + named + "\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n"
        : "POST /a HTTP/1.1\r\nHost: lb\r\nConnection: " + named + "\r\nContent-Length: "
            + smuggled.length() + "\r\n\r\n" + smuggled;
    String answer = exchange(post + get("/b", CLOSE));
    assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("connection: close\r\n\r\nok");
    assertThat(server.heads).hasSize(2);
    assertThat(server.heads.get(0)).startsWith("POST /a ").containsIgnoringCase("host: lb");
    assertThat(server.heads.get(1)).startsWith("GET /b ");
  }

  @Test
  void aHeadOver32KiBIs502() throws Exception {
    ScriptedServer server = server(head -> Reply.of(
        "HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(33 * 1024) + "\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    assertThat(exchange(get("/", CLOSE))).startsWith("HTTP/1.1 502 Bad Gateway\r\n");
  }

  /** Once the client has the head, a broken chunk can only end the client's connection. */
  @Test
  void aBrokenChunkAfterTheHeadClosesTheClientConnection() throws Exception {
    ScriptedServer server = server(head -> Reply.of(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"));
    balance(server);
    // Without the close the exchange would wait for a response that never ends.
    String answer = exchange(get("/", "") + get("/", ""));
    // The head may or may not have been flushed before the close; no end of a body ever is.
    assertThat(answer).doesNotContain("zz").doesNotContain("0\r\n\r\n");
    assertThat(answer.split("HTTP/1.1 ", -1)).hasSizeLessThanOrEqualTo(2);
  }

  /**
   * What a server gets of a client's head: its lines in order but the hop-by-hop ones and those
   * Connection names, the balancer's own X-Forwarded-For and -Proto for an untrusted client,
   * HTTP/1.1; an absolute-form target in origin form with its authority as the Host, and an
   * HTTP/1.0 request without Host given the server's.
   */
  @Test
  void aServerGetsTheClientsLinesWithoutHopByHopOnes() throws Exception {
    ScriptedServer server = server(head -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    String answer = exchange("GET /p HTTP/1.1\r\nHost: lb\r\nConnection: keep-alive, X-Secret\r\n"
        + "X-Secret: s\r\nKeep-Alive: 5\r\nTE: trailers\r\nX-Forwarded-For: 6.6.6.6\r\n"
        + "X-Forwarded-Proto: https\r\nX-Kept: k\r\n\r\n"
        + "GET http://other.example/abs?q HTTP/1.1\r\nHost: lb\r\n\r\n"
        + "GET /old HTTP/1.0\r\n\r\n");
    assertThat(answer.split("HTTP/1.1 200 OK", -1)).hasSize(4);
    String ours = "x-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: http\r\n";
    assertThat(server.heads).containsExactly(
        "GET /p HTTP/1.1\r\nHost: lb\r\nX-Kept: k\r\n" + ours + "\r\n",
        "GET /abs?q HTTP/1.1\r\nhost: other.example\r\n" + ours + "\r\n",
        "GET /old HTTP/1.1\r\n" + ours + "host: 127.0.0.1:" + server.port() + "\r\n\r\n");
  }

  /**
   * Requests the balancer and a server could frame differently, or that are not HTTP/1.1, after
   * a good one on the same connection: the good one is answered, then the status nginx gives,
   * and the connection is closed; nothing after reaches a server.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "Content-Length and chunked; POST /bad HTTP/1.1|Host: lb|Content-Length: 5|Transfer-Encoding: chunked; 400 Bad Request",
      "duplicate Content-Length; POST /bad HTTP/1.1|Host: lb|Content-Length: 5|Content-Length: 5; 400 Bad Request",
      "unknown coding; POST /bad HTTP/1.1|Host: lb|Transfer-Encoding: gzip, chunked; 501 Not Implemented",
      "chunked in HTTP/1.0; POST /bad HTTP/1.0|Transfer-Encoding: chunked; 400 Bad Request",
      "obs-fold; GET /bad HTTP/1.1|Host: lb|X-A: 1| more; 400 Bad Request",
      "space before the colon; POST /bad HTTP/1.1|Host: lb|Content-Length : 5; 400 Bad Request",
      "NUL in a value; GET /bad HTTP/1.1|Host: lb|X-A: a\u0000b; 400 Bad Request",
      "bare LF; GET /bad HTTP/1.1|Host: lb^X-A: 1; 400 Bad Request",
      "no Host; GET /bad HTTP/1.1|X-A: 1; 400 Bad Request",
      "HTTP/2 text; GET /bad HTTP/2.0|Host: lb; 505 HTTP Version Not Supported",
      "a header line over 8 KiB; GET /bad HTTP/1.1|Host: lb|X-Big: @; 431 Request Header Fields Too Large",
      "unknown expectation; GET /bad HTTP/1.1|Host: lb|Expect: teapot; 417 Expectation Failed",
  })
  void aRequestThatCouldBeReadDifferentlyIsRefusedAndTheConnectionClosed(String why, String head,
      String status) throws Exception {
    ScriptedServer server = server(h -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    String bad = head.replace("|", "\r\n").replace("^", "\n").replace("@", "b".repeat(9000))
        + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    String answer = exchange(get("/good", "") + bad + get("/after", ""));
    assertThat(answer).as(why)
        .startsWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + "HTTP/1.1 " + status + "\r\n")
        .contains("connection: close\r\n")
        .doesNotContain("/after");
    assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(3);
    assertThat(server.heads).hasSize(1);
    assertThat(server.heads.get(0)).startsWith("GET /good ");
  }

  /**
   * A chunked request body reaches the server as the client framed it (extensions and trailers
   * included); with Expect: 100-continue the server's interim answer reaches the client, which
   * sends its body only then.
   */
  @Test
  void chunkedBodiesPassAsTheyCameAndExpectContinueIsTheServersToAnswer() throws Exception {
    ScriptedServer server = server(h -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    String chunks = "5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n";
    assertThat(exchange("POST /c HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
        + get("/", CLOSE))).endsWith("connection: close\r\n\r\nok");
    assertThat(server.bodies).containsExactly(chunks, "");

    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("web"))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(("PUT /e HTTP/1.1\r\nHost: lb\r\nExpect: 100-continue\r\nContent-Length: 5\r\n" + CLOSE + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String interim = "HTTP/1.1 100 Continue\r\n\r\n";
      assertThat(new String(in.readNBytes(interim.length()), StandardCharsets.ISO_8859_1)).isEqualTo(interim);
      out.write("world".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK\r\n");
    }
    assertThat(server.heads.get(2)).containsIgnoringCase("\r\nexpect: 100-continue\r\n");
    assertThat(server.bodies.get(2)).isEqualTo("world");
  }

  /**
   * A server that answers before the body has ended (a 413 to an upload): the client gets the
   * answer, the rest of its body is read and dropped, and its connection goes on with the next
   * request, as nginx does; closing it with the body unread would reset it.
   */
  @Test
  void anAnswerBeforeTheBodyEndsKeepsTheClientConnection() throws Exception {
    ScriptedServer server = server(head -> Reply.of(path(head).equals("/upload")
        ? "HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig"
        : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    balance(server);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("web"))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(("POST /upload HTTP/1.1\r\nHost: lb\r\nX-Early: 1\r\nContent-Length: 200000\r\n\r\n"
          + "x".repeat(1000)).getBytes(StandardCharsets.ISO_8859_1));
      String refused = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig";
      assertThat(new String(in.readNBytes(refused.length()), StandardCharsets.ISO_8859_1)).isEqualTo(refused);
      out.write(("x".repeat(199_000) + get("/after", CLOSE)).getBytes(StandardCharsets.ISO_8859_1));
      assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
          .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok");
    }
    assertThat(server.heads).hasSize(2);
    assertThat(server.heads.get(1)).startsWith("GET /after ");
  }
}
