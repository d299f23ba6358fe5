package dev.capstan.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/** k3s in a container, where a Docker engine exists. */
public final class K3sCluster implements KubeCluster {
  static final DockerImageName IMAGE = DockerImageName.parse("rancher/k3s:v1.33.6-k3s1");

  private final K3sContainer container;
  private final Path kubeconfig;

  private K3sCluster(K3sContainer container, Path kubeconfig) {
    this.container = container;
    this.kubeconfig = kubeconfig;
  }

  /** Why k3s cannot run here, or null when it can. */
  public static String unavailableBecause() {
    try {
      return DockerClientFactory.instance().isDockerAvailable()
          ? null
          : "no Docker engine on this machine: k3s (Testcontainers) scenarios are skipped";
    } catch (RuntimeException e) {
      return "no Docker engine on this machine (" + e.getMessage() + "): k3s scenarios are skipped";
    }
  }

  public static K3sCluster start() {
    K3sContainer k3s = new K3sContainer(IMAGE);
    k3s.start();
    try {
      Path file = Files.createTempFile("capstan-e2e-k3s", ".kubeconfig");
      Files.writeString(file, k3s.getKubeConfigYaml());
      return new K3sCluster(k3s, file);
    } catch (IOException e) {
      k3s.stop();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String name() {
    return "k3s " + IMAGE.getVersionPart();
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
  public void close(boolean failed) {
    container.stop();
  }
}
