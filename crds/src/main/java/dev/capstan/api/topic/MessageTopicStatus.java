package dev.capstan.api.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.CapstanStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a topic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageTopicStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription("Ready, Progressing and Degraded.") List<Condition> conditions,
    @JsonPropertyDescription("The Kafka topic this resource manages.") String topicName,
    @JsonPropertyDescription("The Kafka topic id.") String topicId,
    @JsonPropertyDescription("Partitions the topic has in Kafka.") Integer partitions,
    @JsonPropertyDescription("Replication factor of the topic in Kafka.") Integer replicationFactor)
    implements CapstanStatus {}
