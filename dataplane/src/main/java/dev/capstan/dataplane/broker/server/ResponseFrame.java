package dev.capstan.dataplane.broker.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * One response as the socket gets it: the size prefix, header and body in buffers, and the
 * records of a Fetch as file regions in between, in order. Serialized by kafka-clients'
 * {@code SendBuilder}, which already keeps record bytes out of its own buffer; no part is copied.
 *
 * <p>Holds Netty reference-counted parts: {@link #writeTo} passes them on, {@link #release} drops
 * them. TLS (not there yet) could not send file regions: it would need the bytes read back into a
 * buffer to encrypt them.
 */
final class ResponseFrame {

  private final List<Object> parts;
  private final long sizeInBytes;

  private ResponseFrame(List<Object> parts, long sizeInBytes) {
    this.parts = parts;
    this.sizeInBytes = sizeInBytes;
  }

  /**
   * Serializes {@code response} for the request it answers. The records of a Fetch response are
   * owned by the frame from then on, or closed if serialization fails.
   */
  static ResponseFrame of(RequestContext context, AbstractResponse response) throws IOException {
    ResponseHeader header = context.header.toResponseHeader();
    Collector collector = new Collector();
    try {
      Send send = SendBuilder.buildResponseSend(header, response.data(), context.apiVersion());
      while (!send.completed()) {
        send.writeTo(collector);
      }
      return new ResponseFrame(collector.parts, send.size());
    } catch (IOException | RuntimeException e) {
      collector.parts.forEach(ReferenceCountUtil::safeRelease);
      if (response instanceof FetchResponse fetch) {
        SliceRecords.closeAll(fetch.data());
      }
      throw e;
    }
  }

  /** Bytes on the wire, size prefix included. */
  long sizeInBytes() {
    return sizeInBytes;
  }

  /** Netty parts in wire order, for tests; a {@code ByteBuf} or a {@code FileRegion} each. */
  List<Object> parts() {
    return List.copyOf(parts);
  }

  /** Queues every part on the channel, which releases each once written or failed; not flushed. */
  void writeTo(ChannelHandlerContext ctx) {
    for (Object part : parts) {
      ctx.write(part);
    }
  }

  /** Drops a frame that will not be written, closing the files of its regions. */
  void release() {
    parts.forEach(ReferenceCountUtil::safeRelease);
  }

  /**
   * Takes whatever a {@link Send} writes: buffers are wrapped (SendBuilder made them for this
   * response alone, so they stay unchanged), file ranges become regions that own their channel.
   */
  private static final class Collector implements TransferableChannel {
    final List<Object> parts = new ArrayList<>();

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) {
      long written = 0;
      for (int i = offset; i < offset + length; i++) {
        written += write(sources[i]);
      }
      return written;
    }

    @Override
    public long write(ByteBuffer[] sources) {
      return write(sources, 0, sources.length);
    }

    @Override
    public int write(ByteBuffer source) {
      int remaining = source.remaining();
      if (remaining > 0) {
        parts.add(Unpooled.wrappedBuffer(source.slice()));
        source.position(source.limit());
      }
      return remaining;
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) {
      parts.add(new DefaultFileRegion(file, position, count));
      return count;
    }

    @Override
    public boolean hasPendingWrites() {
      return false;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
      // nothing to close: the parts belong to the frame
    }
  }
}
