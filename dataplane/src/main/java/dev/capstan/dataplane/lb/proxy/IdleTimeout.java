package dev.capstan.dataplane.lb.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a connection has neither read nor
 * flushed anything for the timeout, as Netty's IdleStateHandler(0, 0, timeout) does, but
 * without its cost on the request path: IdleStateHandler turns every write's void promise into
 * a new real one and adds a listener to it (an allocation and a completion callback per
 * message, on both sides of the proxy). Here activity is a timestamp taken once per read batch and once per
 * flush, and one scheduled check per connection re-arms itself for the remaining time.
 */
final class IdleTimeout extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  private long lastActivity;
  private boolean reading;
  private Future<?> check;

  IdleTimeout(long timeoutNanos) {
    this(timeoutNanos, System::nanoTime);
  }

  /** @param nanoClock the clock of the channel's event loop (tests: the embedded loop's) */
  IdleTimeout(long timeoutNanos, LongSupplier nanoClock) {
    this.timeoutNanos = Math.max(1, timeoutNanos);
    this.nanoClock = nanoClock;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      start(ctx);
    }
  }

  @Override
  public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
    super.channelRegistered(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (reading) {
      reading = false;
      lastActivity = nanoClock.getAsLong();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    lastActivity = nanoClock.getAsLong();
    ctx.flush();
  }

  private void start(ChannelHandlerContext ctx) {
    if (check != null) {
      return;
    }
    lastActivity = nanoClock.getAsLong();
    schedule(ctx, timeoutNanos);
  }

  private void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    check = ctx.executor().schedule(() -> run(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void run(ChannelHandlerContext ctx) {
    if (check == null || !ctx.channel().isOpen()) {
      return;
    }
    long left = timeoutNanos - (nanoClock.getAsLong() - lastActivity);
    if (reading || left > 0) {
      // A read in progress counts as activity, as it does for IdleStateHandler.
      schedule(ctx, reading ? timeoutNanos : left);
      return;
    }
    // Re-armed before firing, as IdleStateHandler does: a handler that keeps the connection
    // (one with an exchange in flight) is asked again after another timeout.
    lastActivity = nanoClock.getAsLong();
    schedule(ctx, timeoutNanos);
    ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }
}
