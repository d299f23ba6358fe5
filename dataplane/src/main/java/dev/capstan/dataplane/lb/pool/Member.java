package dev.capstan.dataplane.lb.pool;

import dev.capstan.dataplane.lb.balancing.Server;
import dev.capstan.dataplane.lb.balancing.ServerLoad;
import dev.capstan.dataplane.lb.health.ServerHealth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server while it is in the pool: its load (what the balancers read), its health and its
 * counters. A server whose weight changes becomes a new member; the old one drains.
 */
public final class Member {

  private final ServerLoad load;
  private final ServerHealth health = new ServerHealth();
  private final String cookieValue;
  /** Kept: Server.address() builds a new string each call, and metrics look it up per request. */
  private final String address;
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private volatile boolean removed;
  /** This member alone: the servers a request's first try used, made once instead of per request. */
  private final Set<Member> alone = Set.of(this);

  Member(Server server) {
    this.load = new ServerLoad(server);
    this.address = server.address();
    this.cookieValue = cookieValueOf(address);
  }

  /**
   * What the persistence cookie says for a server: opaque (the address is not told to
   * clients) but stable across balancer pods and restarts, so any replica honours it.
   */
  public static String cookieValueOf(String address) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(("capstan-lb:" + address).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public Server server() {
    return load.server();
  }

  /** The set of this member alone. */
  public Set<Member> alone() {
    return alone;
  }

  public String address() {
    return address;
  }

  public ServerLoad load() {
    return load;
  }

  public ServerHealth health() {
    return health;
  }

  public String cookieValue() {
    return cookieValue;
  }

  /** A request (L7) or connection (L4) was sent to the server. */
  public void countRequest() {
    requests.increment();
  }

  public long requests() {
    return requests.sum();
  }

  void countFailure() {
    failures.increment();
  }

  public long failures() {
    return failures.sum();
  }

  /** No longer in the configuration: gets no new traffic; its idle connections are closed. */
  public boolean removed() {
    return removed;
  }

  void markRemoved() {
    removed = true;
  }

  @Override
  public String toString() {
    return address();
  }
}
