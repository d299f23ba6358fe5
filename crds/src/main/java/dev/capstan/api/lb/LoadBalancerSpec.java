package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;

/** What a user asks of a load balancer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(self.algorithm == 'Hash') == has(self.hashKey)",
    message = "hashKey is required when algorithm is Hash and not allowed otherwise",
    fieldPath = ".hashKey",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "self.mode == 'HTTP' || self.algorithm != 'Hash'",
    message = "algorithm Hash reads HTTP requests and needs mode HTTP; in TCP mode use IPHash",
    fieldPath = ".algorithm")
@ValidationRule(
    value = "!has(self.twoChoices) || self.algorithm == 'RandomTwoChoices'",
    message = "twoChoices is only allowed when algorithm is RandomTwoChoices",
    fieldPath = ".twoChoices")
@ValidationRule(
    value = "!has(self.leastTime) || self.algorithm == 'LeastTime' || "
        + "(self.algorithm == 'RandomTwoChoices' && has(self.twoChoices) "
        + "&& self.twoChoices.basis == 'LeastTime')",
    message = "leastTime is only allowed with algorithm LeastTime, or RandomTwoChoices by LeastTime",
    fieldPath = ".leastTime")
@ValidationRule(
    value = "!has(self.sessionPersistence) || self.sessionPersistence.type == 'None' "
        + "|| self.mode == 'HTTP'",
    message = "cookie session persistence needs mode HTTP",
    fieldPath = ".sessionPersistence")
@ValidationRule(
    value = "self.listeners.all(a, self.listeners.exists_one(b, b.port == a.port))",
    message = "listener ports must be unique",
    fieldPath = ".listeners")
@ValidationRule(
    value = "!has(self.trustedProxies) || self.mode == 'HTTP'",
    message = "trustedProxies is for X-Forwarded-For, which only exists in mode HTTP",
    fieldPath = ".trustedProxies")
@ValidationRule(
    value = "!has(self.trustedProxies) || "
        + "self.trustedProxies.all(c, isCIDR(c))",
    message = "trustedProxies must be CIDR blocks such as 10.0.0.0/8",
    fieldPath = ".trustedProxies")
@ValidationRule(
    value = "!has(self.proxyProtocol) || self.proxyProtocol == 'None' || self.mode == 'TCP'",
    message = "proxyProtocol V1 or V2 needs mode TCP; in mode HTTP servers get the client "
        + "address in X-Forwarded-For",
    fieldPath = ".proxyProtocol")
public record LoadBalancerSpec(
    @JsonPropertyDescription("HTTP balances requests (L7); TCP balances connections (L4).")
        @Default("HTTP")
        Mode mode,
    @JsonPropertyDescription("How a server is picked for each request (HTTP) or connection (TCP).")
        @Default("RoundRobin")
        Algorithm algorithm,
    @JsonPropertyDescription("What to hash; required exactly when algorithm is Hash.")
        HashKey hashKey,
    @JsonPropertyDescription("What LeastTime measures.") LeastTime leastTime,
    @JsonPropertyDescription("How RandomTwoChoices compares its two candidates.")
        TwoChoices twoChoices,
    @JsonPropertyDescription("Keeps a client on one server with a cookie (HTTP only).")
        SessionPersistence sessionPersistence,
    @JsonPropertyDescription(
            "Client networks (CIDR) whose X-Forwarded-For header is trusted for IPHash.")
        @Size(max = 32)
        // Without a length bound on each item the API server estimates the CIDR rule above
        // too costly and refuses the CRD; 49 fits the longest IPv6 form plus "/128".
        List<@Size(max = 49) String> trustedProxies,
    @JsonPropertyDescription(
            "PROXY protocol header that starts each connection to a server, with the client's "
                + "address (TCP only; HAProxy's send-proxy and send-proxy-v2): None, V1 (text) "
                + "or V2 (binary). The servers must expect it.")
        @Default("None")
        ProxyProtocol proxyProtocol,
    @JsonPropertyDescription("Where traffic goes: Services or fixed addresses.")
        @Required
        @Size(min = 1, max = 64)
        List<Backend> backends,
    @JsonPropertyDescription("Ports the balancer listens on.")
        @Required
        @Size(min = 1, max = 16)
        List<Listener> listeners,
    @JsonPropertyDescription("Active and passive health checking of servers.")
        HealthCheck healthCheck,
    @JsonPropertyDescription("Connection and response timeouts.") Timeouts timeouts,
    @JsonPropertyDescription("Number of balancer pods.") @SpecReplicas @Default("1") @Min(1) @Max(64)
        Integer replicas,
    @JsonPropertyDescription("Type of the Service in front of the balancer pods.")
        @Default("ClusterIP")
        ServiceType serviceType,
    @JsonPropertyDescription("Container image of the balancer; the operator's default when omitted.")
        String image,
    @JsonPropertyDescription("CPU and memory requests and limits of each balancer pod.")
        ResourceRequirements resources) {

  public List<String> trustedProxiesOrEmpty() {
    return trustedProxies == null ? List.of() : trustedProxies;
  }

  public Timeouts timeoutsOrDefault() {
    return timeouts == null ? Timeouts.DEFAULTS : timeouts;
  }

  public ProxyProtocol proxyProtocolOrDefault() {
    return proxyProtocol == null ? ProxyProtocol.None : proxyProtocol;
  }

  public Mode modeOrDefault() {
    return mode == null ? Mode.HTTP : mode;
  }

  public Algorithm algorithmOrDefault() {
    return algorithm == null ? Algorithm.RoundRobin : algorithm;
  }

  public int replicasOrDefault() {
    return replicas == null ? 1 : replicas;
  }

  public ServiceType serviceTypeOrDefault() {
    return serviceType == null ? ServiceType.ClusterIP : serviceType;
  }

  public enum Mode {
    HTTP,
    TCP
  }

  public enum Algorithm {
    RoundRobin,
    LeastConnections,
    LeastTime,
    Hash,
    IPHash,
    RandomTwoChoices
  }

  /** The PROXY protocol version sent to servers ahead of the client's bytes. */
  public enum ProxyProtocol {
    None,
    V1,
    V2
  }

  public enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer
  }
}
