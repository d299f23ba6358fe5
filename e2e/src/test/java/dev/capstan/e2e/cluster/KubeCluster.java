package dev.capstan.e2e.cluster;

import java.nio.file.Path;

/** A Kubernetes cluster the scenarios run on, with an admin kubeconfig. */
public interface KubeCluster extends AutoCloseable {
  String name();

  /** An admin (cluster-admin) kubeconfig: for installing and for checking, never for the operator. */
  Path adminKubeconfig();

  /** Whether the cluster runs pods (k3s does; the local control plane has no kubelet). */
  boolean runsPods();

  /** Stops the cluster; keeps its logs when the run failed. */
  void close(boolean failed);

  @Override
  default void close() {
    close(false);
  }
}
