package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.StorageSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;

/** What a user asks of a TSDB cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.replicationFactor) || self.replicationFactor <= self.replicas",
    message = "replicationFactor must not exceed replicas",
    fieldPath = ".replicationFactor",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "!has(self.databases) || self.databases.all(a, self.databases.exists_one(b, b.name == a.name))",
    message = "database names must be unique",
    fieldPath = ".databases")
public record TsdbClusterSpec(
    @JsonPropertyDescription("Number of TSDB nodes.") @SpecReplicas @Default("1") @Min(1) @Max(64)
        Integer replicas,
    @JsonPropertyDescription("Container image of the TSDB node; the operator's default when omitted.")
        String image,
    @JsonPropertyDescription("Persistent storage of each node.") StorageSpec storage,
    @JsonPropertyDescription("CPU and memory requests and limits of each node.")
        ResourceRequirements resources,
    @JsonPropertyDescription("Databases to create, each with its retention policies.")
        @Size(max = 64)
        List<DatabaseSpec> databases,
    @JsonPropertyDescription("How many nodes hold a copy of each shard; at most replicas.")
        @Default("1")
        @Min(1)
        @Max(64)
        Integer replicationFactor,
    @JsonPropertyDescription(
            "Secret holding the admin credentials; authentication is off when omitted.")
        SecretKeyRef authSecretRef) {

  public static final int DEFAULT_REPLICAS = 1;

  public int replicasOrDefault() {
    return replicas == null ? DEFAULT_REPLICAS : replicas;
  }

  public int replicationFactorOrDefault() {
    return replicationFactor == null ? 1 : replicationFactor;
  }

  public StorageSpec storageOrDefault() {
    return storage == null ? StorageSpec.defaults() : storage;
  }

  public List<DatabaseSpec> databasesOrEmpty() {
    return databases == null ? List.of() : databases;
  }
}
