package dev.capstan.operator;

import dev.capstan.controllers.common.ControllerSettings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's configuration, read from environment variables so that the Helm chart, a
 * plain Deployment and a developer's shell all configure it the same way.
 *
 * @param watchNamespaces namespaces to watch; empty means all namespaces
 * @param httpPort port of /healthz, /readyz and /metrics
 * @param leaderElection whether to take a Lease before reconciling
 * @param leaseNamespace namespace of the Lease; null means the client's namespace
 * @param identity this replica's name in the Lease and in Events
 * @param dataplaneImage data-plane image for resources that name none
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    int httpPort,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String identity,
    String dataplaneImage) {

  /** Environment variables and what they mean, for --help and the README. */
  public static final Map<String, String> VARIABLES = new LinkedHashMap<>();

  static {
    VARIABLES.put("KUBECONFIG", "kubeconfig to use outside a cluster (default ~/.kube/config; in a pod, its service account)");
    VARIABLES.put("CAPSTAN_WATCH_NAMESPACES", "comma-separated namespaces to watch; empty or unset: all namespaces");
    VARIABLES.put("CAPSTAN_HTTP_PORT", "port of /healthz, /readyz and /metrics (default 8080)");
    VARIABLES.put("CAPSTAN_LEADER_ELECTION", "true or false: take a Lease before reconciling (default true)");
    VARIABLES.put("CAPSTAN_LEASE_NAME", "name of the Lease (default capstan-operator)");
    VARIABLES.put("CAPSTAN_LEASE_NAMESPACE", "namespace of the Lease (default POD_NAMESPACE, else the kubeconfig's namespace)");
    VARIABLES.put("CAPSTAN_DATAPLANE_IMAGE", "image of the data plane (default " + ControllerSettings.DEFAULT_DATAPLANE_IMAGE + ")");
    VARIABLES.put("POD_NAME", "this replica's identity (default the host name)");
  }

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    Set<String> namespaces = new TreeSet<>();
    String watch = env.getOrDefault("CAPSTAN_WATCH_NAMESPACES", "").trim();
    if (!watch.isEmpty()) {
      Arrays.stream(watch.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ns -> {
        if (!ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || ns.length() > 63) {
          throw new IllegalArgumentException(
              "CAPSTAN_WATCH_NAMESPACES: '" + ns + "' is not a namespace name (lower-case letters, digits and '-')");
        }
        namespaces.add(ns);
      });
    }
    int port = parsePort(env.getOrDefault("CAPSTAN_HTTP_PORT", "8080"));
    boolean leader = parseBoolean("CAPSTAN_LEADER_ELECTION", env.getOrDefault("CAPSTAN_LEADER_ELECTION", "true"));
    String leaseNamespace = env.getOrDefault("CAPSTAN_LEASE_NAMESPACE", env.get("POD_NAMESPACE"));
    String identity = env.getOrDefault("POD_NAME", hostName(env));
    String image = env.getOrDefault("CAPSTAN_DATAPLANE_IMAGE", ControllerSettings.DEFAULT_DATAPLANE_IMAGE);
    return new OperatorConfig(
        Set.copyOf(namespaces),
        port,
        leader,
        env.getOrDefault("CAPSTAN_LEASE_NAME", "capstan-operator"),
        leaseNamespace,
        identity,
        image);
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  public ControllerSettings controllerSettings() {
    return new ControllerSettings(dataplaneImage);
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("CAPSTAN_HTTP_PORT: '" + text + "' is not a port number (0-65535)");
  }

  private static boolean parseBoolean(String name, String text) {
    return switch (text.trim().toLowerCase()) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(name + ": '" + text + "' is neither true nor false");
    };
  }

  private static String hostName(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "capstan-operator";
    }
  }
}
