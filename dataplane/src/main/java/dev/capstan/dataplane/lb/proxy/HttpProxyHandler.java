package dev.capstan.dataplane.lb.proxy;

import dev.capstan.api.lb.LeastTime;
import dev.capstan.dataplane.lb.LbSettings;
import dev.capstan.dataplane.lb.balancing.Request;
import dev.capstan.dataplane.lb.pool.Member;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of an HTTP listener: each request goes to the server the balancer
 * picks, over a pooled keep-alive connection on this connection's event loop, with bodies
 * streamed both ways (reading stops while the other side cannot take more). Requests are
 * handled one at a time; pipelined ones wait in order.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {

  /** Idempotent requests with bodies up to this size are kept for a retry after a partial send. */
  private static final long MAX_RETRY_BODY = 64 * 1024;

  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD,
      HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

  /** Hop-by-hop headers (RFC 9110 7.6.1), which describe one connection and are not passed on. */
  private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
      HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE,
      HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHORIZATION);

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final int CRLF_SHORT = '\r' << 8 | '\n';
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING_CHUNKED =
      "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION_KEEP_ALIVE =
      "connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ProxyContext px;
  /** The balancer's view of requests without a hash key from this peer, shared: it is immutable. */
  private Request peerRequest;
  private ChannelHandlerContext ctx;
  private String peer;
  private byte[] peerBytes;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private Exchange exchange;
  private boolean closed;
  private ScheduledFuture<?> responseTimer;
  private long responseTimerAt;

  HttpProxyHandler(ProxyContext px) {
    this.px = px;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    peerBytes = remote.getAddress().getAddress();
    peer = remote.getAddress().getHostAddress();
    px.opened(ctx.channel());
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
    } else if (!queued.isEmpty() || (exchange != null && exchange.requestDone)) {
      // A pipelined request: it waits until the response before it is written.
      queued.add(msg);
      updateAutoRead();
    } else {
      inClientRead = true;
      try {
        dispatch(msg);
      } finally {
        inClientRead = false;
      }
    }
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest request) {
      if (request.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        answer(HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
        return;
      }
      exchange = new Exchange(request);
      exchange.start();
    }
    if (msg instanceof HttpContent content) {
      if (exchange != null) {
        exchange.requestContent(content);
      } else {
        content.release(); // the rest of a request that was already answered
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null && exchange.backend != null) {
      exchange.backend.flush();
    }
  }

  /** True while a client read is being handled: its read-complete will flush the server. */
  private boolean inClientRead;

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null && exchange.backend != null) {
      exchange.backend.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (exchange == null) {
        ctx.close();
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
    if (exchange != null) {
      exchange.abort();
      exchange = null;
    }
    queued.forEach(ReferenceCountUtil::release);
    queued.clear();
    px.closed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** Closes the connection if it is between requests; for a drain at shutdown. */
  void closeIfIdle() {
    if (exchange == null && queued.isEmpty()) {
      ctx.close();
    }
  }

  private void updateAutoRead() {
    boolean read;
    if (!queued.isEmpty()) {
      read = false;
    } else if (exchange == null) {
      read = true;
    } else if (exchange.upgrade) {
      read = false; // until the server has switched protocols, there is nothing to read
    } else if (exchange.requestDone) {
      read = true;
    } else {
      read = exchange.backend != null && exchange.backend.isWritable();
    }
    setAutoRead(ctx.channel(), read);
  }

  /**
   * Called several times per request, almost always with the value already set: a volatile read
   * then, instead of the atomic swap a set does even when nothing changes.
   */
  private static void setAutoRead(Channel ch, boolean read) {
    if (ch.config().isAutoRead() != read) {
      ch.config().setAutoRead(read);
    }
  }

  private void next() {
    exchange = null;
    while (exchange == null && !queued.isEmpty() && !closed) {
      dispatch(queued.poll());
      while (exchange != null && !exchange.requestDone && !queued.isEmpty()) {
        dispatch(queued.poll());
      }
    }
    if (exchange != null && exchange.backend != null) {
      exchange.backend.flush(); // no client read-complete follows a pipelined request
    }
    if (!closed) {
      updateAutoRead();
    }
  }

  /**
   * One response timer per connection rather than one scheduled task per request: scheduling
   * and cancelling a task for every request costs two priority-queue operations and a task
   * object, and almost every request is answered in time. The timer fires at the earliest
   * deadline it was armed for and re-arms itself if the exchange's deadline is later.
   */
  private void armResponseTimer(long deadline) {
    if (responseTimer != null) {
      if (responseTimerAt - deadline <= 0) {
        return; // fires first, then re-arms for this deadline
      }
      responseTimer.cancel(false); // a reload shortened the timeout
    }
    responseTimerAt = deadline;
    responseTimer = ctx.executor().schedule(this::responseTimerFired,
        Math.max(0, deadline - px.nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
  }

  private void responseTimerFired() {
    responseTimer = null;
    Exchange e = exchange;
    if (e == null || !e.timeoutArmed || closed) {
      return;
    }
    if (px.nanoClock.getAsLong() - e.responseDeadline < 0) {
      armResponseTimer(e.responseDeadline);
    } else {
      e.responseTimedOut();
    }
  }

  private static void detach(Channel backend) {
    // The last handler (see BackendConnections.connect): no walk of the pipeline by class.
    if (backend.pipeline().last() instanceof BackendHandler h) {
      h.detach();
    } else {
      BackendHandler h = backend.pipeline().get(BackendHandler.class);
      if (h != null) {
        h.detach();
      }
    }
  }

  private static void removeNamedIn(HttpHeaders h, String connectionValue) {
    if (connectionValue.indexOf(',') < 0) {
      removeNamed(h, connectionValue.trim());
      return;
    }
    for (String name : connectionValue.split(",")) {
      removeNamed(h, name.trim());
    }
  }

  /**
   * Removes a header the Connection header names, unless it frames the message or names its
   * host: without Content-Length or Transfer-Encoding the server would read the body as the
   * next request (one the client wrote, with its own X-Forwarded-For: request smuggling).
   * nginx does not remove headers named in Connection at all.
   */
  private static void removeNamed(HttpHeaders h, String name) {
    if (!name.isEmpty() && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
        && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
        && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
      h.remove(name);
    }
  }

  /** Removes the headers named in Connection and the hop-by-hop ones. */
  private static void removeHopByHop(HttpHeaders h) {
    // Values first, removals after: removing while iterating the headers is not safe.
    // Usually one value ("keep-alive"), so no list is made for it.
    String first = null;
    List<String> more = null;
    for (Iterator<String> it = h.valueStringIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
      String value = it.next();
      if (first == null) {
        first = value;
      } else {
        if (more == null) {
          more = new ArrayList<>(2);
        }
        more.add(value);
      }
    }
    if (first != null) {
      removeNamedIn(h, first);
    }
    if (more != null) {
      for (String value : more) {
        removeNamedIn(h, value);
      }
    }
    for (CharSequence name : HOP_BY_HOP) {
      h.remove(name);
    }
  }

  /** A response the balancer writes itself (no server, bad request). */
  private void answer(HttpResponseStatus status, String body, boolean keepAlive) {
    boolean keep = keepAlive && !px.draining();
    byte[] text = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + "\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: "
        + text.length + (keep ? "\r\n\r\n" : "\r\nconnection: close\r\n\r\n");
    ByteBuf r = ctx.alloc().buffer(head.length() + text.length);
    r.writeCharSequence(head, StandardCharsets.US_ASCII);
    r.writeBytes(text);
    px.countResponse(null, status.code());
    ChannelFuture f = ctx.writeAndFlush(r);
    if (!keep) {
      closed = true;
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** One request and its response. */
  private final class Exchange implements BackendHandler.Listener {
    final HttpRequest head;
    final boolean idempotent;
    final boolean clientKeepAlive;
    final boolean http10;
    /** Nothing follows the head but the (empty) end: a local answer may keep the connection. */
    final boolean noBody;
    final boolean upgrade;
    final LbSettings settings;
    final Request lbRequest;
    /** Made on first use: most requests are a head and the shared empty end. */
    List<HttpContent> body = List.of();
    /** The request ended with an empty last content, not kept in {@link #body}: sent again on a retry. */
    boolean bareEnd;
    /** Servers tried; immutable until a retry needs a second one, then a HashSet. */
    Set<Member> tried = Set.of();
    String stickyValue;
    boolean stickyFound;
    long bodyBytes;
    boolean bodyKept = true;
    boolean requestDone;
    Member member;
    Channel backend;
    boolean reused;
    boolean loadCounted;
    long sentAt;
    /** Armed while the response is awaited; checked by the connection's response timer. */
    boolean timeoutArmed;
    long responseDeadline;
    long responseTimeoutNanos;
    boolean responseStarted;
    boolean informational;
    boolean backendKeepAlive;
    boolean closeClientAfter;
    /** The server ends the body by closing; an HTTP/1.1 client gets it as chunks. */
    boolean wrapChunks;
    /** The server's response could not be framed: answered 502 and not retried, as nginx does. */
    boolean invalid;
    /** A try ended by the response timeout: if none is left, the answer is 504, not 502. */
    boolean timedOut;
    int status;
    boolean finished;

    Exchange(HttpRequest head) {
      this.head = head;
      this.settings = px.settings();
      this.idempotent = IDEMPOTENT.contains(head.method());
      this.clientKeepAlive = HttpUtil.isKeepAlive(head);
      this.http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
      this.noBody = !HttpUtil.isTransferEncodingChunked(head) && HttpUtil.getContentLength(head, 0L) == 0;
      HttpHeaders h = head.headers();
      // Only a WebSocket handshake (a GET without a body) is passed through. Other offers, such
      // as the h2c upgrade Java's HttpClient makes on its first request — often a POST with a
      // body — are dropped as hop-by-hop headers, as nginx does, and the request goes on as
      // HTTP/1.1; waiting for a 101 there would leave the body unread.
      // The Upgrade lookup first: one hash probe, where the Connection test splits its values.
      this.upgrade = noBody
          && HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(h.get(HttpHeaderNames.UPGRADE, ""))
          && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
      String incomingXff = h.get(X_FORWARDED_FOR);
      byte[] client = settings.algorithm() == dev.capstan.api.lb.LoadBalancerSpec.Algorithm.IPHash
          ? RequestKeys.clientAddress(peerBytes, incomingXff, settings.trustedProxies())
          : peerBytes;
      byte[] hashKey = RequestKeys.hashKey(settings.config().hashKey(), head);
      if (hashKey == null && client == peerBytes) {
        if (peerRequest == null) {
          peerRequest = new Request(null, peerBytes);
        }
        this.lbRequest = peerRequest;
      } else {
        this.lbRequest = new Request(hashKey, client);
      }
      if (settings.sessionCookie() != null) {
        stickyValue = RequestKeys.cookie(h, settings.sessionCookie().name());
      }
      CharSequence upgradeTo = upgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
      removeHopByHop(h);
      if (upgrade) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        h.set(HttpHeaderNames.UPGRADE, upgradeTo);
      }
      h.set(X_FORWARDED_FOR,
          RequestKeys.forwardedFor(peer, peerBytes, incomingXff, settings.trustedProxies()));
      if (!h.contains(X_FORWARDED_PROTO) || !Cidr.anyContains(settings.trustedProxies(), peerBytes)) {
        h.set(X_FORWARDED_PROTO, HTTP);
      }
      // HTTP/1.1 to servers whatever the client speaks, so server connections stay pooled.
      head.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    void start() {
      choose();
    }

    void choose() {
      Member m = null;
      if (stickyValue != null && !stickyFound) {
        m = px.pool.byCookie(stickyValue).filter(x -> !tried.contains(x)).orElse(null);
        stickyFound = m != null;
      }
      if (m == null) {
        m = px.pool.pick(lbRequest, tried).orElse(null);
      }
      if (m == null) {
        if (tried.isEmpty() && !timedOut) {
          fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy servers\n");
        } else if (timedOut) {
          fail(HttpResponseStatus.GATEWAY_TIMEOUT, "gateway timeout: no server answered in time\n");
        } else {
          fail(HttpResponseStatus.BAD_GATEWAY, "bad gateway: no server answered\n");
        }
        return;
      }
      member = m;
      addTried(m);
      Channel pooled = px.connections.pooled(ctx.channel().eventLoop(), m);
      if (pooled != null) {
        // Usually called while reading the client: its read-complete flushes head and end
        // together, one write to the server instead of two.
        attach(pooled, true, !inClientRead);
        return;
      }
      Member target = m;
      ctx.channel().config().setAutoRead(false); // until connected, so the buffer stays small
      px.connections.connect(ctx.channel().eventLoop(), m).addListener((ChannelFuture f) -> {
        if (finished || member != target) {
          if (f.isSuccess()) {
            f.channel().close();
          }
          return;
        }
        if (f.isSuccess()) {
          attach(f.channel(), false, true);
        } else {
          // Nothing was sent: any request may go to another server.
          px.pool.failure(target, "connect: " + BackendHandler.describe(f.cause()));
          member = null;
          choose();
        }
      });
    }

    void attach(Channel ch, boolean pooled, boolean flush) {
      backend = ch;
      reused = pooled;
      BackendHandler bh = ch.pipeline().last() instanceof BackendHandler last
          ? last : ch.pipeline().get(BackendHandler.class);
      bh.attach(this);
      bh.framer().expectResponseTo(HttpMethod.HEAD.equals(head.method()));
      member.load().begin();
      loadCounted = true;
      member.countRequest();
      sentAt = px.nanoClock.getAsLong();
      ch.write(head, ch.voidPromise());
      boolean keep = keepForRetry(0);
      if (!body.isEmpty()) { // no iterator made for the usual empty body
        for (HttpContent c : body) {
          ch.write(keep ? c.retainedDuplicate() : c, ch.voidPromise());
        }
      }
      if (bareEnd) {
        ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
      }
      if (!keep) {
        body = List.of();
        bodyKept = false;
      }
      if (flush) {
        ch.flush();
      }
      if (requestDone) {
        scheduleResponseTimeout();
      }
      setAutoRead(ch, ctx.channel().isWritable());
      updateAutoRead();
    }

    boolean keepForRetry(long more) {
      return bodyKept && idempotent && !responseStarted && bodyBytes + more <= MAX_RETRY_BODY;
    }

    void requestContent(HttpContent c) {
      boolean last = c instanceof LastHttpContent;
      long size = c.content().readableBytes();
      if (last && size == 0 && ((LastHttpContent) c).trailingHeaders().isEmpty()
          && (backend == null || keepForRetry(0))) {
        // The end of almost every request: remembered as a flag rather than kept in a list.
        bareEnd = true;
        if (backend == null) {
          c.release();
        } else {
          backend.write(c, backend.voidPromise());
        }
      } else if (backend == null) {
        keep(c); // connecting or between tries: everything is kept until it can be sent
        bodyBytes += size;
      } else if (keepForRetry(size)) {
        bodyBytes += size;
        keep(c);
        backend.write(c.retainedDuplicate(), backend.voidPromise());
      } else {
        bodyBytes += size;
        dropBody();
        backend.write(c, backend.voidPromise());
      }
      if (last) {
        requestDone = true;
        if (backend != null) {
          scheduleResponseTimeout();
        }
      }
      updateAutoRead();
    }

    void keep(HttpContent c) {
      if (body.isEmpty()) {
        body = new ArrayList<>(2);
      }
      body.add(c);
    }

    void dropBody() {
      if (!body.isEmpty()) {
        body.forEach(HttpContent::release);
        body = List.of();
      }
      bodyKept = false;
    }

    void addTried(Member m) {
      if (tried.isEmpty()) {
        tried = Set.of(m);
      } else if (!tried.contains(m)) {
        Set<Member> more = new HashSet<>(tried);
        more.add(m);
        tried = more;
      }
    }

    void removeTried(Member m) {
      if (tried.contains(m)) {
        Set<Member> fewer = new HashSet<>(tried);
        fewer.remove(m);
        tried = fewer;
      }
    }

    void scheduleResponseTimeout() {
      if (responseStarted || timeoutArmed) {
        return;
      }
      responseTimeoutNanos = settings.responseTimeoutNanos();
      responseDeadline = px.nanoClock.getAsLong() + responseTimeoutNanos;
      timeoutArmed = true;
      armResponseTimer(responseDeadline);
    }

    void cancelTimeout() {
      timeoutArmed = false; // the connection's timer, if it fires, finds nothing to do
    }

    void responseTimedOut() {
      timeoutArmed = false;
      if (!finished && !responseStarted && backend != null) {
        backendFailed("no response within " + responseTimeoutNanos / 1_000_000 + "ms", true);
      }
    }

    @Override
    public void backendRead(Object msg) {
      if (finished) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof ByteBuf body) {
        if (informational) {
          body.release(); // cannot happen: an interim response has no body
        } else if (wrapChunks) {
          writeChunk(body);
        } else {
          ctx.write(body, ctx.voidPromise());
        }
        if (!ctx.channel().isWritable()) {
          backend.config().setAutoRead(false);
        }
      } else if (msg == ResponseFramer.END) {
        if (informational) {
          informational = false; // the final response follows
        } else {
          if (wrapChunks) {
            ctx.write(Unpooled.wrappedBuffer(LAST_CHUNK), ctx.voidPromise());
          }
          complete();
        }
      } else if (msg instanceof ResponseHead r) {
        cancelTimeout();
        if (r.status() == 101 && !upgrade) {
          r.release(); // nothing reached the client: it gets a 502
          responseInvalid("101 Switching Protocols to a request without Upgrade");
          return;
        }
        if (!responseStarted) {
          responseStarted = true;
          dropBody(); // no retry once the client has seen a byte
        }
        status = r.status();
        if (status == 101) {
          switchProtocols(r);
          return;
        }
        informational = status < 200;
        if (!informational) {
          response(r);
        } else if (http10) {
          r.release(); // an HTTP/1.0 client does not expect an interim response (RFC 9110 15.2)
        } else {
          ctx.write(r.bytes(), ctx.voidPromise());
        }
      } else if (msg instanceof ResponseHead.InvalidResponse e) {
        responseInvalid(e.getMessage());
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    private void writeChunk(ByteBuf body) {
      int n = body.readableBytes();
      if (n == 0) {
        body.release(); // an empty chunk would be the last one
        return;
      }
      ByteBuf size = ctx.alloc().buffer(10);
      size.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
      size.writeShort(CRLF_SHORT);
      ctx.write(size, ctx.voidPromise());
      ctx.write(body, ctx.voidPromise());
      ctx.write(Unpooled.wrappedBuffer(CRLF), ctx.voidPromise());
    }

    private void responseInvalid(String why) {
      invalid = true;
      backendFailed("invalid response: " + why, false);
    }

    /** The head of the final response, passed on by copying all but the hop-by-hop lines. */
    private void response(ResponseHead r) {
      if (settings.leastTimeBasis() == LeastTime.Basis.FirstByte) {
        long now = px.nanoClock.getAsLong();
        member.load().recordResponseTime(now - sentAt, now);
      }
      backendKeepAlive = r.keepAlive();
      if (r.framing() == ResponseHead.Framing.CLOSE) {
        // The client learns the end from chunks, or, for HTTP/1.0, from our close.
        if (http10) {
          closeClientAfter = true;
        } else {
          wrapChunks = true;
        }
      }
      boolean keep = clientKeepAlive && !closeClientAfter && !px.draining();
      ByteBuf out = ctx.alloc().buffer(r.bytes().readableBytes() + 64);
      r.writeForwarded(out);
      r.release();
      if (wrapChunks) {
        out.writeBytes(TRANSFER_ENCODING_CHUNKED);
      }
      if (!keep) {
        closeClientAfter = true;
        out.writeBytes(CONNECTION_CLOSE);
      } else if (http10) {
        out.writeBytes(CONNECTION_KEEP_ALIVE);
      }
      LbSettings.Cookie cookie = settings.sessionCookie();
      if (cookie != null && !member.cookieValue().equals(stickyValue)) {
        DefaultCookie c = new DefaultCookie(cookie.name(), member.cookieValue());
        c.setPath(cookie.path());
        c.setHttpOnly(true);
        if (cookie.maxAgeSeconds() >= 0) {
          c.setMaxAge(cookie.maxAgeSeconds());
        }
        out.writeCharSequence("set-cookie: " + ServerCookieEncoder.STRICT.encode(c) + "\r\n",
            StandardCharsets.US_ASCII);
      }
      out.writeShort(CRLF_SHORT);
      ctx.write(out, ctx.voidPromise());
    }

    @Override
    public void backendReadComplete() {
      ctx.flush();
    }

    @Override
    public void backendWritable(boolean writable) {
      updateAutoRead();
    }

    @Override
    public void backendClosed(String why) {
      if (!finished) {
        backendFailed(why, false);
      }
    }

    private void endLoad() {
      if (loadCounted) {
        loadCounted = false;
        member.load().end();
      }
    }

    /** The last byte of the response was written to the client. */
    private void complete() {
      finished = true;
      cancelTimeout();
      if (settings.leastTimeBasis() == LeastTime.Basis.LastByte) {
        long now = px.nanoClock.getAsLong();
        member.load().recordResponseTime(now - sentAt, now);
      }
      endLoad();
      px.countResponse(member, status);
      Channel b = backend;
      backend = null;
      detach(b);
      setAutoRead(b, true);
      if (backendKeepAlive && requestDone) {
        px.connections.release(b, member);
      } else {
        b.close();
      }
      dropBody();
      ctx.flush();
      if (closeClientAfter || !requestDone || px.draining()) {
        closed = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        exchange = null;
        return;
      }
      next();
    }

    /**
     * After 101 Switching Protocols: both connections become a byte splice at once, at the
     * response head, whatever the codec thinks of a body (it reads an old-style WebSocket
     * handshake's as one); what it has decoded reaches the tunnel, which passes on the bytes.
     */
    private void switchProtocols(ResponseHead r) {
      finished = true;
      endLoad();
      px.countResponse(member, 101);
      Channel b = backend;
      backend = null;
      Channel client = ctx.channel();
      ctx.writeAndFlush(r.bytes()); // as the server wrote it: the Upgrade headers are for the client
      b.pipeline().replace(BackendHandler.class, "tunnel", new Tunnel(client, () -> {}));
      ctx.pipeline().replace(HttpProxyHandler.this, "tunnel", new Tunnel(b, px::closed));
      // Removing the codecs hands the bytes they hold to the tunnels.
      b.pipeline().remove(ResponseFramer.class);
      b.pipeline().remove(HttpRequestEncoder.class);
      ctx.pipeline().remove(HttpRequestDecoder.class);
      queued.forEach(ReferenceCountUtil::release);
      queued.clear();
      exchange = null;
      client.config().setAutoRead(true);
      b.config().setAutoRead(true);
    }

    /**
     * The server connection failed before the response ended: retry on another server if
     * nothing reached the client and the request may be sent again, else 502/504 or close.
     */
    private void backendFailed(String why, boolean timedOut) {
      cancelTimeout();
      endLoad();
      Channel b = backend;
      backend = null;
      if (b != null) {
        detach(b);
        b.close();
      }
      // A pooled connection closed before any response byte is the keep-alive race (the
      // server closed it while idle), not a sick server: retry without blaming it.
      this.timedOut |= timedOut;
      boolean serverFault = timedOut || !reused || responseStarted || invalid;
      if (serverFault) {
        px.pool.failure(member, why);
      } else {
        removeTried(member);
      }
      if (responseStarted) {
        finished = true;
        px.countResponse(member, 502);
        ctx.close();
        return;
      }
      if (idempotent && bodyKept && !invalid) {
        member = null;
        choose();
        return;
      }
      fail(timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
          timedOut ? "gateway timeout\n" : "bad gateway\n");
    }

    private void fail(HttpResponseStatus status, String text) {
      finished = true;
      member = null;
      dropBody();
      exchange = null;
      answer(status, text, clientKeepAlive && (requestDone || noBody));
      if (!closed) {
        next();
      }
    }

    /** The client went away. */
    void abort() {
      finished = true;
      cancelTimeout();
      endLoad();
      if (backend != null) {
        detach(backend);
        backend.close();
        backend = null;
      }
      dropBody();
    }
  }
}
