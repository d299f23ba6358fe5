package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the framer makes of a server's bytes, however they are split into reads. */
class ResponseFramerTest {

  /**
   * Feeds {@code input} in reads of {@code step} bytes and describes each response as
   * "STATUS:" then its body as the proxy passes it on (the bytes the head holds, then the
   * slices), ended by "END".
   */
  private static List<String> frame(String input, int step, List<Integer> included) {
    EmbeddedChannel ch = new EmbeddedChannel(new ResponseFramer());
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += step) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i)));
    }
    List<String> out = new ArrayList<>();
    StringBuilder response = new StringBuilder();
    for (Object m; (m = ch.readInbound()) != null; ) {
      if (m instanceof ResponseHead h) {
        response.append(h.status()).append(':');
        ByteBuf body = Unpooled.buffer();
        h.writeIncludedBody(body);
        response.append(body.toString(StandardCharsets.ISO_8859_1));
        included.add(h.includedBody());
        h.release();
      } else if (m instanceof ByteBuf b) {
        response.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      } else if (m == ResponseFramer.END) {
        out.add(response.toString());
        response.setLength(0);
      }
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static final String BIG = "x".repeat(ResponseFramer.MAX_INCLUDED_BODY + 1);

  private static final String PIPELINE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      + "HTTP/1.1 200 OK\r\nContent-Length: " + BIG.length() + "\r\n\r\n" + BIG
      + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      + "HTTP/1.1 204 No Content\r\n\r\n"
      + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /**
   * Every body arrives whole and in order whatever the reads; a small Content-Length body is
   * held by its head when it came in the same read (all of them when everything is one read),
   * never a larger one, nor one of another framing.
   */
  @Test
  void smallBodiesGoWithTheirHeadsAndEveryBodyArrivesWhateverTheReads() {
    for (int step : new int[] {1, 3, 40, 64, PIPELINE.length()}) {
      List<Integer> included = new ArrayList<>();
      assertThat(frame(PIPELINE, step, included)).as("reads of %d", step).containsExactly(
          "200:hello", "200:" + BIG, "200:3\r\nabc\r\n0\r\n\r\n", "204:", "200:ok");
      if (step == PIPELINE.length()) {
        assertThat(included).containsExactly(5, 0, 0, 0, 2);
      } else if (step == 1) {
        assertThat(included).containsOnly(0);
      }
    }
  }
}
