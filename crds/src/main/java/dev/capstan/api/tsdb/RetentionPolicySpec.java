package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A retention policy: data older than {@code duration} is dropped a whole shard group at a
 * time, each group covering {@code shardDuration}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.duration == 'INF' || " + Patterns.CEL_DURATION_AT_LEAST_ONE_HOUR,
    message = "duration must be at least 1h, or INF",
    fieldPath = ".duration")
@ValidationRule(
    value = "!has(self.shardDuration) || (self.shardDuration != 'INF' && "
        + Patterns.CEL_SHARD_DURATION_AT_LEAST_ONE_HOUR + ")",
    message = "shardDuration must be at least 1h",
    fieldPath = ".shardDuration")
public record RetentionPolicySpec(
    @JsonPropertyDescription("Policy name.")
        @Required
        @Size(max = 64)
        @Pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
        String name,
    @JsonPropertyDescription(
            "How long data is kept, an InfluxDB duration such as 90m, 7d or 52w (at least 1h), "
                + "or INF to keep it forever.")
        @Required
        @Size(max = 32)
        @Pattern(Patterns.INFLUX_DURATION)
        String duration,
    @JsonPropertyDescription(
            "Time span of one shard group (at least 1h); when omitted, as InfluxDB chooses: "
                + "1h for durations under 2d, 1d under 180d, 7d from 180d on.")
        @Size(max = 32)
        @Pattern(Patterns.INFLUX_DURATION)
        String shardDuration,
    @JsonPropertyDescription("Whether writes without an rp parameter go to this policy.")
        @JsonProperty("default")
        Boolean isDefault) {

  public boolean defaultPolicy() {
    return Boolean.TRUE.equals(isDefault);
  }
}
