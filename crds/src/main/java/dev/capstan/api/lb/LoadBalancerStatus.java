package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.CapstanStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** What the operator observed of a load balancer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoadBalancerStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription("Ready, Progressing and Degraded.") List<Condition> conditions,
    @JsonPropertyDescription("Balancer pods that exist.") @StatusReplicas Integer replicas,
    @JsonPropertyDescription("Balancer pods that are ready.") Integer readyReplicas,
    @JsonPropertyDescription("Label selector of the balancer pods, for the scale subresource.")
        @LabelSelector
        String selector,
    @JsonPropertyDescription("Addresses clients use, host:port inside the cluster.")
        List<String> endpoints,
    @JsonPropertyDescription(
            "Servers every ready balancer considers healthy (the lowest count they report), "
                + "brought up to date every few seconds; absent when no ready balancer answered.")
        Integer healthyServers)
    implements CapstanStatus {}
