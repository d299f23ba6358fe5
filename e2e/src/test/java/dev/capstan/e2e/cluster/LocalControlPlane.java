package dev.capstan.e2e.cluster;

import dev.capstan.e2e.Command;
import dev.capstan.e2e.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * etcd, kube-apiserver and kube-controller-manager built from source and started on loopback
 * by {@code hack/control-plane.sh}; no kubelet, so pods stay Pending.
 */
public final class LocalControlPlane implements KubeCluster {
  private final Path stateDir;

  private LocalControlPlane(Path stateDir) {
    this.stateDir = stateDir;
  }

  public static LocalControlPlane start() {
    try {
      Files.createDirectories(Repo.LOGS);
      Path dir = Files.createTempDirectory("capstan-e2e-cp");
      var result = Command.run(env(dir), Duration.ofMinutes(50), Repo.HACK.resolve("control-plane.sh").toString(), "start");
      if (result.exitCode() != 0) {
        throw new IllegalStateException("the local control plane did not start (logs kept in " + dir + "):\n" + result.output());
      }
      return new LocalControlPlane(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> env(Path dir) {
    Map<String, String> env = new HashMap<>();
    env.put("CAPSTAN_CP_DIR", dir.toString());
    // A watchdog stops the control plane if this JVM dies without tearing it down.
    env.put("CAPSTAN_CP_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
    return env;
  }

  @Override
  public String name() {
    return "local control plane";
  }

  @Override
  public Path adminKubeconfig() {
    return stateDir.resolve("kubeconfig");
  }

  @Override
  public boolean runsPods() {
    return false;
  }

  @Override
  public void close(boolean failed) {
    Map<String, String> env = env(stateDir);
    if (failed) {
      env.put("KEEP_LOGS", "1");
    }
    var result = Command.run(env, Duration.ofMinutes(2), Repo.HACK.resolve("control-plane.sh").toString(), "stop");
    if (failed || result.exitCode() != 0) {
      System.err.println("[e2e] control plane state and logs kept in " + stateDir);
    }
  }
}
