package dev.capstan.dataplane.lb.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.ArrayList;
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
  private final int statusLineEnd;
  /** Per header line: start, end (before CR LF) and whether it is passed on; {@code lines} of them. */
  private final int[] lineStart;
  private final int[] lineEnd;
  private final boolean[] forwarded;
  private final int lines;

  private ResponseHead(ByteBuf bytes, int status, boolean http11, Framing framing, long contentLength,
      boolean keepAlive, int statusTextStart, int statusLineEnd, int[] lineStart, int[] lineEnd,
      boolean[] forwarded, int lines) {
    super(bytes);
    this.status = status;
    this.http11 = http11;
    this.framing = framing;
    this.contentLength = contentLength;
    this.keepAlive = keepAlive;
    this.statusTextStart = statusTextStart;
    this.statusLineEnd = statusLineEnd;
    this.lineStart = lineStart;
    this.lineEnd = lineEnd;
    this.forwarded = forwarded;
    this.lines = lines;
  }

  /** The head as received, from the status line to the blank line. */
  ByteBuf bytes() {
    return content();
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
    out.writeBytes(HTTP_1_1);
    out.writeBytes(bytes, statusTextStart, statusLineEnd - statusTextStart);
    out.writeByte(CR).writeByte(LF);
    for (int i = 0; i < lines; i++) {
      if (forwarded[i]) {
        out.writeBytes(bytes, lineStart[i], lineEnd[i] - lineStart[i]);
        out.writeByte(CR).writeByte(LF);
      }
    }
  }

  /**
   * The index just past the blank line ending the head that starts at {@code from}, or -1 if
   * it is not complete before {@code to}. Lines end in LF, with or without CR; {@link #parse}
   * then refuses a bare LF.
   */
  static int end(ByteBuf buf, int from, int to) {
    int lineStart = from;
    while (lineStart < to) {
      int lf = buf.indexOf(lineStart, to, LF);
      if (lf < 0) {
        return -1;
      }
      int length = lf - lineStart;
      if (lineStart > from && (length == 0 || length == 1 && buf.getByte(lineStart) == CR)) {
        return lf + 1;
      }
      lineStart = lf + 1;
    }
    return -1;
  }

  /**
   * Parses a complete head, {@code head} from its reader index to its writer index (as
   * {@link #end} delimits it). The result keeps {@code head} and its offsets.
   *
   * @param toHead whether the request was HEAD: then the response has no body whatever it says
   */
  static ResponseHead parse(ByteBuf head, boolean toHead) throws InvalidResponse {
    int start = head.readerIndex();
    int end = head.writerIndex();
    int eol = lineEnd(head, start, end);
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    if (eol - start < 12 || !startsWith(head, start, "HTTP/1.") || head.getByte(start + 8) != ' ') {
      throw new InvalidResponse("invalid status line");
    }
    byte minor = head.getByte(start + 7);
    if (minor != '0' && minor != '1') {
      throw new InvalidResponse("unsupported HTTP version in the status line");
    }
    int status = 0;
    for (int i = start + 9; i < start + 12; i++) {
      byte b = head.getByte(i);
      if (b < '0' || b > '9') {
        throw new InvalidResponse("invalid status code");
      }
      status = status * 10 + (b - '0');
    }
    if (status < 100 || eol > start + 12 && head.getByte(start + 12) != ' ') {
      throw new InvalidResponse("invalid status code");
    }
    checkText(head, start + 12, eol, "status line");
    boolean http11 = minor == '1';

    int capacity = 16;
    int[] starts = new int[capacity];
    int[] ends = new int[capacity];
    boolean[] forwarded = new boolean[capacity];
    int lines = 0;
    int contentLengths = 0;
    long contentLength = -1;
    int transferEncodings = 0;
    boolean chunkedLast = false;
    boolean close = false;
    boolean keepAliveToken = false;
    List<String> connectionNamed = null;

    int pos = next(head, eol, end);
    while (true) {
      eol = lineEnd(head, pos, end);
      if (eol == pos) {
        break; // the blank line
      }
      byte first = head.getByte(pos);
      if (first == ' ' || first == '\t') {
        throw new InvalidResponse("obsolete line folding in a header");
      }
      int colon = pos;
      while (colon < eol && TOKEN[head.getByte(colon) & 0xff]) {
        colon++;
      }
      if (colon == pos || colon == eol || head.getByte(colon) != ':') {
        throw new InvalidResponse("invalid header name");
      }
      int valueStart = skipSpace(head, colon + 1, eol);
      int valueEnd = eol;
      while (valueEnd > valueStart && isSpace(head.getByte(valueEnd - 1))) {
        valueEnd--;
      }
      checkText(head, valueStart, valueEnd, "header value");
      boolean forward = true;
      if (nameIs(head, pos, colon, CONTENT_LENGTH)) {
        contentLengths++;
        contentLength = parseLength(head, valueStart, valueEnd);
      } else if (nameIs(head, pos, colon, TRANSFER_ENCODING)) {
        transferEncodings++;
        chunkedLast = lastCodingIsChunked(head, valueStart, valueEnd, chunkedLast);
      } else {
        for (byte[] hop : HOP_BY_HOP) {
          if (nameIs(head, pos, colon, hop)) {
            forward = false;
            break;
          }
        }
        if (!forward && nameIs(head, pos, colon, HOP_BY_HOP[0])) {
          if (nameIs(head, valueStart, valueEnd, "keep-alive")) {
            keepAliveToken = true; // the usual value: no list to make
          } else {
            for (String token : tokens(head, valueStart, valueEnd)) {
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
      if (lines == capacity) {
        capacity *= 2;
        starts = java.util.Arrays.copyOf(starts, capacity);
        ends = java.util.Arrays.copyOf(ends, capacity);
        forwarded = java.util.Arrays.copyOf(forwarded, capacity);
      }
      starts[lines] = pos;
      ends[lines] = valueEnd;
      forwarded[lines] = forward;
      lines++;
      pos = next(head, eol, end);
    }
    if (connectionNamed != null) {
      for (int i = 0; i < lines; i++) {
        int colon = head.indexOf(starts[i], ends[i], (byte) ':');
        for (String name : connectionNamed) {
          if (nameIs(head, starts[i], colon, name)) {
            forwarded[i] = false;
          }
        }
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
    return new ResponseHead(head, status, http11, framing, contentLength, keepAlive, start + 8,
        lineEnd(head, start, end), starts, ends, forwarded, lines);
  }

  /** The end of the line at {@code pos} without its CR LF; a bare LF or CR is refused. */
  private static int lineEnd(ByteBuf buf, int pos, int end) throws InvalidResponse {
    int lf = buf.indexOf(pos, end, LF);
    if (lf <= pos || buf.getByte(lf - 1) != CR) {
      throw new InvalidResponse("a line of the head does not end in CR LF");
    }
    return lf - 1;
  }

  private static int next(ByteBuf buf, int lineEnd, int end) throws InvalidResponse {
    if (lineEnd + 2 >= end) {
      throw new InvalidResponse("the head ends without a blank line");
    }
    return lineEnd + 2;
  }

  /** Field content: visible ASCII, obs-text, space and tab; no CR, LF, NUL or other controls. */
  private static void checkText(ByteBuf buf, int from, int to, String what) throws InvalidResponse {
    for (int i = from; i < to; i++) {
      int b = buf.getByte(i) & 0xff;
      if (b < 0x20 && b != '\t' || b == 0x7f) {
        throw new InvalidResponse("a control character in a " + what);
      }
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t';
  }

  private static int skipSpace(ByteBuf buf, int from, int to) {
    while (from < to && isSpace(buf.getByte(from))) {
      from++;
    }
    return from;
  }

  private static boolean startsWith(ByteBuf buf, int at, String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (buf.getByte(at + i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Case-insensitive; {@code lower} is lower case. */
  private static boolean nameIs(ByteBuf buf, int from, int to, byte[] lower) {
    if (to - from != lower.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      int b = buf.getByte(from + i);
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean nameIs(ByteBuf buf, int from, int to, String lower) {
    if (to - from != lower.length()) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      int b = buf.getByte(from + i);
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** One decimal Content-Length; a list, even of equal values, is refused. */
  private static long parseLength(ByteBuf buf, int from, int to) throws InvalidResponse {
    if (from == to || to - from > 18) {
      throw new InvalidResponse("invalid Content-Length");
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      byte b = buf.getByte(i);
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
  private static boolean lastCodingIsChunked(ByteBuf buf, int from, int to, boolean chunkedBefore)
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
  private static List<String> tokens(ByteBuf buf, int from, int to) throws InvalidResponse {
    List<String> out = new ArrayList<>(2);
    int i = from;
    while (i < to) {
      i = skipSpace(buf, i, to);
      int s = i;
      while (i < to && TOKEN[buf.getByte(i) & 0xff]) {
        i++;
      }
      if (i > s) {
        char[] c = new char[i - s];
        for (int k = 0; k < c.length; k++) {
          int b = buf.getByte(s + k);
          c[k] = (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        out.add(new String(c));
      }
      i = skipSpace(buf, i, to);
      if (i < to && buf.getByte(i) != ',') {
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
