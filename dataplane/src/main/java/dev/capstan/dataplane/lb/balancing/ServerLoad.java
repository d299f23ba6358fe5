package dev.capstan.dataplane.lb.balancing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server and the load the proxy sees on it, updated by the proxy and read by the balancers.
 * The proxy creates one per server and keeps it as long as the server is in the pool, whether
 * healthy or not, so that the counts survive a health flap. Safe for concurrent use.
 */
public final class ServerLoad {

  private final Server server;
  private final AtomicInteger active = new AtomicInteger();
  private volatile ResponseTimeEwma responseTime;

  public ServerLoad(Server server) {
    if (server == null) {
      throw new IllegalArgumentException("server is null");
    }
    this.server = server;
  }

  public Server server() {
    return server;
  }

  /** Connections (L4) or in-flight requests (L7) now on the server. */
  public int active() {
    return active.get();
  }

  /** A connection was opened (L4) or a request sent (L7) to the server. */
  public void begin() {
    active.incrementAndGet();
  }

  /** What {@link #begin} counted has ended, however it ended. */
  public void end() {
    // Never below zero: a stray end() must not make a server look better than idle.
    active.updateAndGet(n -> n > 0 ? n - 1 : 0);
  }

  /**
   * A response took {@code nanos} (to its first or last byte, as the spec's basis says) and was
   * timed at {@code atNanos} on the balancer's clock.
   */
  public synchronized void recordResponseTime(long nanos, long atNanos) {
    ResponseTimeEwma now = responseTime;
    responseTime = now == null ? ResponseTimeEwma.first(nanos, atNanos) : now.add(nanos, atNanos);
  }

  /** The average so far; null before the first response. */
  public ResponseTimeEwma responseTime() {
    return responseTime;
  }

  @Override
  public String toString() {
    return server + " active " + active();
  }
}
