package dev.capstan.dataplane.tsdb.http;

import dev.capstan.dataplane.server.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty edge of {@link InfluxApi}: HTTP/1.1 with keep-alive, bodies collected up to the
 * size limit (the rest of a too-large body is read and discarded so the connection stays
 * usable), and every request handed to a bounded pool of workers so a slow query or an fsync
 * never stalls the event loop. A connection reads its next request only after answering the
 * current one, which keeps pipelined answers in order and pushes back on a client that sends
 * faster than the store writes.
 */
public final class InfluxHttpServer implements AutoCloseable {

  /** Go's http.Server allows 1 MB of request line and headers; long GET queries rely on it. */
  private static final int MAX_HEAD = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(InfluxHttpServer.class);

  private final Channel channel;
  private final ThreadPoolExecutor workers;

  private InfluxHttpServer(Channel channel, ThreadPoolExecutor workers) {
    this.channel = channel;
    this.workers = workers;
  }

  /** Binds {@code host:port} (port 0: any free port) on {@code loops}. */
  public static InfluxHttpServer start(EventLoops loops, String host, int port, InfluxApi api)
      throws InterruptedException {
    HttpOptions options = api.options();
    AtomicInteger threadIds = new AtomicInteger();
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            options.workerThreads(),
            options.workerThreads(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(options.workQueue()),
            r -> {
              Thread t = new Thread(r, "tsdb-http-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      Channel channel =
          new ServerBootstrap()
              .group(loops.group())
              .channel(loops.serverChannel())
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec(MAX_HEAD, MAX_HEAD, 64 * 1024))
                          .addLast(new HttpServerExpectContinueHandler())
                          .addLast(new Exchange(api, workers, options.maxBodySize()));
                    }
                  })
              .bind(host, port)
              .sync()
              .channel();
      return new InfluxHttpServer(channel, workers);
    } catch (InterruptedException | RuntimeException e) {
      workers.shutdownNow();
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops accepting, then lets requests in flight finish for up to five seconds. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One connection's request in progress: collects the body, then runs the API on a worker. */
  private static final class Exchange extends ChannelInboundHandlerAdapter {
    private static final DateTimeFormatter HTTP_DATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final InfluxApi api;
    private final ThreadPoolExecutor workers;
    private final int maxBodySize;

    private HttpRequest request;
    private ByteArrayOutputStream body;
    private boolean tooLarge;
    /** A request is with a worker; touched only on the event loop. */
    private boolean busy;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();

    private record Pending(HttpRequest head, ApiRequest request, boolean keepAlive) {}

    Exchange(InfluxApi api, ThreadPoolExecutor workers, int maxBodySize) {
      this.api = api;
      this.workers = workers;
      this.maxBodySize = maxBodySize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest head) {
          if (head.decoderResult().isFailure()) {
            Throwable cause = head.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongFrameException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
            // The stream cannot be trusted after a malformed head: answer and hang up, as Go does.
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(status.code() + " " + status.reasonPhrase(), StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            request = null;
            return;
          }
          request = head;
          long declared = HttpUtil.getContentLength(head, -1L);
          tooLarge = declared > maxBodySize;
          body = new ByteArrayOutputStream(tooLarge ? 0 : (int) Math.max(0, Math.min(declared, 1 << 20)));
        }
        if (msg instanceof HttpContent content && request != null) {
          ByteBuf data = content.content();
          if (!tooLarge) {
            if (body.size() + data.readableBytes() > maxBodySize) {
              tooLarge = true;
              body = new ByteArrayOutputStream(0);
            } else {
              data.readBytes(body, data.readableBytes());
            }
          }
          if (content instanceof LastHttpContent) {
            dispatch(ctx);
          }
        }
      } catch (java.io.IOException e) {
        ctx.close(); // readBytes into memory does not fail; nothing sensible is left to answer
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void dispatch(ChannelHandlerContext ctx) {
      HttpRequest head = request;
      Pending next = new Pending(head, toApiRequest(head, body.toByteArray(), tooLarge), HttpUtil.isKeepAlive(head));
      request = null;
      body = null;
      // The decoder hands over every request already in the read buffer even with auto-read
      // off; pipelined ones wait here so that answers leave in request order.
      ctx.channel().config().setAutoRead(false);
      if (busy) {
        waiting.add(next);
      } else {
        run(ctx, next);
      }
    }

    private void run(ChannelHandlerContext ctx, Pending p) {
      busy = true;
      try {
        workers.execute(() -> respond(ctx, p, api.handle(p.request())));
      } catch (RejectedExecutionException e) {
        Map<String, String> headers = Map.of("Content-Type", "application/json");
        respond(ctx, p, new ApiResponse(503, headers,
            Json.error("server is busy: too many requests in progress; retry later").getBytes(StandardCharsets.UTF_8)));
      }
    }

    /** Runs on the event loop once an answer is written. */
    private void answered(ChannelHandlerContext ctx, Pending p, boolean written) {
      busy = false;
      if (!p.keepAlive() || !written) {
        waiting.clear();
        ctx.close();
      } else if (!waiting.isEmpty()) {
        run(ctx, waiting.poll());
      } else {
        ctx.channel().config().setAutoRead(true);
        ctx.read();
      }
    }

    private static ApiRequest toApiRequest(HttpRequest head, byte[] body, boolean tooLarge) {
      QueryStringDecoder uri = new QueryStringDecoder(head.uri());
      Map<String, String> headers = new HashMap<>();
      head.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      Map<String, List<String>> form = Map.of();
      String type = headers.get("content-type");
      if (!head.uri().startsWith("/write") && type != null
          && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        form = new QueryStringDecoder(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
            .parameters();
      }
      return new ApiRequest(head.method().name(), uri.path(), uri.parameters(), form, headers, body, tooLarge);
    }

    private void respond(ChannelHandlerContext ctx, Pending p, ApiResponse answer) {
      FullHttpResponse r;
      try {
        r = toNetty(p.head(), p.keepAlive(), answer);
      } catch (RuntimeException e) {
        // Never leave a client waiting: a response Netty refuses becomes a bare 500.
        LOG.error("Cannot send the answer to {} {}", p.head().method(), p.head().uri(), e);
        r = toNetty(p.head(), p.keepAlive(), new ApiResponse(500, Map.of("Content-Type", "application/json"),
            Json.error("internal error").getBytes(StandardCharsets.UTF_8)));
      }
      ctx.writeAndFlush(r).addListener((ChannelFutureListener) future -> answered(ctx, p, future.isSuccess()));
    }

    private static FullHttpResponse toNetty(HttpRequest head, boolean keepAlive, ApiResponse answer) {
      HttpResponseStatus status = HttpResponseStatus.valueOf(answer.status());
      boolean withBody = answer.status() != 204 && !HttpMethod.HEAD.equals(head.method());
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          withBody ? Unpooled.wrappedBuffer(answer.body()) : Unpooled.EMPTY_BUFFER);
      answer.headers().forEach((name, value) -> r.headers().set(name, headerValue(value)));
      r.headers().set(HttpHeaderNames.DATE, HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
      if (answer.status() != 204) {
        HttpUtil.setContentLength(r, withBody ? answer.body().length : 0);
      }
      HttpUtil.setKeepAlive(r, keepAlive);
      return r;
    }

    /**
     * A header value as Go writes it: UTF-8 bytes as they are (Netty writes each char as one
     * byte, so the chars become the UTF-8 bytes) and control characters as spaces.
     */
    static String headerValue(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < utf8.length; i++) {
        if ((utf8[i] >= 0 && utf8[i] < 0x20 && utf8[i] != '\t') || utf8[i] == 0x7f) {
          utf8[i] = ' ';
        }
      }
      return new String(utf8, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a reset or a broken stream: the client is gone or confused either way
    }
  }
}
