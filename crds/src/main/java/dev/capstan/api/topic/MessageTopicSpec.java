package dev.capstan.api.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** What a user asks of a topic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(oldSelf.partitions) || (has(self.partitions) && self.partitions >= oldSelf.partitions)",
    message = "partitions may only grow: Kafka cannot remove partitions from a topic",
    fieldPath = ".partitions",
    reason = "FieldValueForbidden")
@ValidationRule(
    value = "has(self.topicName) == has(oldSelf.topicName) "
        + "&& (!has(self.topicName) || self.topicName == oldSelf.topicName)",
    message = "topicName is immutable: Kafka cannot rename a topic",
    fieldPath = ".topicName",
    reason = "FieldValueForbidden")
@ValidationRule(
    value = "self.brokerRef.name == oldSelf.brokerRef.name",
    message = "brokerRef is immutable: create a new MessageTopic to move a topic",
    fieldPath = ".brokerRef",
    reason = "FieldValueForbidden")
@ValidationRule(
    value = "!has(self.config) || !self.config.exists(k, k in "
        + "['cleanup.policy', 'retention.ms', 'retention.bytes'])",
    message = "config must not set cleanup.policy, retention.ms or retention.bytes: "
        + "use spec.cleanupPolicy and spec.retention",
    fieldPath = ".config")
public record MessageTopicSpec(
    @JsonPropertyDescription("The MessageBroker, in this namespace, that holds the topic.")
        @Required
        BrokerRef brokerRef,
    @JsonPropertyDescription("Kafka topic name; the resource's name when omitted. Immutable.")
        @Size(min = 1, max = 249)
        @Pattern("^[a-zA-Z0-9._-]+$")
        String topicName,
    @JsonPropertyDescription("Number of partitions; may only grow. The broker's default when omitted.")
        @Min(1)
        @Max(10000)
        Integer partitions,
    @JsonPropertyDescription("Copies of each partition; the broker's default when omitted.")
        @Min(1)
        @Max(32767)
        Integer replicationFactor,
    @JsonPropertyDescription("How long and how much the topic keeps.") Retention retention,
    @JsonPropertyDescription("delete removes old segments; compact keeps the last record per key.")
        @Default("delete")
        CleanupPolicy cleanupPolicy,
    @JsonPropertyDescription("Other Kafka topic configs, such as max.message.bytes.")
        @Size(max = 64)
        Map<String, String> config,
    @JsonPropertyDescription(
            "Delete removes the Kafka topic with the resource; Retain leaves it in the broker.")
        @Default("Delete")
        DeletionPolicy deletionPolicy) {

  /** Kafka's values, spelled as Kafka spells them. */
  public enum CleanupPolicy {
    delete,
    compact
  }

  public enum DeletionPolicy {
    Delete,
    Retain
  }

  /** Names the MessageBroker. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BrokerRef(
      @JsonPropertyDescription("MessageBroker name.") @Required @Pattern(Patterns.DNS_LABEL)
          String name) {}

  /** Kafka's retention.ms and retention.bytes. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Retention(
      @JsonPropertyDescription("How long records are kept, such as 7d; Infinite keeps them.")
          @Pattern(Patterns.RETENTION_TIME)
          String time,
      @JsonPropertyDescription("Bytes kept per partition, such as 1Gi; unlimited when omitted.")
          @Pattern(Patterns.BYTE_QUANTITY)
          String bytes) {}
}
