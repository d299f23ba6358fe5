package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topic admin API as the official Admin client sees it. */
class BrokerAdminTest {

  @TempDir
  static Path dir;
  static TestBroker broker;
  static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(dir);
    admin = broker.admin();
  }

  @AfterAll
  static void stop() throws Exception {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void createsDescribesListsGrowsAndDeletesATopic() throws Exception {
    var created = admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1)
        .configs(Map.of("retention.ms", "3600000", "segment.bytes", "1048576"))));
    created.all().get();

    assertThat(admin.listTopics().names().get()).contains("orders");
    TopicDescription described = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
    assertThat(described.partitions()).hasSize(3);
    assertThat(described.partitions()).allSatisfy(p -> assertThat(p.leader().id()).isEqualTo(0));
    assertThat(described.topicId()).isEqualTo(created.topicId("orders").get())
        .isNotEqualTo(Uuid.ZERO_UUID);

    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
    Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
    assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
    assertThat(config.get("cleanup.policy").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

    admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(5))).all().get();
    assertThat(admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders").partitions()).hasSize(5);
    assertThatThrownBy(() -> admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(2))).all().get())
        .hasCauseInstanceOf(InvalidPartitionsException.class);

    admin.incrementalAlterConfigs(Map.of(resource, List.of(
        new AlterConfigOp(new ConfigEntry("retention.bytes", "1000000"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE)))).all().get();
    Config altered = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    assertThat(altered.get("retention.bytes").value()).isEqualTo("1000000");
    assertThat(altered.get("retention.ms").value()).isEqualTo(Long.toString(7L * 24 * 3600 * 1000));
    assertThat(altered.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

    admin.deleteTopics(List.of("orders")).all().get();
    assertThat(admin.listTopics().names().get()).doesNotContain("orders");
    assertThatThrownBy(() -> admin.describeTopics(List.of("orders")).allTopicNames().get())
        .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
  }

  @Test
  void refusesWhatItCannotDoWithAClearMessage() throws Exception {
    admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all().get();
    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all().get())
        .hasCauseInstanceOf(TopicExistsException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("compacted", 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get())
        .hasCauseInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("cleanup.policy=compact is not supported yet");
    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 3))).all().get())
        .hasCauseInstanceOf(InvalidReplicationFactorException.class)
        .hasMessageContaining("replication is not implemented yet");
    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("odd", 1, (short) 1)
        .configs(Map.of("flavour", "vanilla")))).all().get())
        .hasCauseInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("flavour");
    ConfigResource dupResource = new ConfigResource(ConfigResource.Type.TOPIC, "dup");
    assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(dupResource, List.of(
        new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET)))).all().get())
        .hasCauseInstanceOf(InvalidConfigurationException.class);
    assertThat(admin.listTopics().names().get()).doesNotContain("compacted", "replicated", "odd");
  }

  @Test
  void reloadedDefaultRetentionReachesTopicsWithoutTheirOwn() throws Exception {
    admin.createTopics(List.of(new NewTopic("plain", 1, (short) 1),
        new NewTopic("own", 1, (short) 1).configs(Map.of("retention.ms", "1000")))).all().get();
    broker.server.setDefaultRetention(3_600_000, 5_000_000);
    try {
      ConfigResource plain = new ConfigResource(ConfigResource.Type.TOPIC, "plain");
      ConfigResource own = new ConfigResource(ConfigResource.Type.TOPIC, "own");
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(plain, own)).all().get();
      assertThat(configs.get(plain).get("retention.ms").value()).isEqualTo("3600000");
      assertThat(configs.get(plain).get("retention.bytes").value()).isEqualTo("5000000");
      assertThat(configs.get(own).get("retention.ms").value()).isEqualTo("1000");
      assertThat(configs.get(own).get("retention.bytes").value()).isEqualTo("5000000");
    } finally {
      broker.server.setDefaultRetention(7L * 24 * 3600 * 1000, -1);
    }
  }

  @Test
  void validateOnlyCreatesNothing() throws Exception {
    admin.createTopics(List.of(new NewTopic("dry", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true)).all().get();
    assertThat(admin.listTopics().names().get()).doesNotContain("dry");
  }

  @Test
  void describesTheClusterAndTheBrokerConfig() throws Exception {
    Collection<org.apache.kafka.common.Node> nodes = admin.describeCluster().nodes().get();
    assertThat(nodes).hasSize(1);
    assertThat(admin.describeCluster().clusterId().get()).isEqualTo(ClusterLayout.clusterIdFor("capstan-local"));
    ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "0");
    Config brokerConfig = admin.describeConfigs(Set.of(brokerResource)).all().get().get(brokerResource);
    assertThat(brokerConfig.get("num.partitions").value()).isEqualTo("1");
    assertThat(brokerConfig.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
  }

  @Test
  void topicsSurviveARestart() throws Exception {
    admin.createTopics(List.of(new NewTopic("durable", 4, (short) 1).configs(Map.of("retention.bytes", "4096"))))
        .all().get();
    Path other = dir.resolve("restart");
    try (TestBroker first = TestBroker.start(other); Admin a = first.admin()) {
      a.createTopics(List.of(new NewTopic("kept", 2, (short) 1).configs(Map.of("retention.bytes", "4096")))).all().get();
    }
    try (TestBroker second = TestBroker.start(other); Admin a = second.admin()) {
      assertThat(a.describeTopics(List.of("kept")).allTopicNames().get().get("kept").partitions()).hasSize(2);
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "kept");
      assertThat(a.describeConfigs(List.of(r)).all().get().get(r).get("retention.bytes").value()).isEqualTo("4096");
    }
  }
}
