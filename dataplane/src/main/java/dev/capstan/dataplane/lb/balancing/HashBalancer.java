package dev.capstan.dataplane.lb.balancing;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Algorithms Hash and IPHash: consistent hashing of a key of the request on a {@link HashRing}
 * of the healthy servers; without a key, smooth weighted round robin.
 */
final class HashBalancer implements Balancer {

  private record Built(List<ServerLoad> pool, HashRing ring) {}

  private final Function<Request, byte[]> keyOf;
  private final SmoothWeightedRoundRobin fallback = new SmoothWeightedRoundRobin();
  private volatile Built built;

  private HashBalancer(Function<Request, byte[]> keyOf) {
    this.keyOf = keyOf;
  }

  /** Algorithm Hash: the key the spec names, which the proxy extracts. */
  static HashBalancer onHashKey() {
    return new HashBalancer(Request::hashKey);
  }

  /**
   * Algorithm IPHash: the whole client address. Unlike nginx's ip_hash, which hashes only the
   * first three bytes of an IPv4 address, clients of one /24 are spread like any others.
   */
  static HashBalancer onClientAddress() {
    return new HashBalancer(Request::clientAddress);
  }

  @Override
  public Optional<ServerLoad> pick(Request request, List<ServerLoad> healthy) {
    if (healthy.isEmpty()) {
      return Optional.empty();
    }
    byte[] key = keyOf.apply(request);
    if (key == null) {
      return Optional.of(fallback.next(healthy, healthy));
    }
    return Optional.of(ringFor(healthy).serverFor(key));
  }

  @Override
  public void prepare(List<ServerLoad> healthy) {
    if (!healthy.isEmpty()) {
      ringFor(healthy);
    }
  }

  private HashRing ringFor(List<ServerLoad> healthy) {
    Built b = built;
    if (b != null && b.pool == healthy) {
      return b.ring;
    }
    // A new list with the same servers is the same ring; remember the new list so the next
    // pick takes the fast path.
    HashRing ring = b != null && sameServers(b.pool, healthy) ? b.ring : HashRing.of(healthy);
    built = new Built(healthy, ring);
    return ring;
  }

  private static boolean sameServers(List<ServerLoad> a, List<ServerLoad> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
