package dev.capstan.controllers.topic;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The topics of one Kafka cluster: the I/O edge of the topic controller. Every method fails
 * with the Kafka client's {@link org.apache.kafka.common.KafkaException} subclass of the error,
 * {@link org.apache.kafka.common.errors.TimeoutException} when the cluster does not answer.
 */
public interface KafkaTopics {
  /** The topic, or empty when the cluster has none of that name. */
  Optional<ObservedTopic> describe(String name);

  /** Creates the topic; a null count leaves it to the broker. Returns the topic as created. */
  ObservedTopic create(String name, Integer partitions, Integer replicationFactor, Map<String, String> configs);

  void createPartitions(String name, int totalCount);

  /** Sets {@code set} and removes the topic-level overrides {@code delete}, in one request. */
  void alterConfigs(String name, Map<String, String> set, Set<String> delete);

  /**
   * Deletes the topic with this id (not a later topic of the same name).
   *
   * @return false when there was no such topic
   */
  boolean delete(String topicId);
}
