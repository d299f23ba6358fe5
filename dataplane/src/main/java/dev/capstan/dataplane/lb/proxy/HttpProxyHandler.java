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
import dev.capstan.dataplane.lb.proxy.RequestHead.InvalidRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of an HTTP listener: each request goes to the server the balancer
 * picks, over a pooled keep-alive connection on this connection's event loop, with bodies
 * streamed both ways (reading stops while the other side cannot take more). Requests are
 * handled one at a time; pipelined ones wait in order. Both directions stay raw bytes: the
 * client's head (a {@link RequestHead} from the {@link RequestFramer}) goes on as a copy of
 * its lines, the server's (a {@link ResponseHead}) likewise.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {

  /** Idempotent requests with bodies up to this size are kept for a retry after a partial send. */
  private static final long MAX_RETRY_BODY = 64 * 1024;

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT",
      "DELETE");

  private static final byte[] X_FORWARDED_FOR = "x-forwarded-for: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] X_FORWARDED_PROTO_HTTP =
      "x-forwarded-proto: http\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION_UPGRADE = "connection: upgrade\r\n".getBytes(StandardCharsets.US_ASCII);
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
  /** "x-forwarded-for: PEER CR LF", the line of every request without a trusted chain. */
  private byte[] peerForwardedFor;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private Exchange exchange;
  /**
   * The last finished exchange, begun again for the next request: a keep-alive connection
   * carries thousands of requests, and an exchange was the largest object made per request
   * (about a quarter of the bytes the event loop allocated).
   */
  private Exchange spare;
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
    peerForwardedFor = ("x-forwarded-for: " + peer + "\r\n").getBytes(StandardCharsets.US_ASCII);
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
    if (msg instanceof RequestHead head) {
      Exchange x = spare != null ? spare : new Exchange();
      spare = null;
      x.begin(head);
      exchange = x;
      x.start();
    } else if (msg == RequestFramer.END) {
      if (exchange != null) {
        exchange.requestEnd();
      }
    } else if (msg instanceof ByteBuf content) {
      if (exchange != null) {
        exchange.requestContent(content);
      } else {
        content.release(); // the rest of a request that was already answered
      }
    } else if (msg instanceof InvalidRequest e) {
      if (exchange != null) {
        // A body that cannot be framed: the server has part of it, and nothing can end well.
        Exchange x = exchange;
        exchange = null;
        x.abort();
        closed = true;
        ctx.close();
      } else {
        HttpResponseStatus status = HttpResponseStatus.valueOf(e.status());
        answer(status, status.reasonPhrase().toLowerCase(Locale.ROOT) + ": " + e.getMessage() + "\n",
            false);
      }
    } else {
      ReferenceCountUtil.release(msg);
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
      if (exchange == null || exchange.finished) {
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
    if ((exchange == null || exchange.finished) && queued.isEmpty()) {
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
    } else if (exchange.requestDone || exchange.finished) {
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
    Exchange done = exchange;
    exchange = null;
    if (done != null && done.finished) {
      // Nothing refers to it any more: its server connection was detached or closed, and a
      // connect still pending for it checks the generation it was started for.
      spare = done;
    }
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

  /**
   * One request and its response; begun again for the connection's next request once finished
   * (see {@link #spare}), so {@link #begin} sets every field.
   */
  private final class Exchange implements BackendHandler.Listener {
    /** Counts the requests this object served: a connect callback of an earlier one is stale. */
    int generation;
    boolean headRequest;
    boolean idempotent;
    boolean clientKeepAlive;
    boolean http10;
    /** Nothing follows the head but the (empty) end: a local answer may keep the connection. */
    boolean noBody;
    boolean upgrade;
    LbSettings settings;
    Request lbRequest;
    /**
     * The head as sent to servers, kept (with the body) for a retry until the request may no
     * longer be sent again; without its blank line when {@link #needsHost}.
     */
    ByteBuf forwarded;
    /** An HTTP/1.0 request without Host: each try adds the server's. */
    boolean needsHost;
    /** Made on first use: most requests have no body. */
    List<ByteBuf> body = List.of();
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

    /** Takes {@code head}: it is released here, once its lines are copied. */
    void begin(RequestHead head) {
      generation++;
      forwarded = null;
      body = List.of();
      tried = Set.of();
      stickyValue = null;
      stickyFound = false;
      bodyBytes = 0;
      bodyKept = true;
      requestDone = false;
      member = null;
      backend = null;
      reused = false;
      loadCounted = false;
      sentAt = 0;
      timeoutArmed = false;
      responseDeadline = 0;
      responseTimeoutNanos = 0;
      responseStarted = false;
      informational = false;
      backendKeepAlive = false;
      closeClientAfter = false;
      wrapChunks = false;
      invalid = false;
      timedOut = false;
      status = 0;
      finished = false;
      try {
        this.settings = px.settings();
        this.headRequest = "HEAD".equals(head.method());
        this.idempotent = IDEMPOTENT.contains(head.method());
        this.clientKeepAlive = head.keepAlive();
        this.http10 = head.http10();
        this.noBody = head.framing() == RequestHead.Framing.NONE;
        this.upgrade = head.upgrade();
        List<Cidr> trustedProxies = settings.trustedProxies();
        boolean trusted = !trustedProxies.isEmpty() && Cidr.anyContains(trustedProxies, peerBytes);
        // Read only from a trusted proxy: an untrusted client's claim is replaced unread.
        String incomingXff = trusted ? head.forwardedFor() : null;
        byte[] client = settings.algorithm() == dev.capstan.api.lb.LoadBalancerSpec.Algorithm.IPHash
            ? RequestKeys.clientAddress(peerBytes, incomingXff, trustedProxies)
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
          stickyValue = RequestKeys.cookie(head, settings.sessionCookie().name());
        }
        this.needsHost = !head.hasHost();
        this.forwarded = forwardedHead(head, trusted, incomingXff);
      } finally {
        head.release();
      }
    }

    /**
     * The client's head as the server gets it: its lines but the hop-by-hop ones, then
     * X-Forwarded-For and -Proto; HTTP/1.1 whatever the client speaks, so server connections
     * stay pooled.
     */
    private ByteBuf forwardedHead(RequestHead head, boolean trusted, String incomingXff) {
      ByteBuf out = ctx.alloc().buffer(head.bytes().readableBytes() + 96);
      boolean keepProto = trusted && head.hasForwardedProto();
      head.writeForwarded(out, keepProto);
      if (upgrade) {
        out.writeBytes(CONNECTION_UPGRADE); // the Upgrade line itself was copied
      }
      if (incomingXff == null || incomingXff.isBlank()) {
        out.writeBytes(peerForwardedFor);
      } else {
        out.writeBytes(X_FORWARDED_FOR);
        out.writeCharSequence(RequestKeys.forwardedFor(peer, peerBytes, incomingXff, settings.trustedProxies()),
            StandardCharsets.ISO_8859_1);
        out.writeShort(CRLF_SHORT);
      }
      if (!keepProto) {
        out.writeBytes(X_FORWARDED_PROTO_HTTP);
      }
      if (!needsHost) {
        out.writeShort(CRLF_SHORT);
      }
      return out;
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
      int request = generation;
      ctx.channel().config().setAutoRead(false); // until connected, so the buffer stays small
      px.connections.connect(ctx.channel().eventLoop(), m).addListener((ChannelFuture f) -> {
        if (finished || member != target || generation != request) {
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
      bh.framer().expectResponseTo(headRequest);
      member.load().begin();
      loadCounted = true;
      member.countRequest();
      sentAt = px.nanoClock.getAsLong();
      boolean keep = keepForRetry(0);
      ch.write(keep ? forwarded.retainedDuplicate() : forwarded, ch.voidPromise());
      if (needsHost) {
        // As nginx sends its upstream's name: a server may refuse HTTP/1.1 without a Host.
        String host = member.server().host();
        ByteBuf line = ctx.alloc().buffer(64);
        line.writeCharSequence("host: " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
            + member.server().port() + "\r\n\r\n", StandardCharsets.US_ASCII);
        ch.write(line, ch.voidPromise());
      }
      if (!body.isEmpty()) { // no iterator made for the usual empty body
        for (ByteBuf c : body) {
          ch.write(keep ? c.retainedDuplicate() : c, ch.voidPromise());
        }
      }
      if (!keep) {
        forwarded = null;
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

    void requestContent(ByteBuf c) {
      if (finished) {
        c.release(); // answered already: the rest of the body is read and dropped
        return;
      }
      bodyBytes += c.readableBytes();
      if (backend == null) {
        keep(c); // connecting or between tries: everything is kept until it can be sent
      } else if (keepForRetry(0)) {
        keep(c);
        backend.write(c.retainedDuplicate(), backend.voidPromise());
      } else {
        dropBody();
        backend.write(c, backend.voidPromise());
      }
      updateAutoRead();
    }

    /** The client's request ended (its last body byte, if any, came before). */
    void requestEnd() {
      requestDone = true;
      if (finished) {
        next(); // the body of a request answered early is over: the next request may come
        return;
      }
      if (backend != null) {
        scheduleResponseTimeout();
      }
      updateAutoRead();
    }

    void keep(ByteBuf c) {
      if (body.isEmpty()) {
        body = new ArrayList<>(2);
      }
      body.add(c);
    }

    /** Lets go of what a retry would send again: the request can no longer be retried. */
    void dropBody() {
      if (!body.isEmpty()) {
        body.forEach(ByteBuf::release);
        body = List.of();
      }
      if (forwarded != null) {
        forwarded.release();
        forwarded = null;
      }
      bodyKept = false;
    }

    void addTried(Member m) {
      if (tried.isEmpty()) {
        tried = m.alone();
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
      if (r.includedBody() > 0) {
        r.writeIncludedBody(out); // its END follows at once
      }
      r.release();
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
      if (closeClientAfter || px.draining()) {
        closed = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        exchange = null;
        return;
      }
      if (!requestDone) {
        // The server answered before the body ended (a 413, nginx's `return`): the rest of the
        // body is read and dropped as nginx discards one, and the connection goes on. Closing
        // with the client's bytes unread would reset it, and the client could lose the answer.
        // The framer knows where the body ends, so nothing of it can pass for a request.
        updateAutoRead();
        return;
      }
      next();
    }

    /**
     * After 101 Switching Protocols: both connections become a byte splice at once, at the
     * response head; the bytes the framers hold beyond it (the server's first frames) reach the
     * tunnels as they are.
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
      // Removing the framers hands the bytes they hold to the tunnels.
      b.pipeline().remove(ResponseFramer.class);
      ctx.pipeline().remove(RequestFramer.class);
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
