package dev.capstan.controllers.tsdb;

import dev.capstan.api.config.InfluxDuration;
import dev.capstan.api.config.Ports;
import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.api.tsdb.ContinuousQuerySpec;
import dev.capstan.api.tsdb.DatabaseSpec;
import dev.capstan.api.tsdb.RetentionPolicySpec;
import dev.capstan.api.tsdb.SecretKeyRef;
import dev.capstan.api.tsdb.TsdbCluster;
import dev.capstan.api.tsdb.TsdbClusterSpec;
import dev.capstan.controllers.common.ConfigYaml;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.Labels;
import dev.capstan.controllers.common.PodTemplates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes objects a TsdbCluster should own, as pure functions of the resource: a
 * ConfigMap with the node configuration, a headless Service for peer discovery, a client
 * Service on port 8086, the StatefulSet of nodes and a PodDisruptionBudget.
 */
public final class TsdbClusterResources {
  public static final String COMPONENT = "tsdb";
  public static final String DATA_DIR = "/var/lib/capstan/tsdb";

  private TsdbClusterResources() {}

  public static String configMapName(TsdbCluster c) {
    return c.getMetadata().getName() + "-config";
  }

  public static String peersServiceName(TsdbCluster c) {
    return c.getMetadata().getName() + "-peers";
  }

  public static String clientServiceName(TsdbCluster c) {
    return c.getMetadata().getName();
  }

  /** The URL clients inside the cluster use. */
  public static String endpoint(TsdbCluster c) {
    return "http://" + clientServiceName(c) + "." + c.getMetadata().getNamespace() + ".svc:" + Ports.TSDB_HTTP;
  }

  /** Why the spec cannot be served, for rules the schema cannot express; empty when fine. */
  public static Optional<String> invalid(TsdbCluster c) {
    TsdbClusterSpec spec = c.getSpec();
    if (spec.replicationFactorOrDefault() > spec.replicasOrDefault()) {
      return Optional.of("replicationFactor " + spec.replicationFactorOrDefault()
          + " exceeds replicas " + spec.replicasOrDefault());
    }
    for (DatabaseSpec db : spec.databasesOrEmpty()) {
      for (RetentionPolicySpec rp : db.retentionPoliciesOrEmpty()) {
        Duration keep = InfluxDuration.parse(rp.duration());
        if (rp.shardDuration() != null && !keep.isZero()
            && InfluxDuration.parse(rp.shardDuration()).compareTo(keep) > 0) {
          return Optional.of("database " + db.name() + ", retention policy " + rp.name()
              + ": shardDuration " + rp.shardDuration() + " is longer than duration " + rp.duration()
              + " (InfluxDB requires shardDuration <= duration)");
        }
      }
    }
    return Optional.empty();
  }

  /** The node configuration with every default resolved. */
  public static TsdbNodeConfig nodeConfig(TsdbCluster c) {
    TsdbClusterSpec spec = c.getSpec();
    List<TsdbNodeConfig.Database> databases = new ArrayList<>();
    for (DatabaseSpec db : spec.databasesOrEmpty()) {
      List<TsdbNodeConfig.RetentionPolicy> policies = new ArrayList<>();
      List<RetentionPolicySpec> declared = db.retentionPoliciesOrEmpty();
      if (declared.isEmpty()) {
        // What CREATE DATABASE does in InfluxDB: one policy, kept forever, the default.
        policies.add(new TsdbNodeConfig.RetentionPolicy("autogen", "INF", "168h", true));
      }
      boolean anyDefault = declared.stream().anyMatch(RetentionPolicySpec::defaultPolicy);
      for (int i = 0; i < declared.size(); i++) {
        RetentionPolicySpec rp = declared.get(i);
        Duration keep = InfluxDuration.parse(rp.duration());
        String shard = rp.shardDuration() != null
            ? rp.shardDuration()
            : hours(InfluxDuration.defaultShardDuration(keep));
        // With no default declared, the first policy is the default, as in InfluxDB where the
        // first policy created on a database becomes its default.
        boolean isDefault = anyDefault ? rp.defaultPolicy() : i == 0;
        policies.add(new TsdbNodeConfig.RetentionPolicy(rp.name(), rp.duration(), shard, isDefault));
      }
      List<TsdbNodeConfig.ContinuousQuery> queries = new ArrayList<>();
      for (ContinuousQuerySpec cq : db.continuousQueriesOrEmpty()) {
        queries.add(new TsdbNodeConfig.ContinuousQuery(cq.name(), cq.query().strip(), cq.resampleEvery(), cq.resampleFor()));
      }
      databases.add(new TsdbNodeConfig.Database(db.name(), policies, queries.isEmpty() ? null : queries));
    }
    return new TsdbNodeConfig(
        Ports.TSDB_HTTP, spec.replicationFactorOrDefault(), spec.authSecretRef() != null, databases);
  }

