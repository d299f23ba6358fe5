package dev.capstan.api.tsdb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A continuous query of a database, as {@code CREATE CONTINUOUS QUERY <name> ON <database>
 * [RESAMPLE EVERY .. FOR ..] BEGIN <query> END} would make it: the usual way to downsample into
 * a longer retention policy. The nodes check the query when they apply the configuration and
 * log the ones they refuse.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.resampleEvery) || self.resampleEvery != 'INF'",
    message = "resampleEvery must be a duration, not INF",
    fieldPath = ".resampleEvery")
@ValidationRule(
    value = "!has(self.resampleFor) || self.resampleFor != 'INF'",
    message = "resampleFor must be a duration, not INF",
    fieldPath = ".resampleFor")
public record ContinuousQuerySpec(
    @JsonPropertyDescription("Name of the continuous query, unique within its database.")
        @Required
        @Size(max = 64)
        @Pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
        String name,
    @JsonPropertyDescription(
            "The SELECT to run, with INTO and GROUP BY time(...), e.g. SELECT mean(v) INTO "
                + "year.cpu_1h FROM cpu GROUP BY time(1h), *; names without a database are this "
                + "database's.")
        @Required
        @Size(max = 4096)
        @Pattern("^\\s*[Ss][Ee][Ll][Ee][Cc][Tt]\\s")
        String query,
    @JsonPropertyDescription(
            "How often it runs (RESAMPLE EVERY); by default once per GROUP BY interval.")
        @Size(max = 32)
        @Pattern(Patterns.INFLUX_DURATION)
        String resampleEvery,
    @JsonPropertyDescription(
            "How far back each run recomputes (RESAMPLE FOR), at least the GROUP BY interval; "
                + "by default one interval.")
        @Size(max = 32)
        @Pattern(Patterns.INFLUX_DURATION)
        String resampleFor) {}
