package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * A database, its retention policies and its continuous queries, as {@code CREATE DATABASE},
 * {@code CREATE RETENTION POLICY} and {@code CREATE CONTINUOUS QUERY} would make them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.retentionPolicies) || self.retentionPolicies.filter(rp, has(rp.default) && rp.default).size() <= 1",
    message = "at most one retention policy per database may be the default",
    fieldPath = ".retentionPolicies")
@ValidationRule(
    value = "!has(self.retentionPolicies) || self.retentionPolicies.all(a, self.retentionPolicies.exists_one(b, b.name == a.name))",
    message = "retention policy names must be unique within a database",
    fieldPath = ".retentionPolicies")
@ValidationRule(
    value = "!has(self.continuousQueries) || self.continuousQueries.all(a, self.continuousQueries.exists_one(b, b.name == a.name))",
    message = "continuous query names must be unique within a database",
    fieldPath = ".continuousQueries")
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
        List<RetentionPolicySpec> retentionPolicies,
    @JsonPropertyDescription(
            "Continuous queries of the database, typically downsampling into a longer retention "
                + "policy. Queries created with InfluxQL on the nodes are left alone.")
        @Size(max = 32)
        List<ContinuousQuerySpec> continuousQueries) {

  public DatabaseSpec(String name, List<RetentionPolicySpec> retentionPolicies) {
    this(name, retentionPolicies, null);
  }

  public List<RetentionPolicySpec> retentionPoliciesOrEmpty() {
    return retentionPolicies == null ? List.of() : retentionPolicies;
  }

  public List<ContinuousQuerySpec> continuousQueriesOrEmpty() {
    return continuousQueries == null ? List.of() : continuousQueries;
  }
}
