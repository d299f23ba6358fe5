package dev.capstan.dataplane.lb.balancing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nginx's smooth weighted round robin: every candidate's current weight grows by its weight,
 * the largest is picked and loses the total. Weights {5, 1, 1} give a a b a c a a, never
 * five a in a row. Also breaks the ties of the least-* algorithms, as nginx's least_conn does,
 * so that tied servers take turns in proportion to their weights instead of the first in the
 * list winning.
 *
 * <p>Current weights are kept per server (by host and port) across calls, so that a server
 * that leaves the candidates (unhealthy, or not tied) resumes where it was.
 */
final class SmoothWeightedRoundRobin {

  private final Map<String, long[]> currentWeights = new HashMap<>();
  /**
   * The same weights by ServerLoad identity, for the servers of the last pool: a lookup per
   * candidate per pick without building the {@code host:port} string each time.
   */
  private final Map<ServerLoad, long[]> byLoad = new IdentityHashMap<>();
  private List<ServerLoad> lastPool;

  /**
   * @param candidates not empty; a sublist of, or equal to, {@code pool}
   * @param pool the healthy servers; the state of servers that left it is forgotten
   */
  synchronized ServerLoad next(List<ServerLoad> candidates, List<ServerLoad> pool) {
    if (pool != lastPool) {
      forgetServersNotIn(pool);
      lastPool = pool;
      byLoad.clear();
      for (ServerLoad s : pool) {
        byLoad.put(s, currentWeights.computeIfAbsent(s.server().address(), a -> new long[1]));
      }
    }
    long total = 0;
    ServerLoad best = null;
    long[] bestWeight = null;
    // Indexed: the list's iterator was 40 % of the bytes the proxy allocated per request.
    for (int i = 0, n = candidates.size(); i < n; i++) {
      ServerLoad candidate = candidates.get(i);
      long[] current = byLoad.get(candidate);
      if (current == null) { // not in the pool, against the contract; still served by address
        current = currentWeights.computeIfAbsent(candidate.server().address(), a -> new long[1]);
      }
      int weight = candidate.server().weight();
      current[0] += weight;
      total += weight;
      if (best == null || current[0] > bestWeight[0]) {
        best = candidate;
        bestWeight = current;
      }
    }
    bestWeight[0] -= total;
    return best;
  }

  private void forgetServersNotIn(List<ServerLoad> pool) {
    Set<String> addresses = new HashSet<>();
    for (ServerLoad s : pool) {
      addresses.add(s.server().address());
    }
    currentWeights.keySet().retainAll(addresses);
  }
}
