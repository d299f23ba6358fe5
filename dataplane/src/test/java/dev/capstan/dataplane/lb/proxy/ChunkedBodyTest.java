package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkedBodyTest {

  private static final String NEXT = "HTTP/1.1 200 OK\r\n";

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s.replace("|", "\r\n").replace("^", "\n").replace("~", "\r"), StandardCharsets.ISO_8859_1);
  }

  /**
   * Bodies (| for CR LF) followed by the next response on the same connection: the end is
   * found just before it, whether the bytes come at once or are split at any point in two.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '#', value = {
      "0||",
      "3|abc|0||",
      "4|a|c|0||", // a chunk's data may hold CR LF
      "A|0123456789|1|x|0||",
      "a;name=value|0123456789|0||",
      "00000000003|abc|0;last||",
      "3|abc|0|X-Trailer: 1|X-Other: two||",
      "1|0|0||", // data that looks like a last chunk
  })
  void endsBeforeTheNextResponse(String body) throws Exception {
    ByteBuf whole = bytes(body + NEXT);
    int bodyLength = whole.readableBytes() - NEXT.length();
    assertThat(new ChunkedBody().consume(whole, 0, whole.writerIndex())).isEqualTo(bodyLength);
    for (int split = 0; split <= bodyLength; split++) {
      ChunkedBody c = new ChunkedBody();
      int first = c.consume(whole, 0, split);
      int end = first >= 0 ? first : c.consume(whole, split, whole.writerIndex());
      assertThat(end).as("split at %d", split).isEqualTo(bodyLength);
    }
    // Byte by byte, as a slow server sends it.
    ChunkedBody c = new ChunkedBody();
    int end = -1;
    for (int i = 0; i < whole.writerIndex() && end < 0; i++) {
      end = c.consume(whole, i, i + 1);
    }
    assertThat(end).isEqualTo(bodyLength);
  }

  /** Framing a client could read differently is refused: the response is cut off with 502. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '#', value = {
      "|# invalid chunk size",
      "x|# invalid chunk size",
      "-1|# invalid chunk size",
      "' 3|abc|0||'# invalid chunk size",
      "3 |abc|0||# invalid chunk size",
      "3^abc^0^^# invalid chunk size",
      "3~~abc|0||# no CR LF after a chunk size",
      "3|abcd|0||# no CR LF after a chunk data",
      "3|abc^0||# no CR LF after a chunk data",
      "1000000000000000|# over 15 hex digits",
      "3;a\u0000b|abc|0||# control character in a chunk extension",
      "0|X: a\u0001||# control character in a trailer",
      "0|X: 1~X|# no CR LF after a trailer",
      "0|~X# no CR LF after a last chunk",
      "0|^# control character in a trailer",
  })
  void refused(String body, String message) {
    ByteBuf b = bytes(body);
    assertThatThrownBy(() -> new ChunkedBody().consume(b, 0, b.writerIndex()))
        .isInstanceOf(ResponseHead.InvalidResponse.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0} bytes of extension")
  @CsvSource({"8192, true", "8193, false"})
  void extensionsAreLimited(int length, boolean accepted) throws Exception {
    ByteBuf b = bytes("0;" + "e".repeat(length) + "||");
    ChunkedBody c = new ChunkedBody();
    if (accepted) {
      assertThat(c.consume(b, 0, b.writerIndex())).isEqualTo(b.writerIndex());
    } else {
      assertThatThrownBy(() -> c.consume(b, 0, b.writerIndex())).hasMessageContaining("over 8192 bytes");
    }
  }
}
