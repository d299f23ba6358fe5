package dev.capstan.e2e.cluster;

import java.nio.file.Path;

/**
 * A cluster someone else runs, named explicitly with {@code -Dcapstan.e2e.kubeconfig=PATH}.
 * Its kubeconfig must be allowed to install CRDs and cluster RBAC.
 */
public final class KubeconfigCluster implements KubeCluster {
  public static final String PROPERTY = "capstan.e2e.kubeconfig";
  private final Path kubeconfig;

  public KubeconfigCluster(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
  }

  @Override
  public String name() {
    return "cluster of " + kubeconfig;
  }

  @Override
  public Path adminKubeconfig() {
    return kubeconfig;
  }

  @Override
  public boolean runsPods() {
    return true;
  }

  @Override
  public void close(boolean failed) {}
}
