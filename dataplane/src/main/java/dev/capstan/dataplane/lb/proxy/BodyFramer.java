package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.proxy.ResponseHead.InvalidResponse;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The body half of {@link RequestFramer} and {@link ResponseFramer}: passes a Content-Length
 * or chunked body on as retained slices of what was read, chunk framing included, and finds
 * its last byte, so that what follows on the connection is read as the next message. One per
 * framer, set for each body by {@link #length} or {@link #chunked}.
 */
final class BodyFramer {

  private long remaining;
  /** Null for a Content-Length body. */
  private ChunkedBody chunked;

  /** The next body is {@code length} bytes, at least one. */
  void length(long length) {
    remaining = length;
    chunked = null;
  }

  /** The next body is chunked. */
  void chunked() {
    chunked = new ChunkedBody();
  }

  /**
   * Moves the body's bytes at the front of {@code in} (at least one readable) to {@code out},
   * as one retained slice; true when the body ended with them.
   *
   * @throws InvalidResponse when the chunk framing is broken (for a request, its caller's 400)
   */
  boolean read(ByteBuf in, List<Object> out) throws InvalidResponse {
    if (chunked == null) {
      int n = (int) Math.min(remaining, in.readableBytes());
      out.add(in.readRetainedSlice(n));
      remaining -= n;
      return remaining == 0;
    }
    int from = in.readerIndex();
    int end = chunked.consume(in, from, in.writerIndex());
    out.add(in.readRetainedSlice((end < 0 ? in.writerIndex() : end) - from));
    if (end < 0) {
      return false;
    }
    chunked = null;
    return true;
  }
}
