package dev.capstan.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * kubectl and helm, built from source by {@code hack/build-k8s.sh} (which returns in about a
 * second when they are cached), run against a given kubeconfig.
 */
public final class Tools {
  private static Path binDir;

  private Tools() {}

  public static synchronized Path binDir() {
    if (binDir == null) {
      var result = Command.run(Map.of(), Duration.ofMinutes(45), Repo.HACK.resolve("build-k8s.sh").toString()).orThrow();
      String[] lines = result.output().strip().split("\n");
      binDir = Path.of(lines[lines.length - 1].strip());
    }
    return binDir;
  }

  public static Command.Result kubectl(Path kubeconfig, String... args) {
    return tool("kubectl", kubeconfig, null, args);
  }

  public static Command.Result kubectlWithInput(Path kubeconfig, String stdin, String... args) {
    return tool("kubectl", kubeconfig, stdin, args);
  }

  public static Command.Result helm(Path kubeconfig, String... args) {
    return tool("helm", kubeconfig, null, args);
  }

  private static Command.Result tool(String name, Path kubeconfig, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir().resolve(name).toString());
    command.addAll(List.of(args));
    Map<String, String> env = Map.of(
        "KUBECONFIG", kubeconfig.toString(),
        // helm keeps caches and repositories under HOME; keep them out of the user's.
        "HELM_CACHE_HOME", Repo.ROOT.resolve("e2e/target/helm/cache").toString(),
        "HELM_CONFIG_HOME", Repo.ROOT.resolve("e2e/target/helm/config").toString(),
        "HELM_DATA_HOME", Repo.ROOT.resolve("e2e/target/helm/data").toString());
    return Command.runWithInput(env, Duration.ofMinutes(5), stdin, command.toArray(String[]::new));
  }
}
