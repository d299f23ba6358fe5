package dev.capstan.api.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.StorageSpec;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/**
 * What a user asks of a broker. Replicas have no schema default: an external broker has no
 * workload, and a default would put replicas on it. The operator runs one when omitted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.external) || (!has(self.replicas) && !has(self.storage) "
        + "&& !has(self.resources) && !has(self.image) && !has(self.durability))",
    message = "an external broker runs no pods: replicas, storage, resources, image and durability are not "
        + "allowed with external",
    fieldPath = ".external")
public record MessageBrokerSpec(
    @JsonPropertyDescription("Number of broker pods (1 when omitted); not allowed with external.")
        @SpecReplicas
        @Min(1)
        @Max(64)
        Integer replicas,
    @JsonPropertyDescription("Container image of the broker; the operator's default when omitted.")
        String image,
    @JsonPropertyDescription("Persistent storage of each broker pod.") StorageSpec storage,
    @JsonPropertyDescription("CPU and memory requests and limits of each broker pod.")
        ResourceRequirements resources,
    @JsonPropertyDescription("Defaults for topics that do not set their own.")
        TopicDefaults topicDefaults,
    @JsonPropertyDescription("When a produce with acks=all is answered (Fsync when omitted; not allowed with "
        + "external). Fsync: after the partition's log is fdatasynced, so a crash of the node loses no "
        + "acknowledged record. PageCache: once the records are in the page cache, as Kafka answers by "
        + "default; faster, but a crash of the node loses what the last second's flush had not synced.")
        Durability durability,
    @JsonPropertyDescription("An existing Kafka cluster to manage topics in, instead of pods.")
        ExternalKafka external) {

  public static final int DEFAULT_REPLICAS = 1;

  // Not named isExternal(): Jackson and the CRD generator would take that for a boolean
  // property "external" and write `external: true` over the object.
  public boolean usesExternalKafka() {
    return external != null;
  }

  public int replicasOrDefault() {
    return replicas == null ? DEFAULT_REPLICAS : replicas;
  }

  public StorageSpec storageOrDefault() {
    return storage == null ? StorageSpec.defaults() : storage;
  }

  public Durability durabilityOrDefault() {
    return durability == null ? Durability.Fsync : durability;
  }

  /**
   * What an acks=all answer promises. No schema default, as for replicas: an external broker
   * must not get one.
   */
  public enum Durability {
    /** The partition's log is fdatasynced before the answer (with one replica there is no other copy). */
    Fsync,
    /** The records are in the page cache; the broker's periodic flush syncs them (Kafka's default answer). */
    PageCache
  }
}
