package dev.capstan.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.e2e.cluster.K3sCluster;
import dev.capstan.e2e.cluster.KubeCluster;

/** The same scenarios on k3s through Testcontainers, where a Docker engine exists. */
class K3sE2E extends E2EScenarios {
  @Override
  protected KubeCluster startCluster() {
    String reason = K3sCluster.unavailableBecause();
    if (reason != null) {
      System.err.println("[e2e] " + reason);
    }
    assumeTrue(reason == null, reason);
    return K3sCluster.start();
  }
}
