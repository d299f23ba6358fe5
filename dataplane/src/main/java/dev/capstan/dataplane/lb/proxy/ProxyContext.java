package dev.capstan.dataplane.lb.proxy;

import dev.capstan.dataplane.lb.LbSettings;
import dev.capstan.dataplane.lb.pool.Member;
import dev.capstan.dataplane.lb.pool.ServerPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What the handlers of one listener share: the pool, the connections to servers, the clock,
 * the metrics, and whether the balancer is shutting down.
 */
public final class ProxyContext {

  private static final String[] CLASSES = {"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

  final String listener;
  final ServerPool pool;
  final BackendConnections connections;
  final LongSupplier nanoClock;
  private final ChannelGroup clients;
  private final AtomicBoolean draining;
  private final AtomicInteger open = new AtomicInteger();
  private final MeterRegistry registry;
  private final Map<String, Counter[]> requestCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> connectionCounters = new ConcurrentHashMap<>();

  /**
   * @param clients every client connection of the balancer, closed at the end of a drain
   * @param draining set when shutting down: responses then close their connections
   */
  public ProxyContext(String listener, ServerPool pool, EventLoopGroup group,
      Class<? extends Channel> clientChannel, LongSupplier nanoClock, MeterRegistry registry,
      ChannelGroup clients, AtomicBoolean draining) {
    this.listener = listener;
    this.pool = pool;
    this.nanoClock = nanoClock;
    this.registry = registry;
    this.clients = clients;
    this.draining = draining;
    this.connections = new BackendConnections(group, clientChannel,
        () -> pool.settings().connectTimeoutMillis(), () -> pool.settings().idleTimeoutNanos());
    pool.onRemoved(connections::closeIdle);
    Gauge.builder("lb_active_connections", open, AtomicInteger::get)
        .description("client connections open now")
        .tag("listener", listener)
        .register(registry);
  }

  LbSettings settings() {
    return pool.settings();
  }

  boolean draining() {
    return draining.get();
  }

  void opened(Channel ch) {
    open.incrementAndGet();
    clients.add(ch);
  }

  void closed() {
    open.decrementAndGet();
  }

  public int openConnections() {
    return open.get();
  }

  /** One TCP connection sent to {@code server}. */
  void countConnection(Member server) {
    connectionCounters.computeIfAbsent(server.address(), a -> Counter.builder("lb_connections")
        .description("TCP connections by listener and server")
        .tag("listener", listener).tag("server", a)
        .register(registry)).increment();
  }

  /** One response to a client; {@code server} null for one the balancer wrote itself. */
  void countResponse(Member server, int status) {
    String address = server == null ? "none" : server.address();
    Counter[] byClass = requestCounters.get(address); // no capturing lambda made per request
    if (byClass == null) {
      byClass = requestCounters(address);
    }
    int i = status / 100;
    byClass[i >= 1 && i <= 5 ? i : 5].increment();
  }

  private Counter[] requestCounters(String address) {
    return requestCounters.computeIfAbsent(address, a -> {
      Counter[] c = new Counter[6];
      for (int i = 1; i < 6; i++) {
        c[i] = Counter.builder("lb_requests")
            .description("responses to clients by listener, server and status class")
            .tag("listener", listener).tag("server", a).tag("status", CLASSES[i])
            .register(registry);
      }
      return c;
    });
  }
}
