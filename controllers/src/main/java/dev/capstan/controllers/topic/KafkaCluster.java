package dev.capstan.controllers.topic;

/**
 * What a Kafka cluster says of itself.
 *
 * @param clusterId Kafka's cluster id, as {@code kafka-cluster cluster-id} prints it
 * @param brokers the brokers the cluster's metadata lists now
 */
public record KafkaCluster(String clusterId, int brokers) {}
