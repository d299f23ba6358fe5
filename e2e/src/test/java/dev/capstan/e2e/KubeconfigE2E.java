package dev.capstan.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.e2e.cluster.KubeCluster;
import dev.capstan.e2e.cluster.KubeconfigCluster;
import java.nio.file.Path;

/**
 * The same scenarios on a cluster named explicitly:
 * {@code ./mvnw verify -pl e2e -am -Dcapstan.e2e.kubeconfig=$HOME/.kube/config}.
 */
class KubeconfigE2E extends E2EScenarios {
  @Override
  protected KubeCluster startCluster() {
    String path = System.getProperty(KubeconfigCluster.PROPERTY, "");
    String reason = "no -D" + KubeconfigCluster.PROPERTY + "=PATH given: scenarios on an existing cluster are skipped";
    if (path.isBlank()) {
      System.err.println("[e2e] " + reason);
    }
    assumeTrue(!path.isBlank(), reason);
    return new KubeconfigCluster(Path.of(path));
  }
}
