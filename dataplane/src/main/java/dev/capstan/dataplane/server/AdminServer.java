package dev.capstan.dataplane.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The admin endpoint of a data-plane server: {@code GET /health} and {@code /healthz} (liveness:
 * 200 or 503 with the reason), {@code GET /readyz} (readiness, the same as /health unless the
 * server says otherwise), {@code GET /metrics} (Prometheus text) and {@code GET /status} (the
 * server's state as JSON).
 * Probes and Prometheus scrape it; it is never on the data path.
 */
public final class AdminServer implements AutoCloseable {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What {@code /health} answers. */
  public record Health(boolean healthy, String detail) {
    public static Health ok() {
      return new Health(true, "ok");
    }

    public static Health unhealthy(String why) {
      return new Health(false, why);
    }
  }

  private final Channel channel;

  private AdminServer(Channel channel) {
    this.channel = channel;
  }

  /**
   * Binds {@code host:port} (port 0: any free port) on {@code loops}.
   *
   * @param status the state {@code /status} renders with Jackson; evaluated per request
   */
  public static AdminServer start(
      EventLoops loops,
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<Health> health,
      Supplier<?> status)
      throws InterruptedException {
    return start(loops, host, port, registry, health, health, status);
  }

  /**
   * As {@link #start(EventLoops, String, int, PrometheusMeterRegistry, Supplier, Supplier)}, for a
   * server whose readiness ({@code /readyz}) means more than being alive ({@code /health}).
   */
  public static AdminServer start(
      EventLoops loops,
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<Health> health,
      Supplier<Health> ready,
      Supplier<?> status)
      throws InterruptedException {
    Channel channel =
        new ServerBootstrap()
            .group(loops.group())
            .channel(loops.serverChannel())
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Handler(registry, health, ready, status));
                  }
                })
            .bind(host, port)
            .sync()
            .channel();
    return new AdminServer(channel);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final PrometheusMeterRegistry registry;
    private final Supplier<Health> health;
    private final Supplier<Health> ready;
    private final Supplier<?> status;

    Handler(PrometheusMeterRegistry registry, Supplier<Health> health, Supplier<Health> ready, Supplier<?> status) {
      this.registry = registry;
      this.health = health;
      this.ready = ready;
      this.status = status;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response;
      if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
        response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
      } else {
        response =
            switch (path) {
              case "/health", "/healthz" -> health(health.get());
              case "/readyz" -> health(ready.get());
              case "/metrics" -> {
                FullHttpResponse r = text(HttpResponseStatus.OK, registry.scrape());
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                yield r;
              }
              case "/status" -> json(status.get());
              default -> text(HttpResponseStatus.NOT_FOUND, "not found; try /health, /metrics or /status\n");
            };
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var future = ctx.writeAndFlush(response);
      if (!keepAlive) {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse health(Health h) {
      return text(h.healthy() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, h.detail() + "\n");
    }

    private static FullHttpResponse json(Object value) {
      try {
        FullHttpResponse r =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(JSON.writeValueAsBytes(value)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
      } catch (JsonProcessingException e) {
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "status not renderable: " + e.getOriginalMessage() + "\n");
      }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      HttpUtil.setContentLength(r, r.content().readableBytes());
      return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
