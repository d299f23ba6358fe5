package dev.capstan.dataplane.lb.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * One direction of a byte splice between two channels on the same event loop: what one side
 * reads the other writes. Reading stops while the other side cannot take more (backpressure), a
 * half-close is passed on as a half-close, and either side's end closes both.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

  private final Channel peer;
  private final Runnable onClose;

  /** @param onClose run once when this side closes (counts, metrics); may be a no-op */
  Tunnel(Channel peer, Runnable onClose) {
    this.peer = peer;
    this.onClose = onClose;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    peer.write(msg, peer.voidPromise());
    if (!peer.isWritable()) {
      autoRead(ctx.channel(), false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // We drained: the peer, which was paused because we could not take more, may read again.
    if (peer.isActive()) {
      autoRead(peer, ctx.channel().isWritable());
    }
  }

  /**
   * Turns reading on or off, unless the channel's input is already shut down: there is nothing
   * left to read then, and Netty 4.2.18's epoll transport fails the change (epoll_ctl: ENOENT,
   * see LbServer.start), which closed both connections with the other direction's bytes still
   * in flight.
   */
  static void autoRead(Channel ch, boolean on) {
    if (ch instanceof DuplexChannel d && d.isInputShutdown()) {
      return;
    }
    ch.config().setAutoRead(on);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && peer instanceof DuplexChannel p) {
      p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f ->
          p.shutdownOutput().addListener(s -> {
            if (p.isInputShutdown()) {
              p.close();
            }
          }));
      if (ctx.channel() instanceof DuplexChannel self && self.isOutputShutdown()) {
        ctx.close();
      }
    } else if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    onClose.run();
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
