package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.lb.proxy.ResponseHead.Framing;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseHeadTest {

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s.replace("|", "\r\n").replace("^", "\n").replace("~", "\r"), StandardCharsets.ISO_8859_1);
  }

  private static ResponseHead parse(String head, boolean toHead) throws Exception {
    return ResponseHead.parse(bytes(head), toHead);
  }

  /** Heads written with | for CR LF: what the proxy learns from each. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      // head; to HEAD; status; framing; length; keep-alive
      "HTTP/1.1 200 OK|Content-Length: 3||; false; 200; LENGTH; 3; true",
      "HTTP/1.1 200 OK|content-length:0||; false; 200; LENGTH; 0; true",
      "HTTP/1.1 200 OK|Content-Length: 3|Connection: close||; false; 200; LENGTH; 3; false",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked||; false; 200; CHUNKED; -1; true",
      "HTTP/1.1 200 OK|Transfer-Encoding: gzip, Chunked||; false; 200; CHUNKED; -1; true",
      "HTTP/1.1 200 OK|Transfer-Encoding: gzip|Transfer-Encoding: chunked||; false; 200; CHUNKED; -1; true",
      "HTTP/1.1 200 OK||; false; 200; CLOSE; -1; false",
      "HTTP/1.1 200 OK|Content-Length: 3||; true; 200; NONE; 3; true",
      "HTTP/1.1 204 No Content||; false; 204; NONE; -1; true",
      "HTTP/1.1 304 Not Modified|Content-Length: 99||; false; 304; NONE; 99; true",
      "HTTP/1.1 100 Continue||; false; 100; NONE; -1; true",
      "HTTP/1.1 101 Switching Protocols|Upgrade: websocket|Connection: Upgrade||; false; 101; NONE; -1; true",
      "HTTP/1.0 200 OK|Content-Length: 3||; false; 200; LENGTH; 3; false",
      "HTTP/1.0 200 OK|Content-Length: 3|Connection: Keep-Alive||; false; 200; LENGTH; 3; true",
      "HTTP/1.1 200 OK|Connection: keep-alive, close|Content-Length: 1||; false; 200; LENGTH; 1; false",
      "HTTP/1.1 404||; true; 404; NONE; -1; true",
      "HTTP/1.1 599 Whatever   it says||; true; 599; NONE; -1; true",
  })
  void framingStatusAndKeepAlive(String head, boolean toHead, int status, Framing framing,
      long length, boolean keepAlive) throws Exception {
    ResponseHead r = parse(head, toHead);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.framing()).isEqualTo(framing);
    if (framing == Framing.LENGTH || length >= 0) {
      assertThat(r.contentLength()).isEqualTo(length);
    }
    assertThat(r.keepAlive()).isEqualTo(keepAlive);
    r.release();
  }

  /** What a proxy must not pass on, as nginx refuses it with 502. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "HTTP/1.1 200 OK|Content-Length: 3|Content-Length: 3||; more than one Content-Length",
      "HTTP/1.1 200 OK|Content-Length: 3|Content-Length: 4||; more than one Content-Length",
      "HTTP/1.1 200 OK|Content-Length: 3, 3||; invalid Content-Length",
      "HTTP/1.1 200 OK|Content-Length: +3||; invalid Content-Length",
      "HTTP/1.1 200 OK|Content-Length: ||; invalid Content-Length",
      "HTTP/1.1 200 OK|Content-Length: 1234567890123456789||; invalid Content-Length",
      "HTTP/1.1 200 OK|Content-Length: 3|Transfer-Encoding: chunked||; both Content-Length and Transfer-Encoding",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked, gzip||; last coding is not chunked",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked|Transfer-Encoding: gzip||; last coding is not chunked",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked, chunked||; last coding is not chunked",
      "HTTP/1.1 200 OK|Transfer-Encoding: identity||; last coding is not chunked",
      "HTTP/1.1 200 OK|Transfer-Encoding: ||; empty Transfer-Encoding",
      "HTTP/1.1 200 OK|X-A: 1| folded||; obsolete line folding",
      "HTTP/1.1 200 OK|X-A: 1|\tfolded||; obsolete line folding",
      "HTTP/1.1 200 OK|Content-Length : 3||; invalid header name",
      "HTTP/1.1 200 OK|X A: 3||; invalid header name",
      "HTTP/1.1 200 OK|: 3||; invalid header name",
      "HTTP/1.1 200 OK|NoColon||; invalid header name",
      "HTTP/1.1 200 OK|X-A: a\u0000b||; control character in a header value",
      "HTTP/1.1 200 OK|X-A: a~b||; control character in a header value",
      "HTTP/1.1 200 OK|X-A: a\u007fb||; control character in a header value",
      "HTTP/1.1 200 OK^X-A: 1||; does not end in CR LF",
      "HTTP/1.1 200 OK|X-A: 1^|; does not end in CR LF",
      "HTTP/2 200 OK||; invalid status line",
      "HTTP/1.2 200 OK||; unsupported HTTP version",
      "HTTP/1.1 20 OK||; invalid status",
      "HTTP/1.1 2000 OK||; invalid status code",
      "HTTP/1.1 099 OK||; invalid status code",
      "http/1.1 200 OK||; invalid status line",
      "ICY 200 OK||; invalid status line",
      "HTTP/1.1 200 O\u0001K||; control character in a status line",
  })
  void refused(String head, String message) {
    assertThatThrownBy(() -> parse(head, false))
        .isInstanceOf(ResponseHead.InvalidResponse.class)
        .hasMessageContaining(message);
    // The answer to HEAD has no body, but a head a client could misread is still refused.
    assertThatThrownBy(() -> parse(head, true)).isInstanceOf(ResponseHead.InvalidResponse.class);
  }

  @Test
  void passedOnAsHttp11WithoutHopByHopHeadersNorThoseConnectionNames() throws Exception {
    ResponseHead r = parse("HTTP/1.0 200 Fine|Server: x|Connection: keep-alive, X-Secret|"
        + "Keep-Alive: timeout=5|X-Secret: s|Content-Length:  3  |Upgrade: h2c|TE: trailers|"
        + "Trailer: X-T|Proxy-Authorization: p|Proxy-Connection: close|Set-Cookie: a=b||", false);
    ByteBuf out = Unpooled.buffer();
    r.writeForwarded(out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("HTTP/1.1 200 Fine\r\nServer: x\r\nContent-Length:  3  \r\nSet-Cookie: a=b\r\n");
    assertThat(r.keepAlive()).isTrue();
    r.release();
  }

  /** Lines left out at the start, in the middle, at the end, one after another, or none. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "HTTP/1.1 200 OK|X: 1||; HTTP/1.1 200 OK|X: 1|",
      "HTTP/1.1 200 OK|Connection: keep-alive|X: 1||; HTTP/1.1 200 OK|X: 1|",
      "HTTP/1.1 200 OK|X: 1|Connection: keep-alive||; HTTP/1.1 200 OK|X: 1|",
      "HTTP/1.1 200 OK|X: 1|Keep-Alive: 5|Connection: keep-alive|Y: 2||; HTTP/1.1 200 OK|X: 1|Y: 2|",
      "HTTP/1.1 200 OK|Connection: close||; HTTP/1.1 200 OK|",
      "HTTP/1.1 200 OK|Connection: A|a: 1|Keep-Alive: 1|X: 1|A: 2||; HTTP/1.1 200 OK|X: 1|",
      "HTTP/1.1 200 OK|Connection: content-length, Transfer-Encoding, X|X: 1|Content-Length: 2||; HTTP/1.1 200 OK|Content-Length: 2|",
  })
  void leavesOutLines(String head, String forwarded) throws Exception {
    ResponseHead r = parse(head, false);
    ByteBuf out = Unpooled.buffer();
    r.writeForwarded(out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(forwarded.replace("|", "\r\n"));
  }

  /**
   * As on the wire: the head is a slice of the connection's pooled direct buffer, after other
   * bytes, and the target a pooled buffer too small for it, so the copy lands at an offset and
   * grows it.
   */
  @Test
  void aSliceOfAPooledBufferIsPassedOnIntoAPooledOne() throws Exception {
    ByteBufAllocator alloc = new AdaptiveByteBufAllocator();
    String head = "HTTP/1.1 200 OK\r\nServer: x\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n";
    ByteBuf wire = alloc.directBuffer(256);
    wire.writeCharSequence("ok\n" + head + "abc", StandardCharsets.ISO_8859_1);
    ResponseHead r = ResponseHead.parse(wire.retainedSlice(3, head.length()), false);
    ByteBuf out = alloc.directBuffer(8);
    out.writeCharSequence("<", StandardCharsets.ISO_8859_1);
    r.writeForwarded(out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("<HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 3\r\n");
    r.release();
    out.release();
    assertThat(wire.release()).isTrue();
  }

  /**
   * A head parsed in place in what was read ("@" starts it; "|" is CR LF) holds the whole body
   * when it is a Content-Length body already read and no larger than the limit; never a body
   * it does not have all of, nor one of another framing, nor any after a bodiless answer.
   */
  @ParameterizedTest(name = "{0}, limit {1}")
  @CsvSource(delimiter = ';', value = {
      // read so far; limit; included body; bytes of the buffer left unread by the head
      "x@HTTP/1.1 200 OK|Content-Length: 3||abcHTTP/1.1; 1024; abc; 8",
      "x@HTTP/1.1 200 OK|Content-Length: 3||abc; 3; abc; 0",
      "x@HTTP/1.1 200 OK|Content-Length: 3||abc; 2; ''; 3",
      "x@HTTP/1.1 200 OK|Content-Length: 3||ab; 1024; ''; 2",
      "x@HTTP/1.1 200 OK|Content-Length: 0||abc; 1024; ''; 3",
      "x@HTTP/1.1 200 OK|Transfer-Encoding: chunked||3|abc|0||; 1024; ''; 13",
      "x@HTTP/1.1 200 OK||abc; 1024; ''; 3",
      "x@HTTP/1.1 304 Not Modified|Content-Length: 3||abc; 1024; ''; 3",
  })
  void aSmallWholeBodyGoesWithItsHead(String read, int limit, String body, int after) throws Exception {
    ByteBuf wire = bytes(read);
    int from = read.indexOf('@') + 1;
    int length = ResponseHead.end(wire, from, wire.writerIndex()) - from;
    ResponseHead r = ResponseHead.parse(wire, from, length, false, limit);
    assertThat(r.includedBody()).isEqualTo(body.length());
    assertThat(wire.writerIndex() - (from + length + r.includedBody())).isEqualTo(after);
    ByteBuf out = Unpooled.buffer();
    r.writeForwarded(out);
    r.writeIncludedBody(out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo(read.substring(from, read.indexOf("||")).replace("|", "\r\n") + "\r\n" + body);
    r.release();
    assertThat(wire.refCnt()).as("the head's slice is released with it").isEqualTo(1);
    wire.release();
  }

  @Test
  void aStatusLineWithoutReasonIsPassedOnAsItIs() throws Exception {
    ResponseHead r = parse("HTTP/1.1 200|Content-Length: 0||", false);
    ByteBuf out = Unpooled.buffer();
    r.writeForwarded(out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200\r\nContent-Length: 0\r\n");
  }

  @Test
  void manyHeadersAreAllKept() throws Exception {
    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK|");
    StringBuilder expected = new StringBuilder("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 100; i++) {
      head.append("X-").append(i).append(": ").append(i).append('|');
      expected.append("X-").append(i).append(": ").append(i).append("\r\n");
    }
    ResponseHead r = parse(head.append('|').toString(), false);
    ByteBuf out = Unpooled.buffer();
    r.writeForwarded(out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected.toString());
  }

  /** Where a head ends in a buffer that goes on with the body: -1 while incomplete. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "HTTP/1.1 200 OK|X: 1||body; 25",
      "HTTP/1.1 200 OK|X: 1|; -1",
      "HTTP/1.1 200 OK|X: 1|~; -1",
      "HTTP/1.1 200 OK; -1",
      "HTTP/1.1 200 OK^^body; 17",
      "|HTTP/1.1 200 OK||; 21",
  })
  void endOfHead(String buffer, int end) {
    ByteBuf b = bytes(buffer);
    assertThat(ResponseHead.end(b, 0, b.writerIndex())).isEqualTo(end);
  }
}
