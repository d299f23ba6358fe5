package dev.capstan.dataplane.lb.balancing;

import java.util.List;
import java.util.Optional;

/**
 * Picks the server for one connection (L4) or request (L7). Implementations are safe for
 * concurrent use by the proxy's event loops; they neither check health nor count load, they
 * are told both.
 */
public interface Balancer {

  /**
   * @param healthy the servers that may be picked now, each once. Pass the same list instance
   *     until health or membership changes: balancers that precompute (the hash ring) rebuild
   *     only when the list changes.
   * @return the server to use; empty when no server is healthy
   */
  Optional<ServerLoad> pick(Request request, List<ServerLoad> healthy);

  /**
   * The healthy servers changed to {@code healthy}: a balancer that precomputes (the hash ring,
   * up to a tenth of a second for a large pool) does it now, on the caller's thread, instead
   * of on the next pick. Optional; picks are right without it.
   */
  default void prepare(List<ServerLoad> healthy) {}
}
