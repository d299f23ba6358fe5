package dev.capstan.api.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Broker-wide defaults for new topics (Kafka's num.partitions, log.retention.*). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TopicDefaults(
    @JsonPropertyDescription("Partitions of a topic that does not say.")
        @Default("1")
        @Min(1)
        @Max(10000)
        Integer partitions,
    @JsonPropertyDescription("How long records are kept, such as 7d; Infinite keeps them.")
        @Default("7d")
        @Pattern(Patterns.RETENTION_TIME)
        String retentionTime,
    @JsonPropertyDescription("Bytes kept per partition, such as 1Gi; unlimited when omitted.")
        @Pattern(Patterns.BYTE_QUANTITY)
        String retentionBytes) {}
