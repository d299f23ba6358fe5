package dev.capstan.controllers.topic;

import java.util.Map;

/**
 * A topic as Kafka describes it.
 *
 * @param topicId Kafka's id of the topic, which a topic of the same name created later does not share
 * @param overrides the topic-level configs (Kafka's {@code DYNAMIC_TOPIC_CONFIG} source): what was
 *     set on this topic, as opposed to what it inherits from the broker
 */
public record ObservedTopic(
    String name, String topicId, int partitions, int replicationFactor, Map<String, String> overrides) {
  public ObservedTopic {
    overrides = Map.copyOf(overrides);
  }

  ObservedTopic withPartitions(int count) {
    return new ObservedTopic(name, topicId, count, replicationFactor, overrides);
  }

  ObservedTopic withOverrides(Map<String, String> configs) {
    return new ObservedTopic(name, topicId, partitions, replicationFactor, configs);
  }
}
