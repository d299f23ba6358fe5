package dev.capstan.controllers.topic;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.TopicDefaults;
import dev.capstan.api.config.BrokerConfig;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.api.topic.MessageTopicSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kafka topic a MessageTopic asks for, with the broker's topic defaults filled in.
 *
 * @param partitions null to leave the count to the broker ({@code num.partitions})
 * @param replicationFactor null to leave it to the broker ({@code default.replication.factor})
 * @param configs every topic-level config the topic should have; Capstan removes any other
 *     topic-level override (see {@link TopicPlan})
 */
public record DesiredTopic(String name, Integer partitions, Integer replicationFactor, Map<String, String> configs) {
  static final String CLEANUP_POLICY = "cleanup.policy";
  static final String RETENTION_MS = "retention.ms";
  static final String RETENTION_BYTES = "retention.bytes";

  public DesiredTopic {
    configs = Map.copyOf(configs);
  }

  /**
   * What {@code topic} asks of Kafka. The broker's {@code topicDefaults} give the partitions of
   * a new topic and the retention of a topic that sets none; they do not grow an existing topic.
   *
   * @throws IllegalArgumentException naming the field when a value cannot be given to Kafka
   */
  public static DesiredTopic of(MessageTopic topic, MessageBroker broker) {
    MessageTopicSpec spec = topic.getSpec();
    TopicDefaults defaults = broker.getSpec() == null ? null : broker.getSpec().topicDefaults();
    Map<String, String> configs = new TreeMap<>();
    if (spec.config() != null) {
      configs.putAll(spec.config());
    }
    // The schema defaults cleanupPolicy to delete; an object that skipped the schema means the same.
    configs.put(CLEANUP_POLICY, spec.cleanupPolicy() == null
        ? MessageTopicSpec.CleanupPolicy.delete.name() : spec.cleanupPolicy().name());

    MessageTopicSpec.Retention retention = spec.retention();
    String time = retention != null && retention.time() != null ? retention.time()
        : defaults == null ? null : defaults.retentionTime();
    String timeField = retention != null && retention.time() != null
        ? "spec.retention.time" : "the broker's topicDefaults.retentionTime";
    if (time != null) {
      try {
        configs.put(RETENTION_MS, Long.toString(BrokerConfig.retentionMillis(time)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(timeField + ": " + e.getMessage(), e);
      }
    }
    String bytes = retention != null && retention.bytes() != null ? retention.bytes()
        : defaults == null ? null : defaults.retentionBytes();
    if (bytes != null) {
      String bytesField = retention != null && retention.bytes() != null
          ? "spec.retention.bytes" : "the broker's topicDefaults.retentionBytes";
      configs.put(RETENTION_BYTES, Long.toString(bytes(bytesField, bytes)));
    }

    Integer partitions = spec.partitions() != null ? spec.partitions()
        : defaults == null ? null : defaults.partitions();
    return new DesiredTopic(TopicStatusLogic.topicName(topic), partitions, spec.replicationFactor(), configs);
  }

  private static long bytes(String field, String quantity) {
    BigInteger amount;
    try {
      amount = Quantity.getAmountInBytes(new Quantity(quantity)).toBigInteger();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " " + quantity + " is no byte quantity such as 1Gi", e);
    }
    if (amount.bitLength() >= Long.SIZE) {
      throw new IllegalArgumentException(
          field + " " + quantity + " is more bytes than Kafka can count (at most " + Long.MAX_VALUE + ")");
    }
    return amount.longValueExact();
  }
}
