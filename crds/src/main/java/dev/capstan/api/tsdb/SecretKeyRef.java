package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Secret in the resource's namespace holding a user name and a password. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeyRef(
    @JsonPropertyDescription("Name of the Secret.") @Required @Pattern(Patterns.DNS_LABEL)
        String name,
    @JsonPropertyDescription("Key of the user name in the Secret.") @Default("username")
        String usernameKey,
    @JsonPropertyDescription("Key of the password in the Secret.") @Default("password")
        String passwordKey) {}
