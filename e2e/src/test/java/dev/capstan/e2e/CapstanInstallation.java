package dev.capstan.e2e;

import dev.capstan.e2e.cluster.KubeCluster;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Capstan installed on a cluster the way a user installs it: {@code helm install} of the chart
 * (CRDs, RBAC, ServiceAccount), then the operator — here a process from the built jar —
 * authenticated as the chart's ServiceAccount with a token from the TokenRequest API, so the
 * chart's RBAC is what is tested.
 */
public final class CapstanInstallation implements AutoCloseable {
  public static final String NAMESPACE = "capstan-system";
  public static final String RELEASE = "capstan";
  /** The chart names its objects after the release when the release name contains "capstan". */
  public static final String SERVICE_ACCOUNT = "capstan";

  private final KubeCluster cluster;
  private final KubernetesClient admin;
  private final Path operatorKubeconfig;
  private OperatorProcess operator;
  private int starts;
  private final Map<String, String> operatorEnv = new HashMap<>();

  private CapstanInstallation(KubeCluster cluster, KubernetesClient admin, Path operatorKubeconfig) {
    this.cluster = cluster;
    this.admin = admin;
    this.operatorKubeconfig = operatorKubeconfig;
  }

  public static CapstanInstallation install(KubeCluster cluster) {
    return install(cluster, Map.of());
  }

  /** Installs Capstan; {@code operatorEnv} is added to the operator process's environment. */
  public static CapstanInstallation install(KubeCluster cluster, Map<String, String> operatorEnv) {
    KubernetesClient admin = client(cluster.adminKubeconfig());
    // The operator runs from the jar here, so the chart's Deployment runs no pod.
    Tools.helm(cluster.adminKubeconfig(), "install", RELEASE, Repo.CHART.toString(),
        "--namespace", NAMESPACE, "--create-namespace", "--set", "replicaCount=0", "--wait", "--timeout", "2m")
        .orThrow();
    Path kubeconfig = serviceAccountKubeconfig(cluster, admin);
    CapstanInstallation installation = new CapstanInstallation(cluster, admin, kubeconfig);
    installation.operatorEnv.putAll(operatorEnv);
    installation.startOperator();
    return installation;
  }

  public KubeCluster cluster() {
    return cluster;
  }

  public KubernetesClient admin() {
    return admin;
  }

  public Path adminKubeconfig() {
    return cluster.adminKubeconfig();
  }

  /** A client with exactly the operator's permissions. */
  public KubernetesClient asOperator() {
    return client(operatorKubeconfig);
  }

  public OperatorProcess operator() {
    return operator;
  }

  public void startOperator() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", operatorKubeconfig.toString());
    env.put("POD_NAMESPACE", NAMESPACE);
    env.put("CAPSTAN_LEADER_ELECTION", "true");
    env.put("CAPSTAN_LEASE_NAME", RELEASE);
    env.putAll(operatorEnv);
    operator = OperatorProcess.start("operator-" + (++starts), env);
  }

  /** Kills the operator as kill -9 would and starts a new one. */
  public void killAndRestartOperator() {
    operator.kill();
    startOperator();
  }

  private static Path serviceAccountKubeconfig(KubeCluster cluster, KubernetesClient admin) {
    var request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(4 * 3600L).endSpec().build();
    String token = admin.serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT)
        .tokenRequest(request).getStatus().getToken();
    Config adminConfig = admin.getConfiguration();
    String ca = adminConfig.getCaCertData();
    if (ca == null && adminConfig.getCaCertFile() != null) {
      try {
        ca = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(adminConfig.getCaCertFile())));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: e2e
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: e2e
          context: {cluster: e2e, user: %s, namespace: %s}
        current-context: e2e
        """.formatted(adminConfig.getMasterUrl(), ca, SERVICE_ACCOUNT, token, SERVICE_ACCOUNT, NAMESPACE);
    try {
      Path file = Files.createTempFile("capstan-e2e-operator", ".kubeconfig");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static KubernetesClient client(Path kubeconfig) {
    try {
      Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
          .withRequestRetryBackoffLimit(3)
          .build();
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    admin.close();
  }
}
