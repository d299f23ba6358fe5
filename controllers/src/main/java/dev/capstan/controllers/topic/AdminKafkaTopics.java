package dev.capstan.controllers.topic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** {@link KafkaTopics} through one Kafka Admin client. */
public final class AdminKafkaTopics implements KafkaTopics, AutoCloseable {
  /**
   * How long one Admin call may take. Short, so that a cluster that is down turns into a status
   * message within seconds instead of holding a reconciler thread for Kafka's default minute.
   */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  /** How long {@link #describeCluster()} waits: a reachable cluster answers it from metadata. */
  static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(3);

  private final Admin admin;
  private final String bootstrapServers;

  private AdminKafkaTopics(Admin admin, String bootstrapServers) {
    this.admin = admin;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * @throws KafkaException when no client can be made for these servers, such as when none of
   *     their names resolves
   */
  public static AdminKafkaTopics connect(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "capstan-operator");
    int timeout = (int) CALL_TIMEOUT.toMillis();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
    props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2_000);
    props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 4_000);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    return new AdminKafkaTopics(Admin.create(props), bootstrapServers);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public Optional<ObservedTopic> describe(String name) {
    TopicDescription description;
    try {
      description = await(admin.describeTopics(List.of(name)).topicNameValues().get(name));
    } catch (UnknownTopicOrPartitionException e) {
      return Optional.empty();
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
    var config = await(admin.describeConfigs(List.of(resource)).values().get(resource));
    var overrides = new java.util.TreeMap<String, String>();
    for (ConfigEntry entry : config.entries()) {
      if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && entry.value() != null) {
        overrides.put(entry.name(), entry.value());
      }
    }
    int replicationFactor = description.partitions().isEmpty()
        ? 0 : description.partitions().get(0).replicas().size();
    return Optional.of(new ObservedTopic(name, description.topicId().toString(),
        description.partitions().size(), replicationFactor, overrides));
  }

  @Override
  public ObservedTopic create(String name, Integer partitions, Integer replicationFactor, Map<String, String> configs) {
    NewTopic topic = new NewTopic(name, Optional.ofNullable(partitions),
        Optional.ofNullable(replicationFactor).map(Integer::shortValue)).configs(configs);
    CreateTopicsResult result = admin.createTopics(List.of(topic));
    await(result.all());
    return new ObservedTopic(name, await(result.topicId(name)).toString(),
        await(result.numPartitions(name)), await(result.replicationFactor(name)), configs);
  }

  @Override
  public void createPartitions(String name, int totalCount) {
    await(admin.createPartitions(Map.of(name, NewPartitions.increaseTo(totalCount))).all());
  }

  @Override
  public void alterConfigs(String name, Map<String, String> set, Set<String> delete) {
    List<AlterConfigOp> ops = new ArrayList<>();
    set.forEach((key, value) -> ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
    delete.forEach(key -> ops.add(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE)));
    await(admin.incrementalAlterConfigs(
        Map.of(new ConfigResource(ConfigResource.Type.TOPIC, name), ops)).all());
  }

  @Override
  public boolean delete(String topicId) {
    try {
      await(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(Uuid.fromString(topicId)))).all());
      return true;
    } catch (UnknownTopicIdException | UnknownTopicOrPartitionException e) {
      return false;
    }
  }

  /**
   * Who answers at these bootstrap servers, asked with a shorter timeout than the topic calls:
   * this runs on a reconciler thread for every check of an external cluster.
   */
  public KafkaCluster describeCluster() {
    DescribeClusterResult result = admin.describeCluster(
        new DescribeClusterOptions().timeoutMs((int) CLUSTER_TIMEOUT.toMillis()));
    return new KafkaCluster(await(result.clusterId(), CLUSTER_TIMEOUT), await(result.nodes(), CLUSTER_TIMEOUT).size());
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(1));
  }

  /** The future's value, or the Kafka error it failed with, unwrapped. */
  private <T> T await(KafkaFuture<T> future) {
    return await(future, CALL_TIMEOUT);
  }

  private static <T> T await(KafkaFuture<T> future, Duration timeout) {
    try {
      // A little longer than the client's own timeout, so that its more precise error wins.
      return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KafkaException kafka) {
        throw kafka;
      }
      throw new KafkaException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException("no answer within " + timeout.toSeconds() + "s");
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }
}
