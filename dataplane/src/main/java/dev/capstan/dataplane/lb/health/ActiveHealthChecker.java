package dev.capstan.dataplane.lb.health;

import dev.capstan.api.lb.HealthCheck;
import dev.capstan.dataplane.lb.LbSettings;
import dev.capstan.dataplane.lb.pool.Member;
import dev.capstan.dataplane.lb.pool.ServerPool;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.net.ConnectException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Probes every server of the pool every interval, all at once, on one event loop: an HTTP GET
 * of the configured path (healthy when the status is expected) or a TCP connect. Results go to
 * {@link ServerPool#probe}, which applies rise and fall.
 */
public final class ActiveHealthChecker implements AutoCloseable {

  private final ServerPool pool;
  private final EventLoop loop;
  private final Class<? extends Channel> channelClass;
  private ScheduledFuture<?> schedule;
  private LbSettings.ActiveCheck scheduled;

  public ActiveHealthChecker(ServerPool pool, EventLoop loop, Class<? extends Channel> channelClass) {
    this.pool = pool;
    this.loop = loop;
    this.channelClass = channelClass;
  }

  /** (Re)starts probing as the pool's settings say; stops when they have no active check. */
  public synchronized void apply() {
    LbSettings.ActiveCheck check = pool.settings().activeCheck();
    if (check != null && check.equals(scheduled)) {
      return;
    }
    if (schedule != null) {
      schedule.cancel(false);
      schedule = null;
    }
    scheduled = check;
    if (check != null) {
      schedule = loop.scheduleWithFixedDelay(
          this::probeAll, 0, check.intervalNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void probeAll() {
    LbSettings.ActiveCheck check = pool.settings().activeCheck();
    if (check == null) {
      return;
    }
    for (Member m : pool.members()) {
      probe(m, check, (ok, detail) -> pool.probe(m, ok, detail));
    }
  }

  /** One probe; {@code result} gets (healthy, why not) exactly once, on the loop. */
  void probe(Member m, LbSettings.ActiveCheck check, BiConsumer<Boolean, String> result) {
    boolean[] done = new boolean[1];
    BiConsumer<Boolean, String> once = (ok, detail) -> {
      if (!done[0]) {
        done[0] = true;
        result.accept(ok, detail);
      }
    };
    boolean http = check.type() == HealthCheck.Active.Type.HTTP;
    long timeoutMillis = Math.max(1, check.timeoutNanos() / 1_000_000);
    ChannelFuture connect = new Bootstrap()
        .group(loop)
        .channel(channelClass)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (http) {
              ch.pipeline().addLast(new HttpClientCodec()).addLast(new SimpleChannelInboundHandler<HttpObject>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                  if (msg instanceof HttpResponse r) {
                    int status = r.status().code();
                    once.accept(check.expects(status), "status " + status);
                    ctx.close();
                  }
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                  once.accept(false, "closed without a response");
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                  once.accept(false, describe(cause));
                  ctx.close();
                }
              });
            }
          }
        })
        .connect(m.server().host(), m.server().port());
    connect.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        once.accept(false, describe(f.cause()));
        return;
      }
      if (!http) {
        once.accept(true, null);
        f.channel().close();
        return;
      }
      FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path());
      get.headers().set(HttpHeaderNames.HOST, m.address());
      get.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      get.headers().set(HttpHeaderNames.USER_AGENT, "capstan-lb-health-check");
      f.channel().writeAndFlush(get);
    });
    loop.schedule(() -> {
      once.accept(false, "timed out after " + timeoutMillis + "ms");
      connect.channel().close();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private static String describe(Throwable cause) {
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      return "connect timed out";
    }
    if (cause instanceof ConnectException) {
      return "connect refused";
    }
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }

  @Override
  public synchronized void close() {
    if (schedule != null) {
      schedule.cancel(false);
      schedule = null;
    }
  }
}
