package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A database and its retention policies, as {@code CREATE DATABASE} would make them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.retentionPolicies) || self.retentionPolicies.filter(rp, has(rp.default) && rp.default).size() <= 1",
    message = "at most one retention policy per database may be the default",
    fieldPath = ".retentionPolicies")
@ValidationRule(
    value = "!has(self.retentionPolicies) || self.retentionPolicies.all(a, self.retentionPolicies.exists_one(b, b.name == a.name))",
    message = "retention policy names must be unique within a database",
    fieldPath = ".retentionPolicies")
public record DatabaseSpec(
    @JsonPropertyDescription("Database name.")
        @Required
        @Size(max = 64)
        @Pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
        String name,
    @JsonPropertyDescription(
            "Retention policies of the database; at most one is the default. When none is "
                + "given the database gets InfluxDB's 'autogen' policy, kept forever.")
        @Size(max = 16)
        List<RetentionPolicySpec> retentionPolicies) {

  public List<RetentionPolicySpec> retentionPoliciesOrEmpty() {
    return retentionPolicies == null ? List.of() : retentionPolicies;
  }
}
