package dev.capstan.controllers.broker;

import dev.capstan.controllers.topic.KafkaCluster;

/**
 * Asks the Kafka cluster at some bootstrap servers who it is: the I/O edge of the MessageBroker
 * controller for {@code spec.external}. {@link dev.capstan.controllers.topic.KafkaAdmins#describeCluster}
 * is the real one.
 */
@FunctionalInterface
public interface KafkaClusterProbe {
  /**
   * Returns within a few seconds, or fails with the Kafka client's
   * {@link org.apache.kafka.common.KafkaException}: a
   * {@link org.apache.kafka.common.errors.TimeoutException} when the cluster does not answer.
   */
  KafkaCluster describe(String bootstrapServers);
}
