package dev.capstan.e2e;

import dev.capstan.e2e.cluster.KubeCluster;
import dev.capstan.e2e.cluster.LocalControlPlane;

/** The scenarios on the local control plane that hack/ builds from source: runs everywhere. */
class LocalControlPlaneE2E extends E2EScenarios {
  @Override
  protected KubeCluster startCluster() {
    return LocalControlPlane.start();
  }
}
