package dev.capstan.dataplane.lb.proxy;

import static dev.capstan.dataplane.lb.proxy.HeadBytes.appendBytes;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.equalsLowerCase;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.indexOf;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.isSpace;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.skipSpace;
import static dev.capstan.dataplane.lb.proxy.HeadBytes.startsWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A server's response head as raw bytes plus the few facts the proxy needs (status, framing,
 * keep-alive), with the offsets of its header lines so it can be passed on by copying instead
 * of being decoded into a header map and encoded again. Parsing is strict where a lenient
 * reading could make the proxy and the client disagree about where the response ends:
 * obs-fold, duplicate Content-Length, Content-Length with Transfer-Encoding, a transfer coding
 * other than a final chunked, and control characters are refused (nginx answers such
 * responses with 502 as well). Pure: no I/O; it holds its bytes, released with it.
 */
final class ResponseHead extends DefaultByteBufHolder {

  /** How the body of a response ends. */
  enum Framing {
    /** No body: 1xx, 204, 304, or the answer to HEAD. */
    NONE,
    /** Content-Length bytes. */
    LENGTH,
    /** Transfer-Encoding: chunked. */
    CHUNKED,
    /** Until the server closes the connection. */
    CLOSE
  }

  /** A response the proxy must not pass on; the message is one line for the log. */
  static final class InvalidResponse extends Exception {
    InvalidResponse(String message) {
      super(message, null, false, false); // no stack: it is the server's mistake, not ours
    }
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  /** Hop-by-hop headers (RFC 9110 7.6.1): they describe one connection and are not passed on. */
  private static final byte[][] HOP_BY_HOP = names("connection", "keep-alive", "proxy-connection",
      "te", "trailer", "upgrade", "proxy-authorization");
  private static final byte[] CONTENT_LENGTH = "content-length".getBytes();
  private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes();
  private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes();
  private static final int[] NO_SKIPS = {};

