package dev.capstan.controllers.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.MessageBrokerSpec.Durability;
import dev.capstan.api.config.BrokerConfig;
import dev.capstan.controllers.common.ConfigHash;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class MessageBrokerResourcesTest {
  private static final ControllerSettings SETTINGS = new ControllerSettings("capstan/dataplane:test");

  static MessageBroker broker(String specYaml) {
    return Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec:
        """ + specYaml.indent(2));
  }

  static final MessageBroker MINIMAL = broker("{}");
  static final MessageBroker FULL = broker("""
      replicas: 3
      image: registry.example/capstan:1.2
      storage: {size: 50Gi, storageClassName: fast}
      resources: {requests: {cpu: 500m, memory: 1Gi}}
      topicDefaults: {partitions: 6, retentionTime: Infinite, retentionBytes: 1Gi}
      durability: PageCache
      """);
  static final MessageBroker EXTERNAL = broker("""
      external: {bootstrapServers: "kafka-0.corp:9092,kafka-1.corp:9092"}
      topicDefaults: {partitions: 12}
      """);

  @Test
  void statefulSetFollowsTheSpec() {
    StatefulSet sts = MessageBrokerResources.statefulSet(FULL, SETTINGS);
    assertThat(sts.getMetadata().getName()).isEqualTo("events");
    assertThat(sts.getMetadata().getNamespace()).isEqualTo("streaming");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("events-brokers");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    var pod = sts.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/capstan:1.2");
    assertThat(container.getArgs())
        .containsExactly("broker", "--config", "/etc/capstan/broker.yaml", "--data", "/var/lib/capstan/broker");
    assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("kafka:9092", "admin:9901");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9901);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9901);
    assertThat(container.getResources().getRequests()).containsEntry("memory", new Quantity("1Gi"));
    // The pod fills {pod} in the advertised listener with its own name.
    assertThat(container.getEnv()).extracting(e -> e.getName()).contains("POD_NAME");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(t -> assertThat(t.getPodAffinityTerm().getLabelSelector().getMatchLabels())
            .isEqualTo(sts.getSpec().getSelector().getMatchLabels()));
    assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath())
        .containsExactlyInAnyOrder("/var/lib/capstan/broker", "/etc/capstan", "/tmp");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactlyInAnyOrder("config", "tmp");
    assertThat(pod.getVolumes()).filteredOn(v -> v.getConfigMap() != null).singleElement()
        .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("events-config"));
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getMetadata().getName()).isEqualTo("data");
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Gi"));
    // The selector must select the pods the template makes.
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void minimalSpecGetsDefaults() {
    StatefulSet sts = MessageBrokerResources.statefulSet(MINIMAL, SETTINGS);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("capstan/dataplane:test");
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0).getSpec();
    assertThat(claim.getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
    assertThat(claim.getStorageClassName()).isNull();
  }

  @Test
  void brokerConfigResolvesKafkasDefaults() {
    assertThat(MessageBrokerResources.brokerConfig(MINIMAL)).isEqualTo(new BrokerConfig(
        9092, 9901, 1, "events", "{pod}.events-brokers.streaming.svc:9092", 1, "7d", null,
        Durability.Fsync));
    assertThat(MessageBrokerResources.brokerConfig(MINIMAL).syncOnAcksAll()).isTrue();
  }

  @Test
  void brokerConfigCarriesTheDeclaredTopicDefaultsAndThePeers() {
    BrokerConfig config = MessageBrokerResources.brokerConfig(FULL);
    assertThat(config.brokers()).isEqualTo(3);
    assertThat(config.defaultPartitions()).isEqualTo(6);
    assertThat(config.defaultRetentionTime()).isEqualTo("Infinite");
    assertThat(config.defaultRetentionBytes()).isEqualTo(1L << 30);
    assertThat(config.durability()).isEqualTo(Durability.PageCache);
    assertThat(config.syncOnAcksAll()).isFalse();
    assertThat(config.listenerOf("events-1")).isEqualTo("events-1.events-brokers.streaming.svc:9092");
    assertThat(config.peerListeners()).containsExactly(
        "events-0.events-brokers.streaming.svc:9092",
        "events-1.events-brokers.streaming.svc:9092",
        "events-2.events-brokers.streaming.svc:9092");
  }

  @Test
  void theRenderedConfigReadsBackAsTheSameRecord() throws Exception {
    String yaml = MessageBrokerResources.configMap(FULL).getData().get(BrokerConfig.FILE);
    assertThat(yaml).contains("advertisedListener: \"{pod}.events-brokers.streaming.svc:9092\"")
        .contains("durability: PageCache").doesNotContain("syncOnAcksAll");
    var reader = new ObjectMapper(new YAMLFactory());
    assertThat(reader.readValue(yaml, BrokerConfig.class)).isEqualTo(MessageBrokerResources.brokerConfig(FULL));
  }

  @ParameterizedTest(name = "retentionBytes {0} -> {1}")
  @CsvSource({"1024, 1024", "1k, 1000", "1Ki, 1024", "512Mi, 536870912", "10G, 10000000000", "1Ti, 1099511627776"})
  void retentionBytesBecomeAPlainCount(String quantity, long bytes) {
    var b = broker("topicDefaults: {retentionBytes: " + quantity + "}");
    assertThat(MessageBrokerResources.brokerConfig(b).defaultRetentionBytes()).isEqualTo(bytes);
  }

  static Stream<Arguments> configChanges() {
    return Stream.of(
        Arguments.of("topicDefaults: {partitions: 3}", "topicDefaults: {partitions: 4}"),
        Arguments.of("topicDefaults: {retentionTime: 7d}", "topicDefaults: {retentionTime: 30d}"),
        Arguments.of("topicDefaults: {retentionBytes: 1Gi}", "topicDefaults: {}"),
        Arguments.of("replicas: 1", "replicas: 3"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("configChanges")
  void configChangeChangesThePodTemplateHash(String before, String after) {
    String h1 = hash(MessageBrokerResources.statefulSet(broker(before), SETTINGS));
    assertThat(h1).isNotBlank();
    assertThat(hash(MessageBrokerResources.statefulSet(broker(after), SETTINGS))).isNotEqualTo(h1);
    assertThat(hash(MessageBrokerResources.statefulSet(broker(before), SETTINGS))).isEqualTo(h1);
  }

  @Test
  void anImageChangeAloneLeavesTheConfigHash() {
    assertThat(hash(MessageBrokerResources.statefulSet(broker("image: a:1"), SETTINGS)))
        .isEqualTo(hash(MessageBrokerResources.statefulSet(broker("image: a:2"), SETTINGS)));
  }

  private static String hash(StatefulSet sts) {
    return sts.getSpec().getTemplate().getMetadata().getAnnotations().get(ConfigHash.ANNOTATION);
  }

  @Test
  void servicesAndBudget() {
    var headless = MessageBrokerResources.headlessService(FULL);
    assertThat(headless.getMetadata().getName()).isEqualTo("events-brokers");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    var bootstrap = MessageBrokerResources.bootstrapService(FULL);
    assertThat(bootstrap.getMetadata().getName()).isEqualTo("events-bootstrap");
    assertThat(bootstrap.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(bootstrap.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(9092);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("kafka");
    });
    StatefulSet sts = MessageBrokerResources.statefulSet(FULL, SETTINGS);
    // Both Services select exactly the broker pods.
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(bootstrap.getSpec().getSelector())
        .containsAllEntriesOf(headless.getSpec().getSelector());
    assertThat(headless.getSpec().getSelector()).isEqualTo(sts.getSpec().getSelector().getMatchLabels());
    var pdb = MessageBrokerResources.podDisruptionBudget(FULL);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(sts.getSpec().getSelector().getMatchLabels());
    assertThat(MessageBrokerResources.configMap(FULL).getData()).containsOnlyKeys("broker.yaml");
  }

  @Test
  void bootstrapServersNameTheBootstrapServiceOrTheExternalCluster() {
    assertThat(MessageBrokerResources.bootstrapServers(FULL)).isEqualTo("events-bootstrap.streaming.svc:9092");
    assertThat(MessageBrokerResources.bootstrapServers(EXTERNAL)).isEqualTo("kafka-0.corp:9092,kafka-1.corp:9092");
  }

  @Test
  void everyObjectIsLabelledAsManagedByCapstan() {
    List.of(
            MessageBrokerResources.configMap(FULL),
            MessageBrokerResources.headlessService(FULL),
            MessageBrokerResources.bootstrapService(FULL),
            MessageBrokerResources.statefulSet(FULL, SETTINGS),
            MessageBrokerResources.podDisruptionBudget(FULL))
        .forEach(o -> {
          assertThat(o.getMetadata().getNamespace()).isEqualTo("streaming");
          assertThat(o.getMetadata().getLabels())
              .containsEntry("app.kubernetes.io/managed-by", "capstan")
              .containsEntry("app.kubernetes.io/name", "broker")
              .containsEntry("app.kubernetes.io/instance", "events");
        });
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        Arguments.of("topicDefaults: {retentionTime: 0s}", "topicDefaults.retentionTime 0s would keep no records"),
        Arguments.of("topicDefaults: {retentionTime: 0d0h}", "use a positive duration, or Infinite"),
        Arguments.of("topicDefaults: {retentionTime: 99999999999999999w}", "'99999999999999999w' is too long"),
        Arguments.of("topicDefaults: {retentionBytes: 99999P}", "retentionBytes 99999P is more bytes than Kafka can count"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void semanticChecksTheSchemaCannotExpress(String spec, String message) {
    assertThat(MessageBrokerResources.invalid(broker(spec))).hasValueSatisfying(m -> assertThat(m).contains(message));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{}",
      "topicDefaults: {retentionTime: 1d12h, retentionBytes: 8Pi}",
      "topicDefaults: {retentionTime: Infinite, retentionBytes: 0}",
      "topicDefaults: {retentionTime: 1ms, retentionBytes: 9223372036854775807}"})
  void validSpecsPass(String spec) {
    assertThat(MessageBrokerResources.invalid(broker(spec))).isEmpty();
  }

  @Test
  void theExternalClusterSurvivesSerialisation() {
    // MessageBrokerSpec once had an isExternal() that Jackson wrote as `external: true`.
    String yaml = Serialization.asYaml(EXTERNAL);
    assertThat(yaml).contains("bootstrapServers: \"kafka-0.corp:9092,kafka-1.corp:9092\"");
    assertThat(Serialization.unmarshal(yaml, MessageBroker.class).getSpec()).isEqualTo(EXTERNAL.getSpec());
  }
}
