package dev.capstan.dataplane.lb.discovery;

import dev.capstan.dataplane.lb.balancing.Server;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The servers of a Service backend, from its EndpointSlices: every address of every ready
 * endpoint, at the port the slices give for the Service port. Pure, so it is tested without a
 * cluster.
 *
 * <p>The backend names the Service port by number (as a user reads it in {@code kubectl get
 * svc}); the slices name their ports by the Service port's name, and carry the target port
 * number, which is what pods listen on. So: Service port number → its name → the slice port of
 * that name → its number.
 */
public final class EndpointSliceServers {

  private EndpointSliceServers() {}

  /**
   * The name of the port of {@code service} numbered {@code port}: "" for the one unnamed port
   * of a single-port Service; empty when the Service has no such port.
   */
  public static Optional<String> portName(Service service, int port) {
    if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
      return Optional.empty();
    }
    for (ServicePort p : service.getSpec().getPorts()) {
      if (p.getPort() != null && p.getPort() == port) {
        return Optional.of(p.getName() == null ? "" : p.getName());
      }
    }
    return Optional.empty();
  }

  /**
   * @param portName the Service port's name ("" when unnamed)
   * @return the ready servers, sorted by address, each address once
   */
  public static List<Server> servers(String portName, Collection<EndpointSlice> slices, int weight) {
    Map<String, Server> byAddress = new TreeMap<>();
    for (EndpointSlice slice : slices) {
      Integer port = slicePort(slice, portName);
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint e : slice.getEndpoints()) {
        if (!ready(e) || e.getAddresses() == null) {
          continue;
        }
        for (String address : e.getAddresses()) {
          Server s = new Server(address, port, weight);
          byAddress.putIfAbsent(s.address(), s);
        }
      }
    }
    return byAddress.values().stream().sorted(Comparator.comparing(Server::address)).toList();
  }

  private static Integer slicePort(EndpointSlice slice, String portName) {
    if (slice.getPorts() == null) {
      return null;
    }
    for (EndpointPort p : slice.getPorts()) {
      String name = p.getName() == null ? "" : p.getName();
      if (Objects.equals(name, portName) && p.getPort() != null) {
        return p.getPort();
      }
    }
    return null;
  }

  /** Kubernetes: a missing condition means ready; a terminating endpoint is not ready. */
  private static boolean ready(Endpoint e) {
    return e.getConditions() == null || e.getConditions().getReady() == null
        || e.getConditions().getReady();
  }
}
