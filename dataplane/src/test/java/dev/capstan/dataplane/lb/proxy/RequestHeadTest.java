package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.lb.proxy.RequestHead.Framing;
import dev.capstan.dataplane.lb.proxy.RequestHead.InvalidRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestHeadTest {

  /** | is CR LF, ^ a bare LF, ~ a bare CR, 0 a NUL. */
  static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s.replace("|", "\r\n").replace("^", "\n").replace("~", "\r")
        .replace("\\0", "\u0000"), StandardCharsets.ISO_8859_1);
  }

  static RequestHead parse(String head) throws InvalidRequest {
    return RequestHead.parse(bytes(head));
  }

  private static String forwarded(RequestHead r, boolean keepProto) {
    ByteBuf out = Unpooled.buffer();
    r.writeForwarded(out, keepProto);
    String s = out.toString(StandardCharsets.ISO_8859_1);
    out.release();
    return s.replace("\r\n", "|");
  }

  /** Heads written with | for CR LF: what the proxy learns from each. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      // head; method; HTTP/1.0; framing; length; keep-alive; WebSocket upgrade
      "GET / HTTP/1.1|Host: a||; GET; false; NONE; 0; true; false",
      "GET / HTTP/1.1|Host: a|Connection: close||; GET; false; NONE; 0; false; false",
      "GET / HTTP/1.1|Host: a|Connection: Keep-Alive, CLOSE||; GET; false; NONE; 0; false; false",
      "POST /x HTTP/1.1|Host: a|Content-Length: 12||; POST; false; LENGTH; 12; true; false",
      "POST /x HTTP/1.1|Host: a|Content-Length: 0||; POST; false; NONE; 0; true; false",
      "PUT /x HTTP/1.1|Host: a|transfer-encoding: Chunked||; PUT; false; CHUNKED; 0; true; false",
      "GET / HTTP/1.0||; GET; true; NONE; 0; false; false",
      "GET / HTTP/1.0|Connection: keep-alive||; GET; true; NONE; 0; true; false",
      "HEAD / HTTP/1.0|Host: a|Content-Length: 3||; HEAD; true; LENGTH; 3; false; false",
      "PROPFIND /d HTTP/1.1|Host: a||; PROPFIND; false; NONE; 0; true; false",
      "OPTIONS * HTTP/1.1|Host: a||; OPTIONS; false; NONE; 0; true; false",
      "GET /ws HTTP/1.1|Host: a|Upgrade: websocket|Connection: Upgrade||; GET; false; NONE; 0; true; true",
      "GET /ws HTTP/1.1|Host: a|Upgrade: WebSocket|Connection: keep-alive, upgrade||; GET; false; NONE; 0; true; true",
      // A body, or not WebSocket: the offer is dropped and the request goes on as HTTP/1.1.
      "POST / HTTP/1.1|Host: a|Upgrade: websocket|Connection: Upgrade|Content-Length: 1||; POST; false; LENGTH; 1; true; false",
      "GET / HTTP/1.1|Host: a|Upgrade: h2c|Connection: Upgrade, HTTP2-Settings|HTTP2-Settings: x||; GET; false; NONE; 0; true; false",
      "GET / HTTP/1.1|Host: a|Upgrade: websocket||; GET; false; NONE; 0; true; false",
      "GET / HTTP/1.1|Host: a|Expect: 100-continue||; GET; false; NONE; 0; true; false",
  })
  void methodFramingKeepAliveAndUpgrade(String head, String method, boolean http10, Framing framing,
      long length, boolean keepAlive, boolean upgrade) throws Exception {
    RequestHead r = parse(head);
    assertThat(r.method()).isEqualTo(method);
    assertThat(r.http10()).isEqualTo(http10);
    assertThat(r.framing()).isEqualTo(framing);
    assertThat(r.contentLength()).isEqualTo(length);
    assertThat(r.keepAlive()).isEqualTo(keepAlive);
    assertThat(r.upgrade()).isEqualTo(upgrade);
    r.release();
  }

  /**
   * What nginx refuses, and with which status: each of these could make the balancer and the
   * server read a different request (smuggling) or is not HTTP/1.1 at all.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "duplicate Content-Length; POST / HTTP/1.1|Host: a|Content-Length: 2|Content-Length: 2||; 400",
      "differing Content-Length; POST / HTTP/1.1|Host: a|Content-Length: 2|Content-Length: 20||; 400",
      "Content-Length list; POST / HTTP/1.1|Host: a|Content-Length: 2, 2||; 400",
      "signed Content-Length; POST / HTTP/1.1|Host: a|Content-Length: +2||; 400",
      "empty Content-Length; POST / HTTP/1.1|Host: a|Content-Length: ||; 400",
      "huge Content-Length; POST / HTTP/1.1|Host: a|Content-Length: 99999999999999999999||; 400",
      "Content-Length with chunked; POST / HTTP/1.1|Host: a|Content-Length: 2|Transfer-Encoding: chunked||; 400",
      "chunked with Content-Length; POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked|Content-Length: 2||; 400",
      "chunked not last; POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked, gzip||; 501",
      "chunked after another coding; POST / HTTP/1.1|Host: a|Transfer-Encoding: gzip, chunked||; 501",
      "unknown coding; POST / HTTP/1.1|Host: a|Transfer-Encoding: gzip||; 501",
      "chunked twice; POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked|Transfer-Encoding: chunked||; 400",
      "chunked in HTTP/1.0; POST / HTTP/1.0|Transfer-Encoding: chunked||; 400",
      "obs-fold; GET / HTTP/1.1|Host: a|X-A: 1|  more||; 400",
      "obs-fold with a tab; GET / HTTP/1.1|Host: a|X-A: 1|\tmore||; 400",
      "space before the colon; POST / HTTP/1.1|Host: a|Content-Length : 2||; 400",
      "tab before the colon; POST / HTTP/1.1|Host: a|Transfer-Encoding\t: chunked||; 400",
      "space in a name; GET / HTTP/1.1|Host: a|X A: 1||; 400",
      "empty name; GET / HTTP/1.1|Host: a|: 1||; 400",
      "NUL in a value; GET / HTTP/1.1|Host: a|X-A: a\\0b||; 400",
      "bare CR in a value; GET / HTTP/1.1|Host: a|X-A: a~b||; 400",
      "bare CR in a name; GET / HTTP/1.1|Host: a|X~A: b||; 400",
      "bare LF ending a line; GET / HTTP/1.1|Host: a^X-A: 1||; 400",
      "bare LF in the request line; GET / HTTP/1.1^Host: a||; 400",
      "DEL in a value; GET / HTTP/1.1|Host: a|X-A: a\u007fb||; 400",
      "no Host; GET / HTTP/1.1|X-A: 1||; 400",
      "two Hosts; GET / HTTP/1.1|Host: a|Host: b||; 400",
      "two Hosts, absolute form; GET http://a/ HTTP/1.1|Host: a|Host: b||; 400",
      "double space; GET  / HTTP/1.1|Host: a||; 400",
      "no version; GET /|Host: a||; 400",
      "lower-case version; GET / http/1.1|Host: a||; 400",
      "HTTP/2; GET / HTTP/2.0|Host: a||; 505",
      "HTTP/1.2; GET / HTTP/1.2|Host: a||; 505",
      "control in the target; GET /a\u0001b HTTP/1.1|Host: a||; 400",
      "relative target; GET a/b HTTP/1.1|Host: a||; 400",
      "other scheme; GET ftp://a/b HTTP/1.1|Host: a||; 400",
      "absolute form without host; GET http:///b HTTP/1.1|Host: a||; 400",
      "userinfo in the authority; GET http://u@a/b HTTP/1.1|Host: a||; 400",
      "asterisk for GET; GET * HTTP/1.1|Host: a||; 400",
      "CONNECT; CONNECT a:443 HTTP/1.1|Host: a||; 405",
      "unknown expectation; POST / HTTP/1.1|Host: a|Expect: 200-ok|Content-Length: 1||; 417",
      "token in the method; G(ET / HTTP/1.1|Host: a||; 400",
  })
  void refusedAsNginxDoes(String why, String head, int status) {
    assertThatThrownBy(() -> parse(head)).as(why)
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.status()).isEqualTo(status));
  }

  @Test
  void overLongLinesAre414And431() {
    String longTarget = "/" + "a".repeat(RequestHead.MAX_LINE);
    assertThatThrownBy(() -> parse("GET " + longTarget + " HTTP/1.1|Host: a||"))
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.status()).isEqualTo(414));
    assertThatThrownBy(() -> parse("GET / HTTP/1.1|Host: a|X-Big: " + "b".repeat(RequestHead.MAX_LINE) + "||"))
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.status()).isEqualTo(431));
  }

  /**
   * The head sent on: the client's lines in order but the hop-by-hop ones, those Connection
   * names (never the framing headers or Host), X-Forwarded-For (the proxy writes its own), and
   * X-Forwarded-Proto unless kept; HTTP/1.1 in the request line.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      // head; keep X-Forwarded-Proto; what is sent on (without the blank line)
      "GET / HTTP/1.1|Host: a||; false; GET / HTTP/1.1|Host: a|",
      "GET /p?q=1 HTTP/1.0||; false; GET /p?q=1 HTTP/1.1|",
      "GET / HTTP/1.1|Host: a|Connection: keep-alive|Keep-Alive: 5|Proxy-Connection: x|TE: trailers|Trailer: X|Proxy-Authorization: b|X-B: 2||; false; GET / HTTP/1.1|Host: a|X-B: 2|",
      "GET / HTTP/1.1|X-Forwarded-For: 6.6.6.6|Host: a|x-forwarded-for: 7.7.7.7|X-Forwarded-Proto: https||; false; GET / HTTP/1.1|Host: a|",
      "GET / HTTP/1.1|X-Forwarded-Proto: https|Host: a||; true; GET / HTTP/1.1|X-Forwarded-Proto: https|Host: a|",
      "GET / HTTP/1.1|Host: a|Connection: X-Secret, keep-alive|X-Secret: s|X-Kept: k|X-Forwarded-Proto: https||; false; GET / HTTP/1.1|Host: a|X-Kept: k|",
      "GET / HTTP/1.1|Host: a|Connection: X-Secret|X-Forwarded-Proto: https|X-Secret: s||; true; GET / HTTP/1.1|Host: a|X-Forwarded-Proto: https|",
      "POST / HTTP/1.1|Connection: Content-Length, Host, Transfer-Encoding|Host: a|Content-Length: 1||; false; POST / HTTP/1.1|Host: a|Content-Length: 1|",
      "GET /ws HTTP/1.1|Host: a|Upgrade: websocket|Connection: Upgrade||; false; GET /ws HTTP/1.1|Host: a|Upgrade: websocket|",
      "GET / HTTP/1.1|Host: a|Upgrade: h2c|Connection: Upgrade, HTTP2-Settings|HTTP2-Settings: x||; false; GET / HTTP/1.1|Host: a|",
      "GET / HTTP/1.0|Expect: 100-continue||; false; GET / HTTP/1.1|",
      "PUT / HTTP/1.1|Host: a|Expect: 100-continue|Content-Length: 1||; false; PUT / HTTP/1.1|Host: a|Expect: 100-continue|Content-Length: 1|",
      // Absolute form: origin form on, the authority as Host, the client's Host dropped.
      "GET http://b.example:8080/p?q HTTP/1.1|Host: a|X-A: 1||; false; GET /p?q HTTP/1.1|X-A: 1|host: b.example:8080|",
      "GET HTTPS://b HTTP/1.1||; false; GET / HTTP/1.1|host: b|",
  })
  void forwardedHead(String head, boolean keepProto, String expected) throws Exception {
    RequestHead r = parse(head);
    assertThat(forwarded(r, keepProto)).isEqualTo(expected);
    r.release();
  }

  @Test
  void headersAreReadFromTheBytesOnDemand() throws Exception {
    RequestHead r = parse("GET /a?b=1 HTTP/1.1|Host: a|X-User:  u1 |cookie: a=1|X-Forwarded-For: 1.1.1.1|"
        + "Cookie: sid=2|x-forwarded-for: 2.2.2.2, 3.3.3.3||");
    assertThat(r.header("x-user")).isEqualTo("u1");
    assertThat(r.header("X-USER")).isEqualTo("u1");
    assertThat(r.header("x-use")).isNull();
    assertThat(r.headers("cookie")).containsExactly("a=1", "sid=2");
    assertThat(r.forwardedFor()).isEqualTo("1.1.1.1, 2.2.2.2, 3.3.3.3");
    assertThat(r.target()).isEqualTo("/a?b=1");
    assertThat(r.hasHost()).isTrue();
    r.release();
    RequestHead none = parse("GET / HTTP/1.0||");
    assertThat(none.forwardedFor()).isNull();
    assertThat(none.hasHost()).isFalse();
    none.release();
  }
}
