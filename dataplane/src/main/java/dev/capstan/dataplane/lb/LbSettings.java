package dev.capstan.dataplane.lb;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.config.BalancerConfig.StatusRange;
import dev.capstan.api.lb.HealthCheck;
import dev.capstan.api.lb.LeastTime;
import dev.capstan.api.lb.LoadBalancerSpec.Algorithm;
import dev.capstan.api.lb.LoadBalancerSpec.Mode;
import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import dev.capstan.dataplane.lb.balancing.Balancer;
import dev.capstan.dataplane.lb.balancing.Balancers;
import dev.capstan.dataplane.lb.proxy.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A {@link BalancerConfig} checked and read once: durations parsed, CIDRs parsed, the balancer
 * made. The proxy reads one instance per request or connection, so a reload swaps it whole and a
 * request never sees half of an old and half of a new configuration.
 *
 * @param sessionCookie null: no persistence
 * @param proxyProtocol the PROXY header written first on each server connection; None in HTTP
 * @param activeCheck null: servers are not probed
 */
public record LbSettings(
    BalancerConfig config,
    Mode mode,
    Algorithm algorithm,
    Balancer balancer,
    LeastTime.Basis leastTimeBasis,
    Cookie sessionCookie,
    List<Cidr> trustedProxies,
    ProxyProtocol proxyProtocol,
    ActiveCheck activeCheck,
    int maxFails,
    long failTimeoutNanos,
    long connectTimeoutMillis,
    long responseTimeoutNanos,
    long idleTimeoutNanos) {

  /** @param maxAgeSeconds -1: a session cookie */
  public record Cookie(String name, String path, long maxAgeSeconds) {}

  public record ActiveCheck(
      HealthCheck.Active.Type type,
      String path,
      List<StatusRange> expectedStatuses,
      long intervalNanos,
      long timeoutNanos,
      int rise,
      int fall) {

    public boolean expects(int status) {
      for (StatusRange r : expectedStatuses) {
        if (status >= r.from() && status <= r.to()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * @throws IllegalArgumentException with one line naming the setting of lb.yaml that is wrong
   */
  public static LbSettings of(BalancerConfig c, LongSupplier nanoClock) {
    if (c.mode() == null) {
      throw new IllegalArgumentException("mode is missing from " + BalancerConfig.FILE + " (HTTP or TCP)");
    }
    if (c.listeners() == null || c.listeners().isEmpty()) {
      throw new IllegalArgumentException("listeners is empty in " + BalancerConfig.FILE);
    }
    if (c.backends() == null || c.backends().isEmpty()) {
      throw new IllegalArgumentException("backends is empty in " + BalancerConfig.FILE);
    }
    for (BalancerConfig.Listener l : c.listeners()) {
      if (l.port() < 0 || l.port() > 65535) {
        throw new IllegalArgumentException("listener " + l.name() + " port " + l.port() + " is not in 0..65535");
      }
    }
    for (BalancerConfig.Backend b : c.backends()) {
      if ((b.host() == null) == (b.service() == null)) {
        throw new IllegalArgumentException("a backend needs exactly one of host and service: " + b);
      }
    }
    if (c.algorithm() == Algorithm.Hash && (c.hashKey() == null || c.hashKey().source() == null)) {
      throw new IllegalArgumentException("hashKey is missing from " + BalancerConfig.FILE + " for algorithm Hash");
    }
    ProxyProtocol proxyProtocol = c.proxyProtocol() == null ? ProxyProtocol.None : c.proxyProtocol();
    if (proxyProtocol != ProxyProtocol.None && c.mode() != Mode.TCP) {
      throw new IllegalArgumentException("proxyProtocol " + proxyProtocol + " needs mode TCP in "
          + BalancerConfig.FILE + "; in mode HTTP servers get the client address in X-Forwarded-For");
    }
    Balancer balancer = Balancers.of(c, nanoClock, ThreadLocalRandom.current());
    Cookie cookie = null;
    if (c.sessionCookie() != null) {
      BalancerConfig.SessionCookie s = c.sessionCookie();
      if (s.name() == null || s.name().isBlank()) {
        throw new IllegalArgumentException("sessionCookie.name is empty");
      }
      cookie = new Cookie(s.name(), s.path() == null ? "/" : s.path(),
          s.ttl() == null ? -1 : duration("sessionCookie.ttl", s.ttl()).toSeconds());
    }
    List<Cidr> trusted = new ArrayList<>();
    if (c.trustedProxies() != null) {
      for (String p : c.trustedProxies()) {
        trusted.add(Cidr.parse(p));
      }
    }
    ActiveCheck active = null;
    if (c.activeHealthCheck() != null) {
      BalancerConfig.ActiveHealthCheck a = c.activeHealthCheck();
      boolean http = a.type() == HealthCheck.Active.Type.HTTP;
      active = new ActiveCheck(
          a.type() == null ? HealthCheck.Active.Type.TCP : a.type(),
          http ? (a.path() == null ? "/" : a.path()) : null,
          http && a.expectedStatuses() != null && !a.expectedStatuses().isEmpty()
              ? a.expectedStatuses() : List.of(new StatusRange(200, 399)),
          duration("activeHealthCheck.interval", a.interval()).toNanos(),
          duration("activeHealthCheck.timeout", a.timeout()).toNanos(),
          Math.max(1, a.healthyThreshold()),
          Math.max(1, a.unhealthyThreshold()));
    }
    BalancerConfig.PassiveHealthCheck p = c.passiveHealthCheck();
    int maxFails = p == null ? 0 : p.maxFails();
    long failTimeout = p == null || p.failTimeout() == null
        ? Duration.ofSeconds(10).toNanos() : duration("passiveHealthCheck.failTimeout", p.failTimeout()).toNanos();
    BalancerConfig.Timeouts t = c.timeouts() == null ? new BalancerConfig.Timeouts(null, null, null) : c.timeouts();
    return new LbSettings(
        c,
        c.mode(),
        c.algorithm(),
        balancer,
        c.leastTimeBasis() == null ? LeastTime.DEFAULT_BASIS : c.leastTimeBasis(),
        cookie,
        List.copyOf(trusted),
        proxyProtocol,
        active,
        maxFails,
        failTimeout,
        durationOr("timeouts.connect", t.connect(), "5s").toMillis(),
        durationOr("timeouts.response", t.response(), "60s").toNanos(),
        durationOr("timeouts.idle", t.idle(), "60s").toNanos());
  }

  /** What a connection failure costs a server: nothing when passive ejection is off. */
  public boolean passiveEnabled() {
    return maxFails > 0;
  }

  private static Duration durationOr(String field, String text, String fallback) {
    return duration(field, text == null ? fallback : text);
  }

  private static Duration duration(String field, String text) {
    try {
      Duration d = BalancerConfig.parseDuration(text);
      if (d.isZero()) {
        throw new IllegalArgumentException(field + " is 0; it must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage().startsWith(field) ? e.getMessage() : field + ": " + e.getMessage());
    }
  }
}
