package dev.capstan.dataplane.lb.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a connection to a server: hands what the server sends (the messages of
 * {@link ResponseFramer}) to the exchange using the connection, and closes the connection when
 * it idles in the pool.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

  /** What a connection to a server reports to the exchange that uses it. */
  interface Listener {
    void backendRead(Object msg);

    void backendReadComplete();

    void backendClosed(String why);

    void backendWritable(boolean writable);
  }

  private final ResponseFramer framer;
  private Listener listener;

  BackendHandler(ResponseFramer framer) {
    this.framer = framer;
  }

  /** What splits this connection's responses; told before each request whether it is HEAD. */
  ResponseFramer framer() {
    return framer;
  }

  void attach(Listener l) {
    listener = l;
  }

  void detach() {
    listener = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (listener != null) {
      listener.backendRead(msg);
    } else {
      // A server speaking out of turn on an idle connection: it cannot be trusted any more.
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.backendReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.backendClosed("connection closed by server");
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.backendWritable(ctx.channel().isWritable());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && listener == null) {
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Listener l = listener;
    listener = null;
    ctx.close();
    if (l != null) {
      l.backendClosed(describe(cause));
    }
  }

  static String describe(Throwable cause) {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }
}
