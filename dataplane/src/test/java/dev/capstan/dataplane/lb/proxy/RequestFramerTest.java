package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.lb.proxy.RequestHead.InvalidRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the framer makes of a client's bytes, however they are split into reads. */
class RequestFramerTest {

  /**
   * Feeds {@code input} in reads of {@code step} bytes and describes each message: "head METHOD
   * target", the body's bytes as they came, "END", or "invalid STATUS".
   */
  private static List<String> frame(String input, int step) {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestFramer());
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += step) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i)));
    }
    List<String> out = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (Object m; (m = ch.readInbound()) != null; ) {
      if (m instanceof ByteBuf b) {
        body.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
        continue;
      }
      if (!body.isEmpty()) {
        out.add(body.toString());
        body.setLength(0);
      }
      if (m instanceof RequestHead h) {
        out.add("head " + h.method() + " " + h.target());
        h.release();
      } else if (m == RequestFramer.END) {
        out.add("END");
      } else if (m instanceof InvalidRequest e) {
        out.add("invalid " + e.status());
      }
    }
    if (!body.isEmpty()) {
      out.add(body.toString());
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static final String PIPELINE = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
      + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
      + "\r\n" // a stray CR LF after a body, as old clients write: ignored
      + "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "3;x=1\r\nabc\r\n0\r\nX-T: t\r\n\r\n"
      + "HEAD /d HTTP/1.0\r\n\r\n";

  /** Bodies pass as the client framed them (chunk lines and trailers included), in order. */
  @Test
  void pipelinedRequestsOfEveryFramingWhateverTheReads() {
    for (int step : new int[] {1, 2, 7, 64, PIPELINE.length()}) {
      assertThat(frame(PIPELINE, step)).as("reads of %d", step).containsExactly(
          "head GET /a", "END",
          "head POST /b", "hello", "END",
          "head PUT /c", "3;x=1\r\nabc\r\n0\r\nX-T: t\r\n\r\n", "END",
          "head HEAD /d", "END");
    }
  }

  /** A bad request comes in order after the good ones before it; nothing after it is read. */
  @Test
  void anInvalidRequestEndsTheFraming() {
    assertThat(frame("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n"
        + "GET /c HTTP/1.1\r\nHost: h\r\n\r\n", 5))
        .containsExactly("head GET /a", "END", "invalid 400");
    // A broken chunk: the bytes of the reads before it went on; the read holding it did not.
    List<String> broken = frame("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\nzz\r\n", 4);
    assertThat(broken).hasSize(3).startsWith("head POST /a").endsWith("invalid 400");
    assertThat("3\r\nabc\r\n").startsWith(broken.get(1));
  }

  @Test
  void overLongHeadsAreRefusedBeforeTheyEnd() {
    assertThat(frame("GET /" + "a".repeat(RequestHead.MAX_LINE + 10), 1024)).containsExactly("invalid 414");
    StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
    while (many.length() < RequestHead.MAX_HEAD + 100) {
      many.append("X-Many: ").append("m".repeat(100)).append("\r\n");
    }
    assertThat(frame(many.toString(), 4096)).containsExactly("invalid 431");
  }

  /** One generated request: its bytes, and what the framer and the head must make of them. */
  private record Generated(String bytes, String method, String target, String body, String forwarded) {}

  private static String anyCase(Random r, String name) {
    StringBuilder b = new StringBuilder();
    for (char c : name.toCharArray()) {
      b.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  private static String text(Random r, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(max) + 1; i > 0; i--) {
      b.append((char) (r.nextInt(10) == 0 ? ' ' : '!' + r.nextInt(94)));
    }
    return b.toString().strip();
  }

  /**
   * A valid request with random headers, some hop-by-hop or named in Connection, and a body of
   * a random framing; {@code forwarded} is what the server must get of its head (without X-Forwarded-Proto kept).
   */
  private static Generated generate(Random r) {
    boolean http10 = r.nextInt(5) == 0;
    String method = List.of("GET", "POST", "PUT", "HEAD", "DELETE", "PATCH").get(r.nextInt(6));
    String target = "/" + text(r, 12).replace(" ", "").replace("#", "") + (r.nextBoolean() ? "?q=" + r.nextInt(99) : "");
    StringBuilder head = new StringBuilder(method + " " + target + (http10 ? " HTTP/1.0" : " HTTP/1.1") + "\r\n");
    StringBuilder kept = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
    if (!http10 || r.nextBoolean()) {
      String host = anyCase(r, "host") + ": h" + r.nextInt(9) + "\r\n";
      head.append(host);
      kept.append(host);
    }
    // Headers named in Connection go whichever comes first; decided once all lines are there.
    List<String> lines = new ArrayList<>();
    for (int i = r.nextInt(6); i > 0; i--) {
      lines.add(switch (r.nextInt(7)) {
        case 0 -> anyCase(r, "connection") + ": " + (r.nextBoolean() ? "keep-alive, X-Drop" : "keep-alive") + "\r\n";
        case 1 -> anyCase(r, "keep-alive") + ": timeout=5\r\n";
        case 2 -> anyCase(r, "x-forwarded-for") + ": 10.0.0." + r.nextInt(9) + "\r\n";
        case 3 -> anyCase(r, "x-forwarded-proto") + ": https\r\n";
        case 4 -> anyCase(r, "x-drop") + ": " + text(r, 20) + "\r\n";
        default -> "X-H" + r.nextInt(99) + ":" + (r.nextBoolean() ? " " : "") + text(r, 40) + "\r\n";
      });
    }
    boolean dropNamed = lines.stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).endsWith(", x-drop\r\n"));
    for (String line : lines) {
      head.append(line);
      String lower = line.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("connection:") && !lower.startsWith("keep-alive:")
          && !lower.startsWith("x-forwarded-") && !(dropNamed && lower.startsWith("x-drop:"))) {
        kept.append(line);
      }
    }
    String body = "";
    switch (http10 ? r.nextInt(2) : r.nextInt(3)) {
      case 1 -> {
        body = text(r, 300);
        String line = anyCase(r, "content-length") + ": " + body.length() + "\r\n";
        head.append(line);
        kept.append(line);
      }
      case 2 -> {
        StringBuilder chunks = new StringBuilder();
        for (int i = r.nextInt(4); i > 0; i--) {
          String data = "d" + text(r, 50); // never empty: a 0 chunk is the last
          chunks.append(Integer.toHexString(data.length())).append(r.nextBoolean() ? ";x=1" : "")
              .append("\r\n").append(data).append("\r\n");
        }
        body = chunks.append("0\r\n").append(r.nextBoolean() ? "T: 1\r\n" : "").append("\r\n").toString();
        String line = anyCase(r, "transfer-encoding") + ": chunked\r\n";
        head.append(line);
        kept.append(line);
      }
      default -> { }
    }
    head.append("\r\n");
    return new Generated(head + body, method, target, body, kept.toString());
  }

  /**
   * Seeded: pipelines of random valid requests, split into random reads, come out as the
   * requests they were (head, body bytes as sent, end), and each head goes on as the client's
   * lines without the hop-by-hop ones, those Connection names and X-Forwarded-*.
   */
  @Test
  void randomPipelinesSplitAnywhereComeOutAsSent() throws Exception {
    Random r = new Random(20261128);
    for (int round = 0; round < 300; round++) {
      List<Generated> requests = new ArrayList<>();
      StringBuilder input = new StringBuilder();
      for (int i = r.nextInt(4) + 1; i > 0; i--) {
        Generated g = generate(r);
        requests.add(g);
        input.append(g.bytes());
      }
      EmbeddedChannel ch = new EmbeddedChannel(new RequestFramer());
      byte[] bytes = input.toString().getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < bytes.length; ) {
        int n = Math.min(bytes.length - i, 1 + r.nextInt(r.nextBoolean() ? 8 : 400));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, n));
        i += n;
      }
      for (Generated g : requests) {
        Object m = ch.readInbound();
        assertThat(m).as("round %d: %s", round, g.bytes()).isInstanceOf(RequestHead.class);
        RequestHead h = (RequestHead) m;
        assertThat(h.method()).isEqualTo(g.method());
        assertThat(h.target()).isEqualTo(g.target());
        ByteBuf out = Unpooled.buffer();
        h.writeForwarded(out, false);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).as("round %d: %s", round, g.bytes())
            .isEqualTo(g.forwarded());
        out.release();
        h.release();
        StringBuilder body = new StringBuilder();
        for (Object b; (b = ch.readInbound()) != RequestFramer.END; ) {
          assertThat(b).as("round %d", round).isInstanceOf(ByteBuf.class);
          body.append(((ByteBuf) b).toString(StandardCharsets.ISO_8859_1));
          ((ByteBuf) b).release();
        }
        assertThat(body.toString()).isEqualTo(g.body());
      }
      assertThat((Object) ch.readInbound()).isNull();
      ch.finishAndReleaseAll();
    }
  }
}
