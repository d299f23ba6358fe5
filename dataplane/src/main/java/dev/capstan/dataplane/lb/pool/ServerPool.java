package dev.capstan.dataplane.lb.pool;

import dev.capstan.dataplane.lb.LbSettings;
import dev.capstan.dataplane.lb.balancing.Request;
import dev.capstan.dataplane.lb.balancing.Server;
import dev.capstan.dataplane.lb.balancing.ServerLoad;
import dev.capstan.dataplane.lb.health.ServerHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of a balancer, their health, and the choice of one for a request. Reads (every
 * request) see an immutable snapshot; changes (membership, health) are rare, take a lock and
 * publish a new snapshot, so the balancers' "same list instance" fast path holds between them.
 */
public final class ServerPool {

  private static final Logger LOG = LoggerFactory.getLogger(ServerPool.class);

  private record Snapshot(
      List<Member> all,
      List<ServerLoad> healthy,
      Map<ServerLoad, Member> byLoad,
      Map<String, Member> byCookie) {}

  private final LongSupplier nanoClock;
  private final ScheduledExecutorService scheduler;
  private final MeterRegistry registry;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final Map<Member, Gauge> gauges = new HashMap<>();
  private final List<Consumer<Member>> removalListeners = new CopyOnWriteArrayList<>();
  private volatile LbSettings settings;
  private volatile Snapshot snapshot = new Snapshot(List.of(), List.of(), Map.of(), Map.of());

  /** @param scheduler runs the end of ejections */
  public ServerPool(LbSettings settings, LongSupplier nanoClock, ScheduledExecutorService scheduler,
      MeterRegistry registry) {
    this.settings = settings;
    this.nanoClock = nanoClock;
    this.scheduler = scheduler;
    this.registry = registry;
  }

  public LbSettings settings() {
    return settings;
  }

  /** A reload: the new balancer is prepared for the servers healthy now. */
  public void settings(LbSettings next) {
    settings = next;
    next.balancer().prepare(snapshot.healthy);
  }

  /** Called with each member that leaves the pool, so its idle connections can be closed. */
  public void onRemoved(Consumer<Member> listener) {
    removalListeners.add(listener);
  }

  /**
   * The servers are now {@code servers} (one per address; the same address twice is the first
   * one). Members that stay keep their load and health; removed ones drain.
   */
  public void servers(Collection<Server> servers) {
    List<Member> removed = new ArrayList<>();
    synchronized (this) {
      Map<String, Server> wanted = new LinkedHashMap<>();
      for (Server s : servers) {
        wanted.putIfAbsent(s.address(), s);
      }
      for (var it = members.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        Server w = wanted.get(e.getKey());
        if (w == null || w.weight() != e.getValue().server().weight()) {
          removed.add(e.getValue());
          it.remove();
        }
      }
      for (Server s : wanted.values()) {
        if (!members.containsKey(s.address())) {
          Member m = new Member(s);
          members.put(s.address(), m);
          gauges.put(m, Gauge.builder("lb_server_up", m, x -> x.health().healthy() ? 1 : 0)
              .description("1 when the server gets traffic, 0 when it is down or ejected")
              .tag("server", s.address())
              .register(registry));
          LOG.info("server {} added, weight {}", s.address(), s.weight());
        }
      }
      for (Member m : removed) {
        m.markRemoved();
        Gauge g = gauges.remove(m);
        if (g != null && !members.containsKey(m.address())) {
          registry.remove(g);
        }
        LOG.info("server {} removed, draining ({} in flight)", m.address(), m.load().active());
      }
      publish();
    }
    for (Member m : removed) {
      removalListeners.forEach(l -> l.accept(m));
    }
  }

  /** Every member, for probes and /status. */
  public List<Member> members() {
    return snapshot.all;
  }

  public int healthyCount() {
    return snapshot.healthy.size();
  }

  /**
   * The server for a request by the configured algorithm, leaving out {@code tried} (servers a
   * retry already failed on); empty when no healthy server is left.
   */
  public Optional<Member> pick(Request request, Set<Member> tried) {
    Snapshot s = snapshot;
    LbSettings cfg = settings;
    Optional<ServerLoad> first = cfg.balancer().pick(request, s.healthy);
    if (first.isEmpty()) {
      return Optional.empty();
    }
    Member m = s.byLoad.get(first.get());
    if (!tried.contains(m)) {
      return Optional.of(m);
    }
    // Rare: a retry the balancer sent back to the failed server (still healthy as passive
    // ejection is off or below maxFails). Choose among the others.
    List<ServerLoad> others = new ArrayList<>();
    for (ServerLoad l : s.healthy) {
      if (!tried.contains(s.byLoad.get(l))) {
        others.add(l);
      }
    }
    return cfg.balancer().pick(request, others).map(s.byLoad::get);
  }

  /** The healthy member a persistence cookie names, if any. */
  public Optional<Member> byCookie(String value) {
    Member m = snapshot.byCookie.get(value);
    return m != null && m.health().healthy() ? Optional.of(m) : Optional.empty();
  }

  /** Real traffic to {@code m} failed (connect refused, reset, timed out). */
  public void failure(Member m, String detail) {
    m.countFailure();
    LbSettings cfg = settings;
    if (!cfg.passiveEnabled()) {
      return;
    }
    ServerHealth.Change c =
        m.health().passiveFailure(nanoClock.getAsLong(), cfg.maxFails(), cfg.failTimeoutNanos(), detail);
    if (c != null) {
      changed(m, c);
      scheduler.schedule(() -> endEjection(m), cfg.failTimeoutNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void endEjection(Member m) {
    long wait = m.health().ejectedUntil() - nanoClock.getAsLong();
    if (wait > 0) {
      scheduler.schedule(() -> endEjection(m), wait, TimeUnit.NANOSECONDS);
      return;
    }
    ServerHealth.Change c = m.health().tick(nanoClock.getAsLong());
    if (c != null) {
      changed(m, c);
    }
  }

  /** One active probe's result. */
  public void probe(Member m, boolean ok, String detail) {
    LbSettings.ActiveCheck a = settings.activeCheck();
    if (a == null) {
      return;
    }
    ServerHealth.Change c = m.health().probe(ok, detail, a.rise(), a.fall());
    if (c != null) {
      changed(m, c);
    }
  }

  private void changed(Member m, ServerHealth.Change c) {
    if (m.removed()) {
      return;
    }
    LOG.info("server {} {}: {}", m.address(), c.up() ? "UP" : "DOWN", c.reason());
    synchronized (this) {
      publish();
    }
  }

  private void publish() {
    List<Member> all = List.copyOf(members.values());
    List<ServerLoad> healthy = new ArrayList<>();
    Map<ServerLoad, Member> byLoad = new IdentityHashMap<>();
    Map<String, Member> byCookie = new HashMap<>();
    for (Member m : all) {
      byLoad.put(m.load(), m);
      byCookie.put(m.cookieValue(), m);
      if (m.health().healthy()) {
        healthy.add(m.load());
      }
    }
    List<ServerLoad> h = List.copyOf(healthy);
    settings.balancer().prepare(h);
    snapshot = new Snapshot(all, h, byLoad, byCookie);
  }
}
