package dev.capstan.api.lb;

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

/**
 * One source of servers: the ready endpoints of a Service (followed live through its
 * EndpointSlices) or a fixed host and port. The weight applies to each server it yields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.service) != has(self.host)",
    message = "a backend names either a service or a host, not both and not neither",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "has(self.host) == has(self.port)",
    message = "a host backend needs a port, and a service backend takes its port from service.port",
    fieldPath = ".port",
    reason = "FieldValueRequired")
public record Backend(
    @JsonPropertyDescription("A Service in the same namespace.") ServiceRef service,
    @JsonPropertyDescription("A fixed host name or IP address.")
        @Size(min = 1, max = 253)
        @Pattern("^[A-Za-z0-9.:-]+$")
        String host,
    @JsonPropertyDescription("Port of the fixed host.") @Min(1) @Max(65535) Integer port,
    @JsonPropertyDescription("Relative share of traffic of each server, 1 to 1000.")
        @Default("" + DEFAULT_WEIGHT)
        @Min(1)
        @Max(1000)
        Integer weight) {

  public static final int DEFAULT_WEIGHT = 1;

  public int weightOrDefault() {
    return weight == null ? DEFAULT_WEIGHT : weight;
  }

  /** A Service and the port of it to send traffic to. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServiceRef(
      @JsonPropertyDescription("Service name.") @Required @Pattern(Patterns.DNS_LABEL)
          String name,
      @JsonPropertyDescription("Service port number.") @Required @Min(1) @Max(65535)
          Integer port) {}
}
