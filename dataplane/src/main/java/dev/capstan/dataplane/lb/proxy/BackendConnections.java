package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.pool.Member;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keep-alive HTTP connections to servers, pooled per event loop and server: a request is sent on
 * a connection of the client's own event loop, so a proxied exchange never crosses threads (as
 * nginx and Envoy workers do), and the pool needs no locks.
 */
final class BackendConnections {

  private final EventLoopGroup group;
  private final Class<? extends Channel> channelClass;
  private final LongSupplier connectTimeoutMillis;
  private final LongSupplier idleTimeoutNanos;
  private final FastThreadLocal<Map<Member, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
    @Override
    protected Map<Member, ArrayDeque<Channel>> initialValue() {
      return new HashMap<>();
    }
  };

  BackendConnections(EventLoopGroup group, Class<? extends Channel> channelClass,
      LongSupplier connectTimeoutMillis, LongSupplier idleTimeoutNanos) {
    this.group = group;
    this.channelClass = channelClass;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  /** An idle pooled connection to {@code m} on {@code loop}, or null; call on {@code loop}. */
  Channel pooled(EventLoop loop, Member m) {
    ArrayDeque<Channel> q = idle.get().get(m);
    while (q != null && !q.isEmpty()) {
      Channel ch = q.pollLast(); // the most recently used is the least likely to be closed
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** Connects to {@code m} on {@code loop}; the channel's last handler is a {@link BackendHandler}. */
  ChannelFuture connect(EventLoop loop, Member m) {
    return new Bootstrap()
        .group(loop)
        .channel(channelClass)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis.getAsLong()))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ResponseFramer framer = new ResponseFramer();
            ch.pipeline()
                .addLast("idle", new IdleTimeout(idleTimeoutNanos.getAsLong()))
                .addLast("response", framer)
                .addLast("backend", new BackendHandler(framer));
            // Runs on this loop, whose pool map idle.get() is.
            ch.closeFuture().addListener(f -> {
              ArrayDeque<Channel> q = idle.get().get(m);
              if (q != null) {
                q.remove(ch);
              }
            });
          }
        })
        .connect(m.server().host(), m.server().port());
  }

  /** A connection whose exchange ended cleanly goes back to the pool; call on its loop. */
  void release(Channel ch, Member m) {
    if (m.removed() || !ch.isActive()) {
      ch.close();
      return;
    }
    ArrayDeque<Channel> q = idle.get().computeIfAbsent(m, k -> new ArrayDeque<>());
    q.addLast(ch);
  }

  /** Closes the idle connections to a member that left the pool, on every loop. */
  void closeIdle(Member m) {
    for (EventExecutor loop : group) {
      loop.execute(() -> {
        ArrayDeque<Channel> q = idle.get().remove(m);
        if (q != null) {
          q.forEach(Channel::close);
        }
      });
    }
  }
}
