package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.proxy.ResponseHead.InvalidResponse;
import io.netty.buffer.ByteBuf;

/**
 * Finds where a chunked body ends, byte by byte as it arrives, without decoding it: the proxy
 * passes the chunks on as they came and only needs to know the last byte of the response, so
 * that the next response on a pooled connection is not mistaken for part of this one. Strict
 * (CR LF everywhere, hex sizes of at most 15 digits, no control characters in extensions or
 * trailers) because a client reading the same bytes more leniently must not find another end.
 * One instance per body; pure.
 */
final class ChunkedBody {

  /** Extensions and each trailer line, as nginx's and Netty's limits: plenty for real servers. */
  private static final int MAX_LINE = 8192;
  private static final int MAX_SIZE_DIGITS = 15;

  private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, END_LF, DONE }

  private State state = State.SIZE;
  private long size;
  private int digits;
  private int lineLength;

  /**
   * Reads {@code buf} from {@code from} up to {@code to}: the index just past the body's last
   * byte if it ends there, else -1 (all of it belongs to the body; call again with more).
   */
  int consume(ByteBuf buf, int from, int to) throws InvalidResponse {
    int i = from;
    while (i < to) {
      if (state == State.DATA) {
        int n = (int) Math.min(size, to - i);
        i += n;
        size -= n;
        if (size == 0) {
          state = State.DATA_CR;
        }
        continue;
      }
      byte b = buf.getByte(i++);
      switch (state) {
        case SIZE -> {
          int d = hex(b);
          if (d >= 0) {
            if (++digits > MAX_SIZE_DIGITS) {
              throw new InvalidResponse("a chunk size over 15 hex digits");
            }
            size = size << 4 | d;
          } else if (digits == 0) {
            throw new InvalidResponse("invalid chunk size");
          } else if (b == ';') {
            state = State.EXTENSION;
            lineLength = 0;
          } else if (b == '\r') {
            state = State.SIZE_LF;
          } else {
            throw new InvalidResponse("invalid chunk size");
          }
        }
        case EXTENSION -> {
          if (b == '\r') {
            state = State.SIZE_LF;
          } else {
            text(b, "chunk extension");
          }
        }
        case SIZE_LF -> {
          expect(b, '\n', "chunk size");
          digits = 0;
          state = size == 0 ? State.TRAILER_START : State.DATA;
        }
        case DATA_CR -> {
          expect(b, '\r', "chunk data");
          state = State.DATA_LF;
        }
        case DATA_LF -> {
          expect(b, '\n', "chunk data");
          state = State.SIZE;
        }
        case TRAILER_START -> {
          if (b == '\r') {
            state = State.END_LF;
          } else {
            lineLength = 0;
            text(b, "trailer");
            state = State.TRAILER;
          }
        }
        case TRAILER -> {
          if (b == '\r') {
            state = State.TRAILER_LF;
          } else {
            text(b, "trailer");
          }
        }
        case TRAILER_LF -> {
          expect(b, '\n', "trailer");
          state = State.TRAILER_START;
        }
        case END_LF -> {
          expect(b, '\n', "last chunk");
          state = State.DONE;
          return i;
        }
        default -> throw new IllegalStateException("read past the end of a chunked body");
      }
    }
    return -1;
  }

  private void text(byte b, String what) throws InvalidResponse {
    int c = b & 0xff;
    if (c < 0x20 && c != '\t' || c == 0x7f) {
      throw new InvalidResponse("a control character in a " + what);
    }
    if (++lineLength > MAX_LINE) {
      throw new InvalidResponse("a " + what + " over " + MAX_LINE + " bytes");
    }
  }

  private static void expect(byte b, char wanted, String after) throws InvalidResponse {
    if (b != wanted) {
      throw new InvalidResponse("no CR LF after a " + after);
    }
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
