package dev.capstan.controllers.tsdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.api.tsdb.TsdbCluster;
import dev.capstan.controllers.common.ConfigHash;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TsdbClusterResourcesTest {
  private static final ControllerSettings SETTINGS = new ControllerSettings("capstan/dataplane:test");

  static TsdbCluster cluster(String specYaml) {
    return Fixtures.parse(TsdbCluster.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: TsdbCluster
        metadata: {name: metrics, namespace: obs}
        spec:
        """ + specYaml.indent(2));
  }

  static final TsdbCluster MINIMAL = cluster("{}");
  static final TsdbCluster FULL = cluster("""
      replicas: 3
      image: registry.example/capstan:1.2
      storage: {size: 50Gi, storageClassName: fast}
      replicationFactor: 2
      authSecretRef: {name: tsdb-admin}
      databases:
        - name: telegraf
          retentionPolicies:
            - {name: raw, duration: 7d, default: true}
            - {name: year, duration: 52w, shardDuration: 7d}
          continuousQueries:
            - name: cpu_1h
              query: "  SELECT mean(usage) INTO year.cpu_1h FROM cpu GROUP BY time(1h), *\n"
              resampleFor: 2h
        - name: plant
      """);

  @Test
  void statefulSetFollowsTheSpec() {
    StatefulSet sts = TsdbClusterResources.statefulSet(FULL, SETTINGS);
    assertThat(sts.getMetadata().getName()).isEqualTo("metrics");
    assertThat(sts.getMetadata().getNamespace()).isEqualTo("obs");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("metrics-peers");
    var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/capstan:1.2");
    assertThat(container.getArgs()).startsWith("tsdb");
    assertThat(container.getPorts()).extracting(p -> p.getContainerPort()).contains(8086);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ping");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getEnv()).extracting(e -> e.getName())
        .contains("CAPSTAN_TSDB_ADMIN_USER", "CAPSTAN_TSDB_ADMIN_PASSWORD");
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Gi"));
    assertThat(sts.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()).isNotNull();
    // The selector must select the pods the template makes.
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void minimalSpecGetsDefaults() {
    StatefulSet sts = TsdbClusterResources.statefulSet(MINIMAL, SETTINGS);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("capstan/dataplane:test");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("10Gi"));
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .extracting(e -> e.getName()).doesNotContain("CAPSTAN_TSDB_ADMIN_USER");
  }

  @Test
  void nodeConfigResolvesRetentionDefaultsAsInfluxDbDoes() {
    TsdbNodeConfig config = TsdbClusterResources.nodeConfig(FULL);
    assertThat(config.replicationFactor()).isEqualTo(2);
    assertThat(config.authEnabled()).isTrue();
    assertThat(config.databases()).hasSize(2);
    assertThat(config.databases().get(0).retentionPolicies()).containsExactly(
        new TsdbNodeConfig.RetentionPolicy("raw", "7d", "24h", true),
        new TsdbNodeConfig.RetentionPolicy("year", "52w", "7d", false));
    // A database without policies gets InfluxDB's autogen: forever, 7-day shards, default.
    assertThat(config.databases().get(1).retentionPolicies()).containsExactly(
        new TsdbNodeConfig.RetentionPolicy("autogen", "INF", "168h", true));
    assertThat(config.databases().get(0).continuousQueriesOrEmpty()).containsExactly(new TsdbNodeConfig.ContinuousQuery(
        "cpu_1h", "SELECT mean(usage) INTO year.cpu_1h FROM cpu GROUP BY time(1h), *", null, "2h"));
    assertThat(config.databases().get(1).continuousQueries()).isNull();
  }

  @Test
  void firstPolicyIsTheDefaultWhenNoneIsMarked() {
    var c = cluster("""
        databases:
          - name: db
            retentionPolicies:
              - {name: short, duration: 1h}
              - {name: long, duration: 30d}
        """);
    assertThat(TsdbClusterResources.nodeConfig(c).databases().get(0).retentionPolicies())
        .extracting(TsdbNodeConfig.RetentionPolicy::defaultPolicy).containsExactly(true, false);
  }

  static Stream<Arguments> shardDefaults() {
    return Stream.of(
        Arguments.of("1h", "1h"), Arguments.of("47h", "1h"), Arguments.of("2d", "24h"),
        Arguments.of("179d", "24h"), Arguments.of("180d", "168h"), Arguments.of("26w", "168h"),
        Arguments.of("INF", "168h"));
  }

  @ParameterizedTest(name = "duration {0} -> shard {1}")
  @MethodSource("shardDefaults")
  void shardDurationDefaults(String duration, String shard) {
    var c = cluster("databases: [{name: db, retentionPolicies: [{name: rp, duration: " + duration + "}]}]");
    assertThat(TsdbClusterResources.nodeConfig(c).databases().get(0).retentionPolicies().get(0).shardDuration())
        .isEqualTo(shard);
  }

  @Test
  void retentionChangesAreReloadedSoTheyLeaveThePodTemplateAlone() {
    var before = cluster("databases: [{name: db, retentionPolicies: [{name: rp, duration: 7d}]}]");
    var after = cluster("databases: [{name: db, retentionPolicies: [{name: rp, duration: 30d}]}]");
    var newDatabase = cluster("databases: [{name: db, retentionPolicies: [{name: rp, duration: 7d}]}, {name: other}]");
    String h1 = hash(TsdbClusterResources.statefulSet(before, SETTINGS));

    assertThat(h1).isNotBlank();
    assertThat(hash(TsdbClusterResources.statefulSet(after, SETTINGS))).isEqualTo(h1);
    assertThat(hash(TsdbClusterResources.statefulSet(newDatabase, SETTINGS))).isEqualTo(h1);
    assertThat(TsdbClusterResources.configMap(after).getData())
        .isNotEqualTo(TsdbClusterResources.configMap(before).getData());
  }

  @Test
  void settingsReadAtStartChangeThePodTemplateHash() {
    var plain = cluster("databases: [{name: db}]");
    var withAuth = cluster("databases: [{name: db}]\nauthSecretRef: {name: influx-users}");

    assertThat(hash(TsdbClusterResources.statefulSet(withAuth, SETTINGS)))
        .isNotEqualTo(hash(TsdbClusterResources.statefulSet(plain, SETTINGS)));
  }

  private static String hash(StatefulSet sts) {
    return sts.getSpec().getTemplate().getMetadata().getAnnotations().get(ConfigHash.ANNOTATION);
  }

  @Test
  void servicesAndBudget() {
    var peers = TsdbClusterResources.peersService(FULL);
    assertThat(peers.getMetadata().getName()).isEqualTo("metrics-peers");
    assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
    var client = TsdbClusterResources.clientService(FULL);
    assertThat(client.getMetadata().getName()).isEqualTo("metrics");
    assertThat(client.getSpec().getPorts().get(0).getPort()).isEqualTo(8086);
    assertThat(client.getSpec().getSelector()).isEqualTo(peers.getSpec().getSelector());
    var pdb = TsdbClusterResources.podDisruptionBudget(FULL);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(TsdbClusterResources.configMap(FULL).getData()).containsKey("tsdb.yaml");
    assertThat(TsdbClusterResources.endpoint(FULL)).isEqualTo("http://metrics.obs.svc:8086");
  }

  @Test
  void everyObjectIsLabelledAsManagedByCapstan() {
    List.of(
            TsdbClusterResources.configMap(FULL),
            TsdbClusterResources.peersService(FULL),
            TsdbClusterResources.clientService(FULL),
            TsdbClusterResources.statefulSet(FULL, SETTINGS),
            TsdbClusterResources.podDisruptionBudget(FULL))
        .forEach(o -> assertThat(o.getMetadata().getLabels())
            .containsEntry("app.kubernetes.io/managed-by", "capstan")
            .containsEntry("app.kubernetes.io/instance", "metrics"));
  }

  @Test
  void semanticChecksTheSchemaCannotExpress() {
    assertThat(TsdbClusterResources.invalid(FULL)).isEmpty();
    var longShards = cluster("databases: [{name: db, retentionPolicies: [{name: rp, duration: 2h, shardDuration: 1d}]}]");
    assertThat(TsdbClusterResources.invalid(longShards)).hasValueSatisfying(m ->
        assertThat(m).contains("shardDuration 1d is longer than duration 2h"));
    var rfTooHigh = cluster("replicas: 1\nreplicationFactor: 3");
    assertThat(TsdbClusterResources.invalid(rfTooHigh)).hasValueSatisfying(m ->
        assertThat(m).contains("replicationFactor 3 exceeds replicas 1"));
  }
}
