package dev.capstan.dataplane.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Frames (size-prefixed by the pipeline) are parsed with kafka-clients'
 * own header and request classes and handled one at a time in arrival order, off the event loop
 * (appends may fsync). Responses may complete out of order (a long-polling Fetch waits while a
 * later Metadata is answered), so each request gets a slot in a queue and responses leave strictly
 * in request order, as the protocol requires. A response leaves as a {@link ResponseFrame}, size
 * prefix included, whose Fetch records are file regions: a frame dropped instead of written (the
 * connection failed) is released, or its segment files would stay open.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaConnection.class);
  private static final ListenerName LISTENER = ListenerName.forSecurityProtocol(SecurityProtocol.PLAINTEXT);
  /** Stop reading from a client that has this many requests unanswered; resume as they drain. */
  private static final int MAX_PENDING = 100;

  private final KafkaApis apis;
  private final SerialExecutor serial;
  /** Touched only on the channel's event loop. */
  private final ArrayDeque<CompletableFuture<ResponseFrame>> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private String connectionId;

  KafkaConnection(KafkaApis apis, Executor executor) {
    this.apis = apis;
    this.serial = new SerialExecutor(executor);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    this.connectionId = ctx.channel().localAddress() + "-" + ctx.channel().remoteAddress();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    ByteBuffer buffer = requestBytes(frame);
    RequestContext context;
    try {
      RequestHeader header = RequestHeader.parse(buffer);
      InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
      context = new RequestContext(header, connectionId, remote.getAddress(), java.util.Optional.of(remote.getPort()),
          KafkaPrincipal.ANONYMOUS, LISTENER, SecurityProtocol.PLAINTEXT, ClientInformation.EMPTY, false);
    } catch (RuntimeException e) {
      // Without a header there is no correlation id to answer with; Kafka closes too.
      LOG.info("Closing {}: unreadable request header ({})", connectionId, e.getMessage());
      frame.release();
      ctx.close();
      return;
    }
    CompletableFuture<ResponseFrame> slot = new CompletableFuture<>();
    pending.addLast(slot);
    if (pending.size() >= MAX_PENDING) {
      ctx.channel().config().setAutoRead(false);
    }
    slot.whenComplete((response, error) -> {
      // the answer is encoded by now, so nothing reads the request's bytes any more
      frame.release();
      ctx.executor().execute(this::drain);
    });
    serial.execute(() -> handle(context, buffer, slot));
  }

  /**
   * The frame's bytes for parsing, not copied: a Produce request's record batches are slices of
   * this buffer, checked and written to the log from it (from the pooled direct memory the bytes
   * arrived in, which a file write takes without another copy). So the frame is released only
   * when the request is answered. A frame in several pieces (not from Netty's default
   * cumulator) is copied once.
   */
  private static ByteBuffer requestBytes(ByteBuf frame) {
    if (frame.nioBufferCount() == 1) {
      return frame.nioBuffer();
    }
    ByteBuffer copy = ByteBuffer.allocate(frame.readableBytes());
    frame.getBytes(frame.readerIndex(), copy);
    return copy.flip();
  }

  private void handle(RequestContext context, ByteBuffer buffer, CompletableFuture<ResponseFrame> slot) {
    AbstractRequest request;
    try {
      request = context.parseRequest(buffer).request;
    } catch (RuntimeException e) {
      LOG.info("Closing {}: cannot parse {} v{} ({})", connectionId, context.header.apiKey(),
          context.header.apiVersion(), e.getMessage());
      slot.completeExceptionally(e);
      return;
    }
    CompletableFuture<AbstractResponse> response;
    try {
      response = apis.handle(context, request);
    } catch (RuntimeException e) {
      response = CompletableFuture.completedFuture(request.getErrorResponse(e));
    }
    response.whenComplete((r, error) -> {
      try {
        AbstractResponse answer = error != null ? request.getErrorResponse(error) : r;
        slot.complete(answer == null ? null : ResponseFrame.of(context, answer));
      } catch (IOException | RuntimeException e) {
        LOG.warn("Closing {}: cannot write the {} v{} response ({})", connectionId, context.header.apiKey(),
            context.apiVersion(), e.toString());
        slot.completeExceptionally(e);
      }
    });
  }

  private void drain() {
    boolean wrote = false;
    while (!pending.isEmpty() && pending.peekFirst().isDone()) {
      CompletableFuture<ResponseFrame> slot = pending.pollFirst();
      if (slot.isCompletedExceptionally()) {
        ctx.close();
        // answers still to come, or done but behind this one, hold file regions: drop them
        for (CompletableFuture<ResponseFrame> dropped : pending) {
          dropped.thenAccept(frame -> {
            if (frame != null) {
              frame.release();
            }
          });
        }
        pending.clear();
        return;
      }
      ResponseFrame frame = slot.join();
      if (frame != null) {
        frame.writeTo(ctx);
        wrote = true;
      }
    }
    if (wrote) {
      ctx.flush();
    }
    if (pending.size() < MAX_PENDING / 2 && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      LOG.info("Closing {}: {}", connectionId, cause.getMessage());
    } else if (!(cause instanceof java.io.IOException)) {
      LOG.warn("Closing {}: {}", connectionId, cause.toString());
    }
    ctx.close();
  }

  /** Runs tasks one after another, in submission order, on a shared executor. */
  static final class SerialExecutor implements Executor {
    private final Executor executor;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor executor) {
      this.executor = executor;
    }

    @Override
    public synchronized void execute(Runnable task) {
      tasks.addLast(task);
      if (!running) {
        running = true;
        executor.execute(this::runNext);
      }
    }

    private void runNext() {
      Runnable task;
      synchronized (this) {
        task = tasks.pollFirst();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("Request task failed: {}", e.toString());
      } finally {
        executor.execute(this::runNext);
      }
    }
  }
}
