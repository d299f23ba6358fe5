package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A port the balancer accepts clients on; the Service exposes the same port. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// The name also names the balancer's container port, which Kubernetes accepts only with a
// letter in it and no "--" (IANA service names); a DNS label alone would let "8080" through.
@ValidationRule(
    value = "!has(self.name) || (self.name.matches('[a-z]') && !self.name.contains('--'))",
    message = "a listener name needs a letter and no '--', as Kubernetes port names do",
    fieldPath = ".name")
public record Listener(
    @JsonPropertyDescription("Name of the port in the Service and the pods; l-<port> when omitted.")
        @Size(max = 15)
        @Pattern(Patterns.DNS_LABEL)
        String name,
    @JsonPropertyDescription("Port number.") @Required @Min(1) @Max(65535) Integer port) {}