  private static String hours(Duration d) {
    return d.toHours() + "h";
  }

  public static ConfigMap configMap(TsdbCluster c) {
    return new ConfigMapBuilder()
        .withMetadata(Labels.metadata(COMPONENT, c, configMapName(c)))
        .withData(configData(c))
        .build();
  }

  static Map<String, String> configData(TsdbCluster c) {
    return Map.of(TsdbNodeConfig.FILE, ConfigYaml.render(nodeConfig(c)));
  }

  /**
   * The part of the node configuration a node reads only when it starts, which the pod
   * template's config hash covers. Databases and retention policies are left out: nodes reload
   * them from the mounted ConfigMap, so changing a retention does not restart every node.
   */
  static Map<String, String> restartConfigData(TsdbCluster c) {
    TsdbNodeConfig config = nodeConfig(c);
    return Map.of(TsdbNodeConfig.FILE, ConfigYaml.render(new TsdbNodeConfig(
        config.httpPort(), config.replicationFactor(), config.authEnabled(), List.of())));
  }

  public static Service peersService(TsdbCluster c) {
    return new ServiceBuilder()
        .withMetadata(Labels.metadata(COMPONENT, c, peersServiceName(c)))
        .withNewSpec()
        .withClusterIP("None")
        // Peers must find each other before they are ready, to replicate and rejoin.
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.selector(COMPONENT, c))
        .addNewPort()
        .withName("http")
        .withPort(Ports.TSDB_HTTP)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }

  public static Service clientService(TsdbCluster c) {
    return new ServiceBuilder()
        .withMetadata(Labels.metadata(COMPONENT, c, clientServiceName(c)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(COMPONENT, c))
        .addNewPort()
        .withName("http")
        .withPort(Ports.TSDB_HTTP)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }

  public static StatefulSet statefulSet(TsdbCluster c, ControllerSettings settings) {
    TsdbClusterSpec spec = c.getSpec();
    Container server = new ContainerBuilder()
        .withName(COMPONENT)
        .withImage(settings.imageOr(spec.image()))
        .withArgs("tsdb", "--config", PodTemplates.CONFIG_DIR + "/" + TsdbNodeConfig.FILE, "--data", DATA_DIR)
        .addNewPort()
        .withName("http")
        .withContainerPort(Ports.TSDB_HTTP)
        .endPort()
        .addNewPort()
        .withName(PodTemplates.ADMIN_PORT_NAME)
        .withContainerPort(Ports.ADMIN)
        .endPort()
        .withEnv(env(spec))
        .withResources(spec.resources())
        .withReadinessProbe(PodTemplates.httpProbe("/ping", Ports.TSDB_HTTP, 5, 3))
        .withLivenessProbe(PodTemplates.httpProbe("/health", Ports.ADMIN, 10, 6))
        .build();
    return PodTemplates.statefulServer(COMPONENT, c, peersServiceName(c), spec.replicasOrDefault(),
        configMapName(c), restartConfigData(c), spec.storageOrDefault(), DATA_DIR, server);
  }

  public static PodDisruptionBudget podDisruptionBudget(TsdbCluster c) {
    return PodTemplates.oneAtATime(COMPONENT, c, c.getMetadata().getName());
  }

  private static List<EnvVar> env(TsdbClusterSpec spec) {
    List<EnvVar> env = new ArrayList<>(PodTemplates.serverEnv());
    SecretKeyRef auth = spec.authSecretRef();
    if (auth != null) {
      env.add(secretEnv("CAPSTAN_TSDB_ADMIN_USER", auth.name(), orDefault(auth.usernameKey(), "username")));
      env.add(secretEnv("CAPSTAN_TSDB_ADMIN_PASSWORD", auth.name(), orDefault(auth.passwordKey(), "password")));
    }
    return env;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
