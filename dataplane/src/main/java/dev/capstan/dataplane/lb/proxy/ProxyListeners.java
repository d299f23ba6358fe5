package dev.capstan.dataplane.lb.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/** The pipelines of accepted client connections, the one entry point into this package. */
public final class ProxyListeners {

  private ProxyListeners() {}

  /** For an HTTP (L7) listener. */
  public static ChannelInitializer<Channel> http(ProxyContext px) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast("idle", new IdleTimeout(px.settings().idleTimeoutNanos()))
            // No HTTP codec: requests and responses pass as bytes (RequestHead, ResponseHead).
            .addLast("http", new RequestFramer())
            .addLast("proxy", new HttpProxyHandler(px));
      }
    };
  }

  /** For a TCP (L4) listener; accept with AUTO_READ off and ALLOW_HALF_CLOSURE on. */
  public static ChannelInitializer<Channel> tcp(ProxyContext px, Class<? extends Channel> clientChannel) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast("idle", new IdleTimeout(px.settings().idleTimeoutNanos()))
            .addLast("proxy", new TcpProxyHandler(px, clientChannel));
      }
    };
  }

  /** At shutdown: closes the connection now if no request is in flight on it. */
  public static void closeIfIdle(Channel ch) {
    ch.eventLoop().execute(() -> {
      ChannelPipeline p = ch.pipeline();
      HttpProxyHandler h = p.get(HttpProxyHandler.class);
      if (h != null) {
        h.closeIfIdle();
      }
    });
  }
}
