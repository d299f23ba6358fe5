package dev.capstan.api.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.CapstanStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** What the operator observed of a broker. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageBrokerStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription("Ready, Progressing and Degraded.") List<Condition> conditions,
    @JsonPropertyDescription("Broker pods that exist.") @StatusReplicas Integer replicas,
    @JsonPropertyDescription("Broker pods that are ready.") Integer readyReplicas,
    @JsonPropertyDescription("Label selector of the broker pods, for the scale subresource.")
        @LabelSelector
        String selector,
    @JsonPropertyDescription("What Kafka clients use as bootstrap.servers.")
        String bootstrapServers,
    @JsonPropertyDescription("The Kafka cluster id, once the cluster has answered.")
        String clusterId)
    implements CapstanStatus {}
