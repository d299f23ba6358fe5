package dev.capstan.dataplane.lb.balancing;

import java.util.List;
import java.util.Optional;

/** Algorithm RoundRobin: smooth weighted round robin over the healthy servers. */
final class RoundRobinBalancer implements Balancer {

  private final SmoothWeightedRoundRobin rotation = new SmoothWeightedRoundRobin();

  @Override
  public Optional<ServerLoad> pick(Request request, List<ServerLoad> healthy) {
    if (healthy.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(rotation.next(healthy, healthy));
  }
}
