package dev.capstan.dataplane.lb.balancing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Algorithm LeastConnections: the server with the fewest active connections (L4) or in-flight
 * requests (L7) relative to its weight; tied servers take turns by smooth weighted round robin.
 */
final class LeastConnectionsBalancer implements Balancer {

  private final SmoothWeightedRoundRobin tieBreak = new SmoothWeightedRoundRobin();

  @Override
  public Optional<ServerLoad> pick(Request request, List<ServerLoad> healthy) {
    if (healthy.isEmpty()) {
      return Optional.empty();
    }
    List<ServerLoad> least = new ArrayList<>(4);
    int leastActive = 0;
    for (ServerLoad s : healthy) {
      // Read once: another event loop may change it while we compare.
      int active = s.active();
      int order = least.isEmpty() ? -1 : compare(active, s.server().weight(), leastActive,
          least.get(0).server().weight());
      if (order < 0) {
        least.clear();
        least.add(s);
        leastActive = active;
      } else if (order == 0) {
        least.add(s);
      }
    }
    return Optional.of(least.size() == 1 ? least.get(0) : tieBreak.next(least, healthy));
  }

  /**
   * Orders active1/weight1 against active2/weight2 by cross-multiplying, exactly, without the
   * rounding of floating point that would make unequal loads look tied.
   */
  static int compare(int active1, int weight1, int active2, int weight2) {
    return Long.compare((long) active1 * weight2, (long) active2 * weight1);
  }
}
