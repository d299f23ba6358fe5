package dev.capstan.controllers.lb;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The healthy-server count a LoadBalancer's status shows, from what its ready balancers
 * reported. Balancers check their servers independently, so for a moment after a change they
 * may disagree; the status shows the count every one of them agrees on, the lowest, so that it
 * never promises more capacity than a client may meet. Pure: the reconciler passes in what it
 * observed.
 *
 * @param count the agreed count; null when no balancer was asked or none answered
 * @param unknownBecause why the count is unknown although balancers are ready; null otherwise
 */
public record HealthyServers(Integer count, String unknownBecause) {

  /** Nothing to ask: no balancer is ready, which the Ready condition already says. */
  public static final HealthyServers NOT_ASKED = new HealthyServers(null, null);

  /**
   * @param asked addresses of the ready balancers
   * @param answers the count each balancer that answered reported, by address
   */
  public static HealthyServers of(Collection<String> asked, Map<String, Integer> answers, int port) {
    if (asked.isEmpty()) {
      return NOT_ASKED;
    }
    Integer lowest = asked.stream()
        .map(answers::get)
        .filter(Objects::nonNull)
        .min(Integer::compare)
        .orElse(null);
    if (lowest == null) {
      return unknown((asked.size() == 1
          ? "the ready balancer did not answer"
          : "none of the " + asked.size() + " ready balancers answered")
          + " GET /status on port " + port);
    }
    return new HealthyServers(lowest, null);
  }

  public static HealthyServers unknown(String because) {
    return new HealthyServers(null, "healthyServers unknown: " + because);
  }

  /**
   * The pod IPs of the ready endpoints of the balancers' Service, which are the ready balancer
   * pods: the EndpointSlice controller keeps them, and the operator may read EndpointSlices but
   * not Pods. An endpoint whose readiness is not given counts as ready, as the API documents.
   */
  public static List<String> readyAddresses(List<EndpointSlice> slices) {
    TreeSet<String> addresses = new TreeSet<>();
    for (EndpointSlice slice : slices) {
      for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        boolean ready = e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
        if (ready && e.getAddresses() != null && !e.getAddresses().isEmpty()) {
          // The addresses of one endpoint are one pod's; one is enough to ask it.
          addresses.add(e.getAddresses().get(0));
        }
      }
    }
    return List.copyOf(addresses);
  }
}
