package dev.capstan.dataplane.lb.proxy;

import static dev.capstan.dataplane.lb.proxy.HeadBytes.appendBytes;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.equalsLowerCase;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.indexOf;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.isSpace;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.skipSpace;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.startsWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client's request head as raw bytes plus what the proxy needs to route and frame it
 * (method, version, target, framing, keep-alive, a WebSocket upgrade), with the offsets of the
 * header lines it does not pass on, so the head towards the server is a copy of the client's
 * lines instead of a header map decoded and encoded again. Other headers (the key of algorithm
 * Hash, cookies, X-Forwarded-For) are read from the bytes only when asked for.
 *
 * <p>Strict where a lenient reading could make the balancer and the server disagree about where
 * a request ends (request smuggling), answering as nginx does: obs-fold, whitespace before a
 * colon, control characters, lines not ending in CR LF, duplicate or invalid Content-Length,
 * Content-Length with Transfer-Encoding, Transfer-Encoding in HTTP/1.0, no or duplicate Host
 * are 400; a Transfer-Encoding other than chunked is 501; an over-long request line is 414 and
 * an over-long header 431. An absolute-form target goes on in origin form with its authority as
 * the Host (RFC 9112 3.2.2). Pure: no I/O; it holds its bytes, released with it.
 */
final class RequestHead extends DefaultByteBufHolder {

  /** How the body of a request ends. */
  enum Framing {
    /** No body. */
    NONE,
    /** Content-Length bytes. */
    LENGTH,
    /** Transfer-Encoding: chunked. */
    CHUNKED
  }

  /** A request the proxy refuses: {@link #status} is the answer; the message is one line. */
  static final class InvalidRequest extends Exception {
    private final int status;

    InvalidRequest(int status, String message) {
      super(message, null, false, false); // no stack: it is the client's mistake, not ours
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  /** nginx's large_client_header_buffers (4 8k): a line up to 8 KiB, a head up to 32 KiB. */
  static final int MAX_LINE = 8 * 1024;
  static final int MAX_HEAD = 32 * 1024;

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HOST = "host: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {CR, LF};
  private static final int[] NO_SKIPS = {};

  /** Kinds of the lines not passed on (see {@link #writeForwarded}). */
  private static final int ALWAYS = 0;
  private static final int UNLESS_PROTO_KEPT = 1;

  private static final byte[] CONNECTION = bytes("connection");
  private static final byte[] CONTENT_LENGTH = bytes("content-length");
  private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
  private static final byte[] HOST_NAME = bytes("host");
  private static final byte[] UPGRADE = bytes("upgrade");
  private static final byte[] EXPECT = bytes("expect");
  private static final byte[] X_FORWARDED_FOR = bytes("x-forwarded-for");
  private static final byte[] X_FORWARDED_PROTO = bytes("x-forwarded-proto");
  // Hop-by-hop headers (RFC 9110 7.6.1) besides Connection and Upgrade: never passed on.
  private static final byte[] KEEP_ALIVE = bytes("keep-alive");
  private static final byte[] PROXY_CONNECTION = bytes("proxy-connection");
  private static final byte[] TE = bytes("te");
  private static final byte[] TRAILER = bytes("trailer");
  private static final byte[] PROXY_AUTHORIZATION = bytes("proxy-authorization");

  /** The methods the proxy sees, as shared strings: no String made per request for them. */
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
      "PATCH", "TRACE", "CONNECT"};
  private static final byte[][] METHOD_BYTES = Arrays.stream(METHODS).map(RequestHead::bytes)
      .toArray(byte[][]::new);

