package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.proxy.RequestHead.InvalidRequest;
import dev.capstan.dataplane.lb.proxy.ResponseHead.InvalidResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits what a client sends into requests without decoding them into header maps, in place of
 * Netty's HttpRequestDecoder: it emits a {@link RequestHead}, then the body's bytes as they
 * arrive — retained slices, chunk framing included — then {@link #END}. A request it cannot
 * frame safely becomes an {@link InvalidRequest} message, in order after what came before it,
 * and nothing more is read as HTTP from the connection (the proxy answers it and closes).
 */
final class RequestFramer extends ByteToMessageDecoder {

  /** The last message of every request. */
  static final Object END = new Object() {
    @Override
    public String toString() {
      return "END";
    }
  };

  private enum State { HEAD, BODY, FAILED }

  private State state = State.HEAD;
  private final BodyFramer body = new BodyFramer();
  private final ResponseHead.EndFinder endFinder = new ResponseHead.EndFinder();

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      while (in.isReadable()) {
        switch (state) {
          case HEAD -> {
            if (!head(in, out)) {
              return;
            }
          }
          case BODY -> {
            boolean ended;
            try {
              ended = body.read(in, out);
            } catch (InvalidResponse e) {
              throw new InvalidRequest(400, e.getMessage()); // a broken chunk framing
            }
            if (ended) {
              end(out);
            }
          }
          case FAILED -> in.skipBytes(in.readableBytes());
        }
      }
    } catch (InvalidRequest e) {
      state = State.FAILED;
      in.skipBytes(in.readableBytes());
      out.add(e);
    }
  }

  /** Reads a head if it is all there; false when more bytes are needed. */
  private boolean head(ByteBuf in, List<Object> out) throws InvalidRequest {
    // Empty lines before a request line are ignored (RFC 9112 2.2): some clients end a POST
    // body with an extra CR LF.
    while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
      in.skipBytes(1);
    }
    int from = in.readerIndex();
    int limit = Math.min(in.writerIndex(), from + RequestHead.MAX_HEAD);
    int end = endFinder.end(in, from, limit);
    if (end < 0) {
      if (in.indexOf(from, Math.min(limit, from + RequestHead.MAX_LINE + 2), (byte) '\n') < 0
          && limit - from >= RequestHead.MAX_LINE + 2) {
        throw new InvalidRequest(414, "a request line over " + RequestHead.MAX_LINE / 1024 + " KiB");
      }
      if (limit - from >= RequestHead.MAX_HEAD) {
        throw new InvalidRequest(431, "a request head over " + RequestHead.MAX_HEAD / 1024 + " KiB");
      }
      return false;
    }
    ByteBuf bytes = in.retainedSlice(from, end - from);
    RequestHead head;
    try {
      head = RequestHead.parse(bytes);
    } catch (InvalidRequest e) {
      bytes.release();
      throw e;
    }
    in.readerIndex(end);
    out.add(head);
    switch (head.framing()) {
      case NONE -> end(out);
      case LENGTH -> {
        body.length(head.contentLength());
        state = State.BODY;
      }
      case CHUNKED -> {
        body.chunked();
        state = State.BODY;
      }
    }
    return true;
  }

  private void end(List<Object> out) {
    out.add(END);
    state = State.HEAD;
  }
}
