package dev.capstan.api.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.capstan.api.lb.HealthCheck;
import dev.capstan.api.lb.LeastTime;
import dev.capstan.api.lb.LoadBalancerSpec.Algorithm;
import dev.capstan.api.lb.LoadBalancerSpec.Mode;
import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import dev.capstan.api.lb.TwoChoices;
import java.time.Duration;
import java.util.List;

/**
 * The configuration a balancer reads from its ConfigMap ({@code lb.yaml}). The operator renders
 * it from a LoadBalancer with every default resolved, so the balancer applies no defaults of its
 * own: a section that is absent is off.
 *
 * <p>Durations are kept as the user wrote them ({@code 500ms}, {@code 5s}, {@code 1m30s});
 * {@link #parseDuration} reads them, the same way for the operator and the balancer.
 *
 * @param hashKey what algorithm Hash hashes; only with Hash
 * @param leastTimeBasis what is timed; only with LeastTime, and RandomTwoChoices by LeastTime
 * @param twoChoicesBasis how the two drawn servers are compared; only with RandomTwoChoices
 * @param sessionCookie the cookie that pins a client to a server; absent: no persistence
 * @param trustedProxies CIDR blocks whose X-Forwarded-For is believed; empty: none
 * @param proxyProtocol the PROXY header sent first on each server connection (TCP mode);
 *     absent: none
 * @param activeHealthCheck probes on a schedule; absent: servers are not probed
 * @param passiveHealthCheck ejection after failures of real traffic; always present
 * @param adminPort where /health, /metrics and /status are served
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BalancerConfig(
    Mode mode,
    Algorithm algorithm,
    HashKey hashKey,
    LeastTime.Basis leastTimeBasis,
    TwoChoices.Basis twoChoicesBasis,
    SessionCookie sessionCookie,
    List<String> trustedProxies,
    ProxyProtocol proxyProtocol,
    List<Listener> listeners,
    List<Backend> backends,
    ActiveHealthCheck activeHealthCheck,
    PassiveHealthCheck passiveHealthCheck,
    Timeouts timeouts,
    int adminPort) {

  public static final String FILE = "lb.yaml";

  /** The header, cookie or query parameter ({@code name}), or the path or URL, to hash. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HashKey(dev.capstan.api.lb.HashKey.Source source, String name) {}

  /** @param ttl Max-Age of the cookie; absent: a session cookie */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SessionCookie(String name, String path, String ttl) {}

  /** A port clients connect to; {@code name} labels its metrics and names its Service port. */
  public record Listener(String name, int port) {}

  /**
   * A source of servers: either the ready endpoints of the Service {@code service} in
   * {@code namespace} (port is the Service port; the balancer follows its EndpointSlices), or
   * the fixed {@code host} and {@code port}. Every server it yields gets {@code weight}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Backend(String service, String namespace, String host, int port, int weight) {
    public static Backend ofService(String service, String namespace, int port, int weight) {
      return new Backend(service, namespace, null, port, weight);
    }

    public static Backend ofHost(String host, int port, int weight) {
      return new Backend(null, null, host, port, weight);
    }
  }

  /**
   * @param path the path of an HTTP probe; absent for TCP
   * @param expectedStatuses the statuses that count as healthy for HTTP; absent for TCP
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ActiveHealthCheck(
      HealthCheck.Active.Type type,
      String path,
      List<StatusRange> expectedStatuses,
      String interval,
      String timeout,
      int healthyThreshold,
      int unhealthyThreshold) {}

  /** HTTP statuses {@code from} to {@code to}, both included. */
  public record StatusRange(int from, int to) {
    public static StatusRange of(int status) {
      return new StatusRange(status, status);
    }
  }

  /** @param maxFails failures within failTimeout that eject a server; 0: never ejected */
  public record PassiveHealthCheck(int maxFails, String failTimeout) {}

  public record Timeouts(String connect, String response, String idle) {}

  private static final DurationText DURATIONS = new DurationText(List.of("ms", "s", "m", "h"));

  /**
   * Reads a duration of this file: one or more of a count and a unit {@code ms}, {@code s},
   * {@code m} or {@code h}. Like Go's durations, it must fit in a long of nanoseconds (about
   * 292 years), so that any clock can hold it.
   *
   * @throws IllegalArgumentException when the text is not a duration or is too long
   */
  public static Duration parseDuration(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    try {
      Duration d = DURATIONS.parse(text).orElseThrow(() -> new IllegalArgumentException(
          "invalid duration " + text + " (use a count and ms, s, m or h, such as 5s or 1m30s)"));
      d.toNanos(); // must fit a long of nanoseconds
      return d;
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration " + text + " is too long (at most 2562047h)");
    }
  }
}
