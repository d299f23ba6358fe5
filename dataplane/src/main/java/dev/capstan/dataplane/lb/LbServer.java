package dev.capstan.dataplane.lb;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.lb.LoadBalancerSpec.Mode;
import dev.capstan.dataplane.lb.balancing.ResponseTimeEwma;
import dev.capstan.dataplane.lb.balancing.Server;
import dev.capstan.dataplane.lb.discovery.ServiceEndpoints;
import dev.capstan.dataplane.lb.health.ActiveHealthChecker;
import dev.capstan.dataplane.lb.pool.Member;
import dev.capstan.dataplane.lb.pool.ServerPool;
import dev.capstan.dataplane.lb.proxy.ProxyContext;
import dev.capstan.dataplane.lb.proxy.ProxyListeners;
import dev.capstan.dataplane.server.AdminServer;
import dev.capstan.dataplane.server.BindAddress;
import dev.capstan.dataplane.server.EventLoops;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer: its listeners, the pool of servers, health checks, discovery, the admin
 * endpoint, reloads and the drain at shutdown. Listeners and mode are fixed at start; anything
 * else in lb.yaml is applied live by {@link #reload}.
 */
public final class LbServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LbServer.class);

  /** One server in {@code /status}. */
  public record ServerStatus(String address, int weight, String health, int active,
      Double ewmaMillis, long requests, long failures) {}

  /** What {@code /status} shows. */
  public record Status(String mode, String algorithm, Map<String, Integer> listeners,
      int openConnections, List<ServerStatus> servers) {}

  private final LongSupplier nanoClock = System::nanoTime;
  private final EventLoops loops;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Map<String, Channel> listeners = new LinkedHashMap<>();
  private final List<ProxyContext> contexts = new ArrayList<>();
  private final ServerPool pool;
  private final ActiveHealthChecker checker;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Map<Integer, List<Server>> discovered = new ConcurrentHashMap<>();
  private final List<ServiceEndpoints> discoveries = new ArrayList<>();
  private KubernetesClient kubernetes;
  private AdminServer admin;
  private volatile LbSettings settings;

  private LbServer(LbSettings settings, EventLoops loops) {
    this.settings = settings;
    this.loops = loops;
    this.pool = new ServerPool(settings, nanoClock, loops.group(), registry);
    this.checker = new ActiveHealthChecker(pool, loops.group().next(), loops.clientChannel());
  }

  /**
   * Starts a balancer for {@code config}: binds every listener and the admin port (port 0: any
   * free port, for tests), logs one line per listener.
   *
   * @param threads event loops; 0: two per core
   * @throws IllegalArgumentException when the configuration is wrong (one line)
   */
  public static LbServer start(BalancerConfig config, int threads) throws InterruptedException {
    LbSettings settings = LbSettings.of(config, System::nanoTime);
    // TCP mode runs on NIO: Netty 4.2.18's epoll removes a socket from the epoll set once it
    // waits for nothing (input shut down by the client's FIN, nothing left to write) and then
    // fails the next wait for writability (epoll_ctl MOD: ENOENT), which shuts the output down
    // and cuts a response still streaming to a client that half-closed. HTTP listeners do not
    // keep half-closed connections and stay on epoll.
    EventLoops loops = settings.mode() == Mode.TCP
        ? EventLoops.startNio("lb", threads)
        : EventLoops.start("lb", threads);
    LbServer lb = new LbServer(settings, loops);
    try {
      lb.startAll();
    } catch (RuntimeException | InterruptedException e) {
      lb.close(Duration.ZERO);
      throw e;
    }
    return lb;
  }

  private void startAll() throws InterruptedException {
    applyBackends(settings);
    checker.apply();
    boolean tcp = settings.mode() == Mode.TCP;
    for (BalancerConfig.Listener l : settings.config().listeners()) {
      ProxyContext px = new ProxyContext(l.name(), pool, loops.group(), loops.clientChannel(),
          nanoClock, registry, clients, draining);
      contexts.add(px);
      ServerBootstrap b = new ServerBootstrap()
          .group(loops.group())
          .channel(loops.serverChannel())
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(tcp ? ProxyListeners.tcp(px, loops.clientChannel()) : ProxyListeners.http(px));
      if (tcp) {
        b.childOption(ChannelOption.AUTO_READ, false).childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      }
      Channel ch = b.bind(BindAddress.host(), l.port()).sync().channel();
      listeners.put(l.name(), ch);
      LOG.info("lb: {} listener {} on :{}, {} servers, {}, {}", tcp ? "tcp" : "http", l.name(),
          port(l.name()), pool.members().size(), settings.algorithm(), loops.transport());
    }
    admin = AdminServer.start(loops, BindAddress.host(), settings.config().adminPort(), registry,
        // Healthy while it serves, even with every server down: it then answers 503 itself, which
        // is what clients should see, rather than being restarted by its liveness probe or
        // dropped from its Service. Server health is in /status and /metrics.
        AdminServer.Health::ok,
        this::status);
  }

  /** The port a listener is bound to. */
  public int port(String listener) {
    return ((InetSocketAddress) listeners.get(listener).localAddress()).getPort();
  }

  public int adminPort() {
    return admin.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Applies a changed configuration: algorithm, backends, health checks, timeouts, cookies and
   * trusted proxies take effect for the next request; in-flight requests and open connections
   * carry on; removed servers drain. A wrong configuration is logged and the old one kept.
   */
  public synchronized void reload(BalancerConfig config) {
    LbSettings next;
    try {
      next = LbSettings.of(config, nanoClock);
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignoring the new configuration, keeping the last good one: {}", e.getMessage());
      return;
    }
    if (next.mode() != settings.mode()
        || !Objects.equals(next.config().listeners(), settings.config().listeners())
        || next.config().adminPort() != settings.config().adminPort()) {
      LOG.warn("mode, listeners and adminPort changes take effect at the next restart; applying the rest");
    }
    settings = next;
    pool.settings(next);
    applyBackends(next);
    checker.apply();
    LOG.info("lb: configuration applied: {}, {} servers", next.algorithm(), pool.members().size());
  }

  private void applyBackends(LbSettings s) {
    List<BalancerConfig.Backend> backends = s.config().backends();
    discoveries.forEach(ServiceEndpoints::close);
    discoveries.clear();
    discovered.keySet().removeIf(i -> i >= backends.size() || backends.get(i).service() == null);
    for (int i = 0; i < backends.size(); i++) {
      BalancerConfig.Backend b = backends.get(i);
      if (b.service() != null) {
        int index = i;
        if (kubernetes == null) {
          kubernetes = new KubernetesClientBuilder().build();
        }
        discoveries.add(ServiceEndpoints.follow(kubernetes, b.namespace(), b.service(), b.port(),
            b.weight(), servers -> {
              discovered.put(index, servers);
              publishServers();
            }));
      }
    }
    publishServers();
  }

  private synchronized void publishServers() {
    List<Server> servers = new ArrayList<>();
    List<BalancerConfig.Backend> backends = settings.config().backends();
    for (int i = 0; i < backends.size(); i++) {
      BalancerConfig.Backend b = backends.get(i);
      if (b.host() != null) {
        servers.add(new Server(b.host(), b.port(), Math.max(1, b.weight())));
      } else {
        servers.addAll(discovered.getOrDefault(i, List.of()));
      }
    }
    pool.servers(servers);
  }

  public Status status() {
    long now = nanoClock.getAsLong();
    List<ServerStatus> servers = new ArrayList<>();
    for (Member m : pool.members()) {
      ResponseTimeEwma ewma = m.load().responseTime();
      servers.add(new ServerStatus(m.address(), m.server().weight(), m.health().state(),
          m.load().active(), ewma == null ? null : ewma.estimateAt(now) / 1e6, m.requests(), m.failures()));
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    listeners.keySet().forEach(name -> ports.put(name, port(name)));
    return new Status(settings.mode().name(), settings.algorithm().name(), ports,
        contexts.stream().mapToInt(ProxyContext::openConnections).sum(), servers);
  }

  /** Blocks until {@link #close} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Stops accepting, lets requests in flight finish for up to {@code grace} (idle keep-alive
   * connections are closed at once, busy ones after their response), then closes the rest.
   */
  public void close(Duration grace) {
    if (!draining.compareAndSet(false, true)) {
      return;
    }
    for (Channel l : listeners.values()) {
      l.close().syncUninterruptibly();
    }
    clients.forEach(ProxyListeners::closeIfIdle);
    long deadline = System.nanoTime() + grace.toNanos();
    while (!clients.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20); // a shutdown poll, not a test wait: the drain has no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!clients.isEmpty()) {
      LOG.info("lb: closing {} connections still open after the grace period", clients.size());
    }
    clients.close().awaitUninterruptibly();
    checker.close();
    discoveries.forEach(ServiceEndpoints::close);
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (admin != null) {
      admin.close();
    }
    loops.close(0);
    registry.close();
    closed.countDown();
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }
}
