package dev.capstan.operator;

import dev.capstan.api.CustomResources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * Checks, before anything starts, the two mistakes a new user makes: no reachable cluster,
 * and a cluster without Capstan's CRDs. Each is answered with one line saying how to fix it.
 */
final class Preflight {
  private static final ListOptions ONE = new ListOptionsBuilder().withLimit(1L).build();

  private Preflight() {}

  static Optional<String> check(Config base, OperatorConfig config) {
    // A client that fails fast: the default one retries for a long time before giving up.
    Config quick = new ConfigBuilder(base)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(10_000)
        .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(quick).build()) {
      try {
        client.getKubernetesVersion();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 401) {
          return Optional.of("the Kubernetes API server at " + base.getMasterUrl()
              + " refused the credentials (401 Unauthorized); check the kubeconfig or service account token");
        }
        if (e.getCode() <= 0 || e.getCode() >= 500) {
          return Optional.of("cannot reach a Kubernetes API server at " + base.getMasterUrl() + " ("
              + rootCause(e) + "); set KUBECONFIG to a kubeconfig for your cluster, or run the operator in a pod");
        }
        // 403 on /version: reachable, and the RBAC checks below are the meaningful ones.
      }
      for (var type : CustomResources.ALL) {
        String crd = HasMetadata.getPlural(type) + ".capstan.dev";
        try {
          if (config.watchesAllNamespaces()) {
            client.resources(type).inAnyNamespace().list(ONE);
          } else {
            for (String ns : config.watchNamespaces()) {
              client.resources(type).inNamespace(ns).list(ONE);
            }
          }
        } catch (KubernetesClientException e) {
          if (e.getCode() == 404) {
            return Optional.of("the CRD " + crd + " is not installed in the cluster at " + base.getMasterUrl()
                + "; install it with: kubectl apply -f crds/  (or helm install capstan helm/capstan)");
          }
          if (e.getCode() == 403) {
            return Optional.of("not allowed to list " + crd + " ("
                + (config.watchesAllNamespaces() ? "all namespaces" : "namespaces " + config.watchNamespaces())
                + "); grant the operator's service account the RBAC of helm/capstan, or set CAPSTAN_WATCH_NAMESPACES");
          }
          return Optional.of("listing " + crd + " failed at " + base.getMasterUrl() + ": " + rootCause(e));
        }
      }
    }
    return Optional.empty();
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
