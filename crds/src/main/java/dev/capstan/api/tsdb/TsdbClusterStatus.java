package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.CapstanStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** What the operator observed of a TSDB cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TsdbClusterStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription("Ready, Progressing and Degraded.") List<Condition> conditions,
    @JsonPropertyDescription("Nodes that exist.") @StatusReplicas Integer replicas,
    @JsonPropertyDescription("Nodes that are ready.") Integer readyReplicas,
    @JsonPropertyDescription("Label selector of the nodes, for the scale subresource.")
        @LabelSelector
        String selector,
    @JsonPropertyDescription("URL of the InfluxDB-compatible HTTP API inside the cluster.")
        String endpoint)
    implements CapstanStatus {}