  /** Where heads are copied to be parsed, one per thread: parsing allocates only its result. */
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[4096];
    }
  };

  /** Bit i set: byte i is a token character (RFC 9110 5.6.2). */
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

  private final int status;
  private final boolean http11;
  private final Framing framing;
  private final long contentLength;
  private final boolean keepAlive;
  /** Where the status line's text after the version starts (" 200 OK"). */
  private final int statusTextStart;
  /** Where the blank line ending the head starts. */
  private final int blankLine;
  /**
   * The header lines not passed on, in order, as pairs of start and end (past their CR LF);
   * {@code skips} pairs. Usually one: the server's Connection header.
   */
  private final int[] skip;
  private final int skips;
  /** Bytes of the body held after the head (see {@link #parse(ByteBuf, int, int, boolean, int)}). */
  private final int includedBody;

  private ResponseHead(ByteBuf bytes, int status, boolean http11, Framing framing, long contentLength,
      boolean keepAlive, int statusTextStart, int blankLine, int[] skip, int skips, int includedBody) {
    super(bytes);
    this.includedBody = includedBody;
    this.status = status;
    this.http11 = http11;
    this.framing = framing;
    this.contentLength = contentLength;
    this.keepAlive = keepAlive;
    this.statusTextStart = statusTextStart;
    this.blankLine = blankLine;
    this.skip = skip;
    this.skips = skips;
  }

  /**
   * The head as received, from the status line to the blank line, then the
   * {@link #includedBody} bytes of the body if any.
   */
  ByteBuf bytes() {
    return content();
  }

  /**
   * How many bytes of the body follow the head in {@link #bytes}: all of a small
   * Content-Length body that came with its head, else 0 and the body comes after.
   */
  int includedBody() {
    return includedBody;
  }

  /** Writes the {@link #includedBody} bytes, the body as the server sent it. */
  void writeIncludedBody(ByteBuf out) {
    ByteBuf bytes = content();
    appendBytes(bytes, bytes.readerIndex() + blankLine + 2, includedBody, out);
  }

  int status() {
    return status;
  }

  boolean http11() {
    return http11;
  }

  Framing framing() {
    return framing;
  }

  /** The body's length when the framing is LENGTH. */
  long contentLength() {
    return contentLength;
  }

  /** Whether the server keeps the connection open after this response. */
  boolean keepAlive() {
    return keepAlive;
  }

  /**
   * Writes the head as the proxy passes it on, without its final blank line: the status line
   * as HTTP/1.1 with the server's code and reason, then every header line but the hop-by-hop
   * ones and those the Connection header names. The caller adds its own lines and the CR LF.
   */
  void writeForwarded(ByteBuf out) {
    ByteBuf bytes = content();
    int base = bytes.readerIndex(); // the offsets count from the head's first byte
    out.writeBytes(HTTP_1_1);
    // The rest of the status line and the header lines, in runs between the lines left out.
    int from = statusTextStart;
    for (int i = 0; i < skips; i++) {
      appendBytes(bytes, base + from, skip[2 * i] - from, out);
      from = skip[2 * i + 1];
    }
    appendBytes(bytes, base + from, blankLine - from, out);
  }

  /**
   * The index just past the blank line ending the head that starts at {@code from}, or -1 if
   * it is not complete before {@code to}. Lines end in LF, with or without CR; {@link #parse}
   * then refuses a bare LF.
   */
  static int end(ByteBuf buf, int from, int to) {
    return new EndFinder().end(buf, from, to);
  }

  /**
   * {@link #end} in one pass of {@link ByteBuf#forEachByte}, which checks the buffer once
   * instead of at every byte; reusable.
   */
  static final class EndFinder implements ByteProcessor {
    /** 0 within a line, 1 just after an LF, 2 after LF CR. */
    private int state;

    int end(ByteBuf buf, int from, int to) {
      state = 0;
      if (to <= from) {
        return -1;
      }
      // The head's first line is not its end even if empty; the parser refuses it then.
      int lf = buf.forEachByte(from, to - from, this);
      return lf < 0 ? -1 : lf + 1;
    }

    @Override
    public boolean process(byte b) {
      if (b == LF) {
        if (state != 0) {
          return false;
        }
        state = 1;
      } else {
        state = b == CR && state == 1 ? 2 : 0;
      }
      return true;
    }
  }

  /**
   * Parses a complete head, {@code head} from its reader index to its writer index (as
   * {@link #end} delimits it). The result keeps {@code head} and its offsets.
   *
   * @param toHead whether the request was HEAD: then the response has no body whatever it says
   */
  static ResponseHead parse(ByteBuf head, boolean toHead) throws InvalidResponse {
    return parse(head, head.readerIndex(), head.readableBytes(), toHead, -1);
  }

  /**
   * Parses the head of {@code length} bytes at {@code from} in {@code source}. With
   * {@code maxIncludedBody} -1, the result takes {@code source} (exactly the head) as its bytes;
   * else it holds a retained slice of {@code source}: the head, and with it the whole body when
   * the body is a Content-Length of at most {@code maxIncludedBody} bytes that is already in
   * {@code source} (its {@link #includedBody}). A small answer then reaches the client as one
   * buffer, copied with its head, instead of the head and a slice of the body.
   */
  static ResponseHead parse(ByteBuf source, int from, int length, boolean toHead, int maxIncludedBody)
      throws InvalidResponse {
    // Parsed from a copy in an array: a ByteBuf checks bounds and liveness on every byte read.
    int end = length;
    byte[] a = SCRATCH.get();
    if (a.length < end) {
      a = new byte[Math.max(end, 2 * a.length)];
      SCRATCH.set(a);
    }
    source.getBytes(from, a, 0, end);
    int start = 0;
    int eol = lineEnd(a, start, end);
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    if (eol - start < 12 || !startsWith(a, start, "HTTP/1.") || a[start + 8] != ' ') {
      throw new InvalidResponse("invalid status line");
    }
    byte minor = a[start + 7];
    if (minor != '0' && minor != '1') {
      throw new InvalidResponse("unsupported HTTP version in the status line");
    }
    int status = 0;
    for (int i = start + 9; i < start + 12; i++) {
      byte b = a[i];
      if (b < '0' || b > '9') {
        throw new InvalidResponse("invalid status code");
      }
      status = status * 10 + (b - '0');
    }
    if (status < 100 || eol > start + 12 && a[start + 12] != ' ') {
      throw new InvalidResponse("invalid status code");
    }
    checkText(a, start + 12, eol, "status line");
    boolean http11 = minor == '1';

    int[] skip = NO_SKIPS;
    int skips = 0;
    int contentLengths = 0;
    long contentLength = -1;
    int transferEncodings = 0;
    boolean chunkedLast = false;
    boolean close = false;
    boolean keepAliveToken = false;
    List<String> connectionNamed = null;

    int pos = next(a, eol, end);
    while (true) {
      eol = lineEnd(a, pos, end);
      if (eol == pos) {
        break; // the blank line
      }
      byte first = a[pos];
      if (first == ' ' || first == '\t') {
        throw new InvalidResponse("obsolete line folding in a header");
      }
      int colon = pos;
      while (colon < eol && TOKEN[a[colon] & 0xff]) {
        colon++;
      }
      if (colon == pos || colon == eol || a[colon] != ':') {
        throw new InvalidResponse("invalid header name");
      }
      int valueStart = skipSpace(a, colon + 1, eol);
      int valueEnd = eol;
      while (valueEnd > valueStart && isSpace(a[valueEnd - 1])) {
        valueEnd--;
      }
      checkText(a, valueStart, valueEnd, "header value");
      boolean forward = true;
      if (nameIs(a, pos, colon, CONTENT_LENGTH)) {
        contentLengths++;
        contentLength = parseLength(a, valueStart, valueEnd);
      } else if (nameIs(a, pos, colon, TRANSFER_ENCODING)) {
        transferEncodings++;
        chunkedLast = lastCodingIsChunked(a, valueStart, valueEnd, chunkedLast);
      } else {
        for (byte[] hop : HOP_BY_HOP) {
          if (nameIs(a, pos, colon, hop)) {
            forward = false;
            break;
          }
        }
        if (!forward && nameIs(a, pos, colon, HOP_BY_HOP[0])) {
          if (nameIs(a, valueStart, valueEnd, "keep-alive")) {
            keepAliveToken = true; // the usual value: no list to make
          } else {
            for (String token : tokens(a, valueStart, valueEnd)) {
              if (token.equals("close")) {
                close = true;
              } else if (token.equals("keep-alive")) {
                keepAliveToken = true;
              } else {
                if (connectionNamed == null) {
                  connectionNamed = new ArrayList<>(2);
                }
                connectionNamed.add(token);
              }
            }
          }
        }
      }
      if (!forward) {
        skip = addSkip(skip, skips++, pos, eol + 2);
      }
      pos = next(a, eol, end);
    }
    int blankLine = pos;
    if (connectionNamed != null) {
      // Rare: the Connection header names more headers to leave out. A second pass over the
      // lines, as they are valid now, marks those too and keeps the pairs in order.
      skips = 0;
      for (int p = next(a, lineEnd(a, start, end), end); p < blankLine; ) {
        int e = lineEnd(a, p, end);
        int colon = indexOf(a, p, e, (byte) ':');
        boolean leftOut = false;
        for (byte[] hop : HOP_BY_HOP) {
          leftOut |= nameIs(a, p, colon, hop);
        }
        // Never the framing headers: the body is passed on as framed, and a client without
        // them would read it differently (a server naming them in Connection is wrong anyway).
        boolean framingHeader = nameIs(a, p, colon, CONTENT_LENGTH) || nameIs(a, p, colon, TRANSFER_ENCODING);
        for (String name : connectionNamed) {
          leftOut |= !framingHeader && nameIs(a, p, colon, name);
        }
        if (leftOut) {
          skip = addSkip(skip, skips++, p, e + 2);
        }
        p = e + 2;
      }
    }
    if (contentLengths > 1) {
      throw new InvalidResponse("more than one Content-Length");
    }
    if (transferEncodings > 0 && contentLengths > 0) {
      throw new InvalidResponse("both Content-Length and Transfer-Encoding");
    }
    if (transferEncodings > 0 && !chunkedLast) {
      throw new InvalidResponse("a Transfer-Encoding whose last coding is not chunked");
    }
    Framing framing;
    if (toHead || status < 200 || status == 204 || status == 304) {
      framing = Framing.NONE;
    } else if (transferEncodings > 0) {
      framing = Framing.CHUNKED;
    } else if (contentLengths > 0) {
      framing = Framing.LENGTH;
    } else {
      framing = Framing.CLOSE;
    }
    boolean keepAlive = framing != Framing.CLOSE && !close && (http11 || keepAliveToken);
    ByteBuf bytes = source;
    int included = 0;
    if (maxIncludedBody >= 0) {
      if (framing == Framing.LENGTH && contentLength <= maxIncludedBody
          && source.writerIndex() - (from + length) >= contentLength) {
        included = (int) contentLength;
      }
      bytes = source.retainedSlice(from, length + included);
    }
    return new ResponseHead(bytes, status, http11, framing, contentLength, keepAlive, start + 8,
        blankLine, skip, skips, included);
  }

  /** The end of the line at {@code pos} without its CR LF; a bare LF or CR is refused. */
  private static int lineEnd(byte[] buf, int pos, int end) throws InvalidResponse {
    int lf = indexOf(buf, pos, end, LF);
    if (lf <= pos || buf[lf - 1] != CR) {
      throw new InvalidResponse("a line of the head does not end in CR LF");
    }
    return lf - 1;
  }

  private static int[] addSkip(int[] skip, int index, int from, int to) {
    int[] s = index * 2 + 2 <= skip.length ? skip : Arrays.copyOf(skip, Math.max(4, skip.length * 2));
    s[index * 2] = from;
    s[index * 2 + 1] = to;
    return s;
  }

  private static int next(byte[] buf, int lineEnd, int end) throws InvalidResponse {
    if (lineEnd + 2 >= end) {
      throw new InvalidResponse("the head ends without a blank line");
    }
    return lineEnd + 2;
  }

  /** Field content: visible ASCII, obs-text, space and tab; no CR, LF, NUL or other controls. */
  private static void checkText(byte[] buf, int from, int to, String what) throws InvalidResponse {
    if (HeadBytes.hasControl(buf, from, to)) {
      throw new InvalidResponse("a control character in a " + what);
    }
  }


  /** Case-insensitive; {@code lower} is lower case. */
  private static boolean nameIs(byte[] buf, int from, int to, byte[] lower) {
    return equalsLowerCase(buf, from, to - from, lower);
  }


  private static boolean nameIs(byte[] buf, int from, int to, String lower) {
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

  /** One decimal Content-Length; a list, even of equal values, is refused. */
  private static long parseLength(byte[] buf, int from, int to) throws InvalidResponse {
    if (from == to || to - from > 18) {
      throw new InvalidResponse("invalid Content-Length");
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (b < '0' || b > '9') {
        throw new InvalidResponse("invalid Content-Length");
      }
      n = n * 10 + (b - '0');
    }
    return n;
  }

  /**
   * Whether, after this Transfer-Encoding line, the last coding is chunked; chunked before
   * another coding (here or on an earlier line) is refused, as then the body has no framing.
   */
  private static boolean lastCodingIsChunked(byte[] buf, int from, int to, boolean chunkedBefore)
      throws InvalidResponse {
    boolean chunked = chunkedBefore;
    List<String> codings = tokens(buf, from, to);
    if (codings.isEmpty()) {
      throw new InvalidResponse("an empty Transfer-Encoding");
    }
    for (String coding : codings) {
      if (chunked) {
        throw new InvalidResponse("a Transfer-Encoding whose last coding is not chunked");
      }
      chunked = coding.equals("chunked");
    }
    return chunked;
  }

  /** The comma-separated tokens of a value, lower case, without empty elements. */
  private static List<String> tokens(byte[] buf, int from, int to) throws InvalidResponse {
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
        throw new InvalidResponse("invalid list in a header value");
      }
      i++;
    }
    return out;
  }

  private static byte[][] names(String... names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = names[i].getBytes();
    }
    return out;
  }
}
