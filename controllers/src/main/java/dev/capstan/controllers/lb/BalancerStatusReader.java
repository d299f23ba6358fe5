package dev.capstan.controllers.lb;

import java.util.Collection;
import java.util.Map;

/**
 * Asks running balancers how many of their servers pass their health checks: the one place
 * the LoadBalancer controller talks to the data plane, kept behind an interface so that the
 * reconciler is tested without sockets.
 */
public interface BalancerStatusReader {

  /**
   * The count of healthy servers each balancer reports on its admin endpoint.
   *
   * @param addresses pod IPs of ready balancers
   * @param port their admin port
   * @return one entry per address that answered in time with a readable report; addresses that
   *     did not are absent. Never throws for a balancer that is down or slow.
   */
  Map<String, Integer> healthyServers(Collection<String> addresses, int port);
}
