package dev.capstan.dataplane.lb.proxy;

import io.netty.buffer.ByteBuf;

/** Byte-level helpers the request and response head parsers share. Pure. */
final class HeadBytes {
  private HeadBytes() {}

  /** Appends {@code length} bytes of {@code src} at {@code index}, copied by address (no NIO views). */
  static void appendBytes(ByteBuf src, int index, int length, ByteBuf out) {
    out.ensureWritable(length);
    int at = out.writerIndex();
    src.getBytes(index, out, at, length);
    out.writerIndex(at + length);
  }

  static int indexOf(byte[] buf, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (buf[i] == b) {
        return i;
      }
    }
    return -1;
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t';
  }

  static int skipSpace(byte[] buf, int from, int to) {
    while (from < to && isSpace(buf[from])) {
      from++;
    }
    return from;
  }

  static boolean startsWith(byte[] buf, int at, String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (buf[at + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether field content holds a control character (CR, LF, NUL, DEL, ...; tab is allowed):
   * visible ASCII, obs-text, space and tab are all it may hold.
   */
  static boolean hasControl(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = buf[i] & 0xff;
      if (b < 0x20 && b != '\t' || b == 0x7f) {
        return true;
      }
    }
    return false;
  }

  /** Case-insensitive: the {@code n} bytes at {@code from} equal {@code lower}, which is lower case. */
  static boolean equalsLowerCase(byte[] buf, int from, int n, byte[] lower) {
    if (n != lower.length) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int b = buf[from + i];
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[i]) {
        return false;
      }
    }
    return true;
  }
}
