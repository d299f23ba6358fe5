package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.balancing.Request;
import dev.capstan.dataplane.lb.pool.Member;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * One client connection of a TCP listener: the balancer picks a server per connection (active
 * connections are the load), a connection that fails goes to another server, and then the two
 * connections are spliced by {@link Tunnel}s. Accepted connections do not read until then.
 */
final class TcpProxyHandler extends ChannelInboundHandlerAdapter {

  private final ProxyContext px;
  private final Class<? extends Channel> channelClass;
  private final Set<Member> tried = new HashSet<>(4);
  private Request request;
  private boolean closed;
  private final java.util.List<Object> early = new java.util.ArrayList<>(0);
  private boolean inputShutdownEarly;

  TcpProxyHandler(ProxyContext px, Class<? extends Channel> channelClass) {
    this.px = px;
    this.channelClass = channelClass;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    px.opened(ctx.channel());
    request = Request.ofClient(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
    choose(ctx);
  }

  private void choose(ChannelHandlerContext ctx) {
    Member m = px.pool.pick(request, tried).orElse(null);
    if (m == null) {
      ctx.close(); // no server: a TCP client can only be told by the close
      return;
    }
    tried.add(m);
    Channel client = ctx.channel();
    new Bootstrap()
        .group(client.eventLoop())
        .channel(channelClass)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, px.settings().connectTimeoutMillis()))
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("idle",
                new IdleTimeout(px.settings().idleTimeoutNanos()));
          }
        })
        .connect(m.server().host(), m.server().port())
        .addListener((ChannelFuture f) -> {
          if (closed) {
            f.channel().close();
          } else if (f.isSuccess()) {
            splice(ctx, f.channel(), m);
          } else {
            px.pool.failure(m, "connect: " + BackendHandler.describe(f.cause()));
            choose(ctx);
          }
        });
  }

  private void splice(ChannelHandlerContext ctx, Channel server, Member m) {
    m.load().begin();
    m.countRequest();
    px.countConnection(m);
    Channel client = ctx.channel();
    server.pipeline().addLast("tunnel", new Tunnel(client, () -> m.load().end()));
    ctx.pipeline().replace(this, "tunnel", new Tunnel(server, px::closed));
    writeProxyHeader(server, client);
    for (Object msg : early) {
      server.write(msg, server.voidPromise());
    }
    early.clear();
    server.flush();
    if (inputShutdownEarly) {
      client.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
    }
    Tunnel.autoRead(server, true);
    Tunnel.autoRead(client, true);
  }

  /**
   * The PROXY header, when the listener sends one, goes first. The setting is read per
   * connection, so a reload applies it to the next one. The encoder is in the pipeline only for
   * this write (the event loop runs it synchronously), so spliced bytes never pass it.
   */
  private void writeProxyHeader(Channel server, Channel client) {
    HAProxyMessage header =
        ProxyHeaders.of(px.settings().proxyProtocol(), client.remoteAddress(), client.localAddress());
    if (header != null) {
      server.pipeline().addLast("proxy-protocol", HAProxyMessageEncoder.INSTANCE);
      server.write(header, server.voidPromise());
      server.pipeline().remove("proxy-protocol");
    }
  }

  /**
   * Reading is off until the splice, but a client's FIN makes the transport read what is
   * there anyway: it is kept and sent first.
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    early.add(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      inputShutdownEarly = true;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    early.forEach(io.netty.util.ReferenceCountUtil::release);
    early.clear();
    px.closed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
