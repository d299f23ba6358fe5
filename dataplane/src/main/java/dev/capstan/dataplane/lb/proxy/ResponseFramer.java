package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.proxy.ResponseHead.InvalidResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits what a server sends into responses without decoding them, in place of Netty's
 * HttpClientCodec decoder (which builds a header map per response for the proxy to encode
 * again): it emits a {@link ResponseHead}, then the body's bytes as they arrive — retained
 * slices, chunk framing included; a small body that came whole with its head is held by the
 * head instead — then {@link #END}. After a 101 it stops, and the bytes it
 * holds go to whatever replaces it. A response it cannot frame safely ends with an
 * {@link InvalidResponse} message instead, and nothing more is read from the connection.
 */
final class ResponseFramer extends ByteToMessageDecoder {

  /** The last message of every response. */
  static final Object END = new Object() {
    @Override
    public String toString() {
      return "END";
    }
  };

  /** A larger head is refused, as nginx does beyond its proxy buffer. */
  static final int MAX_HEAD = 32 * 1024;

  /**
   * A Content-Length body up to this size that came with its head goes with the head (see
   * {@link ResponseHead#includedBody}): copying it is cheaper than a slice object and one more
   * buffer to write, and most answers of a balanced API are that small.
   */
  static final int MAX_INCLUDED_BODY = 1024;

  private enum State { HEAD, BODY, CLOSE, SWITCHED, FAILED }

  private State state = State.HEAD;
  private boolean toHead;
  private final BodyFramer body = new BodyFramer();
  private final ResponseHead.EndFinder endFinder = new ResponseHead.EndFinder();

  /** Set before each request is sent: the answer to HEAD has no body, whatever it says. */
  void expectResponseTo(boolean head) {
    toHead = head;
  }

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
            if (body.read(in, out)) {
              end(out);
            }
          }
          case CLOSE -> out.add(in.readRetainedSlice(in.readableBytes()));
          case SWITCHED -> {
            return; // the bytes stay for the tunnel that replaces this handler
          }
          case FAILED -> in.skipBytes(in.readableBytes());
        }
      }
    } catch (InvalidResponse e) {
      // In order after what came before it, so the exchange sees how far the response got.
      state = State.FAILED;
      in.skipBytes(in.readableBytes());
      out.add(e);
    }
  }

  /** Reads a head if it is all there; false when more bytes are needed. */
  private boolean head(ByteBuf in, List<Object> out) throws InvalidResponse {
    int from = in.readerIndex();
    int limit = Math.min(in.writerIndex(), from + MAX_HEAD);
    int end = endFinder.end(in, from, limit);
    if (end < 0) {
      if (limit - from >= MAX_HEAD) {
        throw new InvalidResponse("a response head over " + MAX_HEAD / 1024 + " KiB");
      }
      return false;
    }
    ResponseHead head = ResponseHead.parse(in, from, end - from, toHead, MAX_INCLUDED_BODY);
    in.readerIndex(end + head.includedBody());
    out.add(head);
    if (head.status() == 101) {
      state = State.SWITCHED;
      return false;
    }
    switch (head.framing()) {
      case NONE -> end(out);
      case LENGTH -> {
        long remaining = head.contentLength() - head.includedBody();
        if (remaining == 0) {
          end(out);
        } else {
          body.length(remaining);
          state = State.BODY;
        }
      }
      case CHUNKED -> {
        body.chunked();
        state = State.BODY;
      }
      case CLOSE -> state = State.CLOSE;
    }
    return true;
  }

  private void end(List<Object> out) {
    out.add(END);
    state = State.HEAD;
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.isReadable()) {
      decode(ctx, in, out);
    }
    if (state == State.CLOSE) {
      end(out); // a body delimited by the close ends here; any other was cut short
    }
  }
}