  /** Where heads are copied to be parsed, one per thread: parsing allocates only its result. */
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[4096];
    }
  };

  /** Token characters (RFC 9110 5.6.2). */
  private static final boolean[] TOKEN = new boolean[256];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = true;
    }
  }

  private final String method;
  private final boolean http10;
  private final Framing framing;
  private final long contentLength;
  private final boolean keepAlive;
  private final boolean upgrade;
  private final boolean hasHost;
  private final boolean hasForwardedFor;
  private final boolean hasForwardedProto;
  /** The target as sent on: all of it, or an absolute-form target's path and query. */
  private final int targetStart;
  private final int targetEnd;
  /** An absolute-form target's authority, which becomes the Host; -1 otherwise. */
  private final int authorityStart;
  private final int authorityEnd;
  /** Where the method ends (its SP), where the header lines start and the blank line starts. */
  private final int methodEnd;
  private final int headersStart;
  private final int blankLine;
  /** The header lines not passed on, in order, as triples of start, end (past CR LF), kind. */
  private final int[] skip;
  private final int skips;

  private RequestHead(ByteBuf bytes, String method, boolean http10, Framing framing,
      long contentLength, boolean keepAlive, boolean upgrade, boolean hasHost,
      boolean hasForwardedFor, boolean hasForwardedProto, int targetStart, int targetEnd,
      int authorityStart, int authorityEnd, int methodEnd, int headersStart, int blankLine,
      int[] skip, int skips) {
    super(bytes);
    this.method = method;
    this.http10 = http10;
    this.framing = framing;
    this.contentLength = contentLength;
    this.keepAlive = keepAlive;
    this.upgrade = upgrade;
    this.hasHost = hasHost;
    this.hasForwardedFor = hasForwardedFor;
    this.hasForwardedProto = hasForwardedProto;
    this.targetStart = targetStart;
    this.targetEnd = targetEnd;
    this.authorityStart = authorityStart;
    this.authorityEnd = authorityEnd;
    this.methodEnd = methodEnd;
    this.headersStart = headersStart;
    this.blankLine = blankLine;
    this.skip = skip;
    this.skips = skips;
  }

  /** The head as received, from the request line to the blank line. */
  ByteBuf bytes() {
    return content();
  }

  String method() {
    return method;
  }

  boolean http10() {
    return http10;
  }

  Framing framing() {
    return framing;
  }

  /** The body's length when the framing is LENGTH. */
  long contentLength() {
    return contentLength;
  }

  /** Whether the client keeps the connection open after this request. */
  boolean keepAlive() {
    return keepAlive;
  }

  /**
   * A WebSocket handshake (Upgrade: websocket, Connection: upgrade, no body): its Upgrade line
   * is passed on and the connection may become a tunnel. Other offers, such as the h2c upgrade
   * Java's HttpClient makes on its first request (often a POST with a body), are dropped as
   * hop-by-hop headers, as nginx does, and the request goes on as HTTP/1.1.
   */
  boolean upgrade() {
    return upgrade;
  }

  /** Whether the head sent on carries a Host (the client's, or an absolute-form authority). */
  boolean hasHost() {
    return hasHost || authorityStart >= 0;
  }

  boolean hasForwardedProto() {
    return hasForwardedProto;
  }

  /** The target as sent on (origin form for an absolute-form target). */
  String target() {
    return content().toString(content().readerIndex() + targetStart, targetEnd - targetStart,
        StandardCharsets.ISO_8859_1);
  }

  /** The target's bytes as sent on. */
  byte[] targetBytes() {
    byte[] b = new byte[targetEnd - targetStart];
    content().getBytes(content().readerIndex() + targetStart, b);
    return b;
  }

  /** The incoming X-Forwarded-For lines joined as one list, or null. */
  String forwardedFor() {
    if (!hasForwardedFor) {
      return null;
    }
    List<String> values = headers("x-forwarded-for");
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }

  /** The value of the first header {@code name} (any case), or null; read from the bytes. */
  String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The values of every header {@code name} (any case), in order; read from the bytes. */
  List<String> headers(String name) {
    ByteBuf b = content();
    int base = b.readerIndex();
    List<String> out = List.of();
    for (int p = headersStart; p < blankLine; ) {
      int eol = b.indexOf(base + p, base + blankLine, LF) - base; // every line ends in CR LF here
      int colon = b.indexOf(base + p, base + eol, (byte) ':') - base;
      if (colon - p == name.length() && nameIs(b, base + p, name)) {
        int from = colon + 1;
        int to = eol - 1;
        while (from < to && isSpace(b.getByte(base + from))) {
          from++;
        }
        while (to > from && isSpace(b.getByte(base + to - 1))) {
          to--;
        }
        if (out.isEmpty()) {
          out = new ArrayList<>(1);
        }
        out.add(b.toString(base + from, to - from, StandardCharsets.ISO_8859_1));
      }
      p = eol + 1;
    }
    return out;
  }

  /**
   * Writes the head as the proxy sends it on, without its final blank line: the request line
   * as HTTP/1.1 (an absolute-form target in origin form), every header line but the hop-by-hop
   * ones, those Connection names, X-Forwarded-For, the Host of an absolute-form request
   * (replaced by its authority) and, unless {@code keepForwardedProto}, X-Forwarded-Proto.
   * The caller adds its own lines and the CR LF.
   */
  void writeForwarded(ByteBuf out, boolean keepForwardedProto) {
    ByteBuf bytes = content();
    int base = bytes.readerIndex();
    appendBytes(bytes, base, methodEnd + 1, out); // the method and its SP
    if (targetEnd > targetStart) {
      appendBytes(bytes, base + targetStart, targetEnd - targetStart, out);
    } else {
      out.writeByte('/'); // "http://host" has the empty path, which is "/"
    }
    out.writeBytes(HTTP_1_1_CRLF);
    int from = headersStart;
    for (int i = 0; i < skips; i++) {
      int kind = skip[3 * i + 2];
      if (kind == UNLESS_PROTO_KEPT && keepForwardedProto) {
        continue;
      }
      appendBytes(bytes, base + from, skip[3 * i] - from, out);
      from = skip[3 * i + 1];
    }
    appendBytes(bytes, base + from, blankLine - from, out);
    if (authorityStart >= 0) {
      out.writeBytes(HOST);
      appendBytes(bytes, base + authorityStart, authorityEnd - authorityStart, out);
      out.writeBytes(CRLF);
    }
  }

  /**
   * Parses a complete head, {@code head} from its reader index to its writer index (as
   * {@link ResponseHead#end} delimits it). The result keeps {@code head} and its offsets.
   */
  static RequestHead parse(ByteBuf head) throws InvalidRequest {
    int end = head.readableBytes();
    byte[] a = SCRATCH.get();
    if (a.length < end) {
      a = new byte[Math.max(end, 2 * a.length)];
      SCRATCH.set(a);
    }
    head.getBytes(head.readerIndex(), a, 0, end);

    // Request line: method SP target SP HTTP/1.x CR LF, single spaces (RFC 9112 3).
    int eol = lineEnd(a, 0, end);
    if (eol > MAX_LINE) {
      throw new InvalidRequest(414, "a request line over " + MAX_LINE / 1024 + " KiB");
    }
    int methodEnd = 0;
    while (methodEnd < eol && TOKEN[a[methodEnd] & 0xff]) {
      methodEnd++;
    }
    if (methodEnd == 0 || methodEnd == eol || a[methodEnd] != ' ') {
      throw new InvalidRequest(400, "invalid request line");
    }
    int targetFrom = methodEnd + 1;
    int targetTo = targetFrom;
    while (targetTo < eol && a[targetTo] != ' ') {
      int b = a[targetTo] & 0xff;
      if (b < 0x21 || b == 0x7f) {
        throw new InvalidRequest(400, "a control character in the request target");
      }
      targetTo++;
    }
    if (targetTo == targetFrom || eol - targetTo != 9 || !startsWith(a, targetTo, " HTTP/")
        || a[targetTo + 7] != '.') {
      throw new InvalidRequest(400, "invalid request line");
    }
    byte major = a[targetTo + 6];
    byte minor = a[targetTo + 8];
    if (major < '0' || major > '9' || minor < '0' || minor > '9') {
      throw new InvalidRequest(400, "invalid HTTP version");
    }
    if (major != '1' || minor > '1') {
      throw new InvalidRequest(505, "HTTP/" + (char) major + "." + (char) minor + " is not supported");
    }
    boolean http10 = minor == '0';
    String method = method(a, methodEnd);
    if ("CONNECT".equals(method)) {
      throw new InvalidRequest(405, "CONNECT is not supported");
    }
    int targetStart = targetFrom;
    int targetEnd = targetTo;
    int authorityStart = -1;
    int authorityEnd = -1;
    if (a[targetFrom] == '/') {
      // origin form, the usual one
    } else if (targetTo - targetFrom == 1 && a[targetFrom] == '*') {
      if (!"OPTIONS".equals(method)) {
        throw new InvalidRequest(400, "the target * is for OPTIONS only");
      }
    } else {
      int scheme = startsWithIgnoreCase(a, targetFrom, targetTo, "http://") ? 7
          : startsWithIgnoreCase(a, targetFrom, targetTo, "https://") ? 8 : 0;
      if (scheme == 0) {
        throw new InvalidRequest(400, "invalid request target");
      }
      authorityStart = targetFrom + scheme;
      authorityEnd = authorityStart;
      while (authorityEnd < targetTo && a[authorityEnd] != '/' && a[authorityEnd] != '?'
          && a[authorityEnd] != '#') {
        authorityEnd++;
      }
      if (authorityEnd == authorityStart || indexOf(a, authorityStart, authorityEnd, (byte) '@') >= 0) {
        throw new InvalidRequest(400, "invalid authority in the request target");
      }
      if (authorityEnd < targetTo && a[authorityEnd] != '/') {
        throw new InvalidRequest(400, "invalid request target");
      }
      targetStart = authorityEnd;
      targetEnd = targetTo;
    }

    int[] skip = NO_SKIPS;
    int skips = 0;
    int hosts = 0;
    int contentLengths = 0;
    long contentLength = 0;
    int transferEncodings = 0;
    boolean close = false;
    boolean keepAliveToken = false;
    boolean upgradeToken = false;
    int upgradeLine = -1;
    int upgradeLineEnd = -1;
    boolean websocket = false;
    boolean forwardedFor = false;
    boolean forwardedProto = false;
    List<String> connectionNamed = null;

    int headersStart = next(a, eol, end);
    int pos = headersStart;
    while (true) {
      eol = lineEnd(a, pos, end);
      if (eol == pos) {
        break; // the blank line
      }
      if (eol - pos > MAX_LINE) {
        throw new InvalidRequest(431, "a header line over " + MAX_LINE / 1024 + " KiB");
      }
      byte first = a[pos];
      if (first == ' ' || first == '\t') {
        throw new InvalidRequest(400, "obsolete line folding in a header");
      }
      int colon = pos;
      while (colon < eol && TOKEN[a[colon] & 0xff]) {
        colon++;
      }
      if (colon == pos || colon == eol || a[colon] != ':') {
        // Whitespace before the colon included (RFC 9112 5.1: MUST be rejected with 400).
        throw new InvalidRequest(400, "invalid header name");
      }
      int valueStart = skipSpace(a, colon + 1, eol);
      int valueEnd = eol;
      while (valueEnd > valueStart && isSpace(a[valueEnd - 1])) {
        valueEnd--;
      }
      checkText(a, valueStart, valueEnd);
      int kind = -1; // passed on
      int n = colon - pos;
      // The first byte, lower case, picks the few names worth comparing.
      switch (first | 0x20) {
        case 'c' -> {
          if (equalsLowerCase(a, pos, n, CONTENT_LENGTH)) {
            contentLengths++;
            contentLength = parseLength(a, valueStart, valueEnd);
          } else if (equalsLowerCase(a, pos, n, CONNECTION)) {
            kind = ALWAYS;
            if (valueIs(a, valueStart, valueEnd, "keep-alive")) {
              keepAliveToken = true; // the usual value: no list to make
            } else if (valueIs(a, valueStart, valueEnd, "close")) {
              close = true;
            } else {
              for (String token : tokens(a, valueStart, valueEnd)) {
                switch (token) {
                  case "close" -> close = true;
                  case "keep-alive" -> keepAliveToken = true;
                  case "upgrade" -> upgradeToken = true;
                  default -> {
                    if (connectionNamed == null) {
                      connectionNamed = new ArrayList<>(2);
                    }
                    connectionNamed.add(token);
                  }
                }
              }
            }
          }
        }
        case 'h' -> {
          if (equalsLowerCase(a, pos, n, HOST_NAME)) {
            if (++hosts > 1) {
              throw new InvalidRequest(400, "more than one Host header");
            }
            if (authorityStart >= 0) {
              kind = ALWAYS; // the target's authority is the host (RFC 9112 3.2.2)
            }
          }
        }
        case 't' -> {
          if (equalsLowerCase(a, pos, n, TRANSFER_ENCODING)) {
            if (++transferEncodings > 1) {
              throw new InvalidRequest(400, "more than one Transfer-Encoding header");
            }
            // nginx takes "chunked" alone; anything else is a coding it cannot frame.
            if (!valueIs(a, valueStart, valueEnd, "chunked")) {
              throw new InvalidRequest(501, "a Transfer-Encoding other than chunked");
            }
          } else if (equalsLowerCase(a, pos, n, TE) || equalsLowerCase(a, pos, n, TRAILER)) {
            kind = ALWAYS;
          }
        }
        case 'u' -> {
          if (equalsLowerCase(a, pos, n, UPGRADE)) {
            kind = ALWAYS; // unless this is a WebSocket handshake: see below
            upgradeLine = pos;
            upgradeLineEnd = eol + 2;
            websocket = valueIs(a, valueStart, valueEnd, "websocket");
          }
        }
        case 'e' -> {
          if (equalsLowerCase(a, pos, n, EXPECT)) {
            if (http10) {
              kind = ALWAYS; // an HTTP/1.0 request's Expect is ignored (RFC 9110 10.1.1)
            } else if (!valueIs(a, valueStart, valueEnd, "100-continue")) {
              throw new InvalidRequest(417, "an expectation other than 100-continue");
            }
          }
        }
        case 'x' -> {
          if (equalsLowerCase(a, pos, n, X_FORWARDED_FOR)) {
            kind = ALWAYS; // replaced by the proxy's own
            forwardedFor = true;
          } else if (equalsLowerCase(a, pos, n, X_FORWARDED_PROTO)) {
            kind = UNLESS_PROTO_KEPT;
            forwardedProto = true;
          }
        }
        case 'k', 'p' -> {
          if (equalsLowerCase(a, pos, n, KEEP_ALIVE) || equalsLowerCase(a, pos, n, PROXY_CONNECTION)
              || equalsLowerCase(a, pos, n, PROXY_AUTHORIZATION)) {
            kind = ALWAYS;
          }
        }
        default -> {
          // passed on
        }
      }
      if (kind >= 0) {
        skip = addSkip(skip, skips++, pos, eol + 2, kind);
      }
      pos = next(a, eol, end);
    }
    int blankLine = pos;
    if (pos + 2 != end) {
      throw new InvalidRequest(400, "bytes after the head's blank line"); // the framer's mistake
    }
    if (contentLengths > 1) {
      throw new InvalidRequest(400, "more than one Content-Length");
    }
    if (transferEncodings > 0 && contentLengths > 0) {
      throw new InvalidRequest(400, "both Content-Length and Transfer-Encoding");
    }
    if (transferEncodings > 0 && http10) {
      throw new InvalidRequest(400, "Transfer-Encoding in an HTTP/1.0 request");
    }
    if (hosts == 0 && !http10 && authorityStart < 0) {
      throw new InvalidRequest(400, "no Host header");
    }
    Framing framing = transferEncodings > 0 ? Framing.CHUNKED
        : contentLength > 0 ? Framing.LENGTH : Framing.NONE;
    boolean upgrade = websocket && upgradeToken && framing == Framing.NONE;
    if (upgrade) {
      skips = removeSkip(skip, skips, upgradeLine, upgradeLineEnd);
    }
    if (connectionNamed != null) {
      skip = skipNamed(a, headersStart, blankLine, connectionNamed, skip, skips);
      skips = skip.length / 3;
    }
    boolean keepAlive = !close && (!http10 || keepAliveToken);
    return new RequestHead(head, method, http10, framing, contentLength, keepAlive, upgrade,
        hosts > 0, forwardedFor, forwardedProto, targetStart, targetEnd, authorityStart,
        authorityEnd, methodEnd, headersStart, blankLine, skip, skips);
  }

  /**
   * Rare: the Connection header names more headers to leave out. Every line is walked again (as
   * they are valid now) and the triples rebuilt in order. Never the framing headers or Host:
   * without Content-Length or Transfer-Encoding the server would read the body as the next
   * request (one the client wrote, with its own X-Forwarded-For: request smuggling). nginx does
   * not remove headers named in Connection at all. Returns exactly the triples.
   */
  private static int[] skipNamed(byte[] a, int headersStart, int blankLine, List<String> named,
      int[] skip, int skips) throws InvalidRequest {
    int[] out = new int[Math.max(6, skips * 3 + 6)];
    int count = 0;
    int next = 0; // the next existing triple
    for (int p = headersStart; p < blankLine; ) {
      int e = lineEnd(a, p, blankLine + 2);
      int colon = indexOf(a, p, e, (byte) ':');
      int n = colon - p;
      boolean already = next < skips && skip[3 * next] == p;
      int kind = already ? skip[3 * next + 2] : -1;
      if (already) {
        next++;
      }
      if (kind != ALWAYS && !equalsLowerCase(a, p, n, CONTENT_LENGTH)
          && !equalsLowerCase(a, p, n, TRANSFER_ENCODING) && !equalsLowerCase(a, p, n, HOST_NAME)) {
        for (String name : named) {
          if (equalsLowerCase(a, p, n, bytes(name))) {
            kind = ALWAYS;
            break;
          }
        }
      }
      if (kind >= 0) {
        out = addSkip(out, count++, p, e + 2, kind);
      }
      p = e + 2;
    }
    return Arrays.copyOf(out, 3 * count);
  }

  private static int removeSkip(int[] skip, int skips, int start, int end) {
    for (int i = 0; i < skips; i++) {
      if (skip[3 * i] == start && skip[3 * i + 1] == end) {
        System.arraycopy(skip, 3 * (i + 1), skip, 3 * i, 3 * (skips - i - 1));
        return skips - 1;
      }
    }
    return skips;
  }

  private static String method(byte[] a, int end) {
    for (int i = 0; i < METHOD_BYTES.length; i++) {
      byte[] m = METHOD_BYTES[i];
      if (m.length == end && Arrays.equals(a, 0, end, m, 0, end)) {
        return METHODS[i];
      }
    }
    return new String(a, 0, end, StandardCharsets.US_ASCII);
  }

  /** The end of the line at {@code pos} without its CR LF; a bare LF or CR is refused. */
  private static int lineEnd(byte[] buf, int pos, int end) throws InvalidRequest {
    int lf = indexOf(buf, pos, end, LF);
    if (lf <= pos || buf[lf - 1] != CR) {
      throw new InvalidRequest(400, "a line of the head does not end in CR LF");
    }
    return lf - 1;
  }

  private static int next(byte[] buf, int lineEnd, int end) throws InvalidRequest {
    if (lineEnd + 2 >= end) {
      throw new InvalidRequest(400, "the head ends without a blank line");
    }
    return lineEnd + 2;
  }

  private static int[] addSkip(int[] skip, int index, int from, int to, int kind) {
    int[] s = index * 3 + 3 <= skip.length ? skip : Arrays.copyOf(skip, Math.max(6, skip.length * 2));
    s[index * 3] = from;
    s[index * 3 + 1] = to;
    s[index * 3 + 2] = kind;
    return s;
  }

  /** Field content: visible ASCII, obs-text, space and tab; no CR, LF, NUL or other controls. */
  private static void checkText(byte[] buf, int from, int to) throws InvalidRequest {
    if (HeadBytes.hasControl(buf, from, to)) {
      throw new InvalidRequest(400, "a control character in a header value");
    }
  }


  private static boolean startsWithIgnoreCase(byte[] buf, int from, int to, String lower) {
    return to - from >= lower.length() && equalsLowerCase(buf, from, lower.length(), bytes(lower));
  }

  private static boolean valueIs(byte[] buf, int from, int to, String lower) {
    if (to - from != lower.length()) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      int b = buf[from + i];
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Case-insensitive; {@code name} as the caller spells it. */
  private static boolean nameIs(ByteBuf b, int at, String name) {
    for (int i = 0; i < name.length(); i++) {
      int x = b.getByte(at + i);
      int y = name.charAt(i);
      if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) {
        return false;
      }
    }
    return true;
  }

  /** One decimal Content-Length; a list, even of equal values, is refused as nginx does. */
  private static long parseLength(byte[] buf, int from, int to) throws InvalidRequest {
    if (from == to || to - from > 18) {
      throw new InvalidRequest(400, "invalid Content-Length");
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (b < '0' || b > '9') {
        throw new InvalidRequest(400, "invalid Content-Length");
      }
      n = n * 10 + (b - '0');
    }
    return n;
  }

  /** The comma-separated tokens of a value, lower case, without empty elements. */
  private static List<String> tokens(byte[] buf, int from, int to) throws InvalidRequest {
    List<String> out = new ArrayList<>(2);
    int i = from;
    while (i < to) {
      i = skipSpace(buf, i, to);
      int s = i;
      while (i < to && TOKEN[buf[i] & 0xff]) {
        i++;
      }
      if (i > s) {
        char[] c = new char[i - s];
        for (int k = 0; k < c.length; k++) {
          int b = buf[s + k];
          c[k] = (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        out.add(new String(c));
      }
      i = skipSpace(buf, i, to);
      if (i < to && buf[i] != ',') {
        throw new InvalidRequest(400, "invalid list in a header value");
      }
      i++;
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
