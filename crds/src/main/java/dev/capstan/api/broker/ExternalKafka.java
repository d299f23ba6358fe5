package dev.capstan.api.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An existing Kafka cluster reached through its bootstrap servers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExternalKafka(
    @JsonPropertyDescription("Comma-separated host:port list, as Kafka clients take it.")
        @Required
        @Size(min = 1, max = 2048)
        @Pattern("^[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5})*$")
        String bootstrapServers) {}
