package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.lb.proxy.RequestHead.InvalidRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
}
