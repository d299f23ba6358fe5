package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The part of an HTTP request that algorithm Hash hashes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(self.source in ['Header', 'Cookie', 'Query']) == has(self.name)",
    message = "name is required for sources Header, Cookie and Query, and not allowed for Path and Url",
    fieldPath = ".name",
    reason = "FieldValueRequired")
public record HashKey(
    @JsonPropertyDescription(
            "Header, Cookie or Query (a query parameter), each with a name; Path; or Url, the "
                + "path with its query string.")
        @Required
        Source source,
    @JsonPropertyDescription("Name of the header, cookie or query parameter.")
        @Size(min = 1, max = 256)
        String name) {

  public enum Source {
    Header,
    Cookie,
    Path,
    Query,
    Url
  }
}
