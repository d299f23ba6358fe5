package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Timeouts towards servers and clients. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timeouts(
    @JsonPropertyDescription("Time to establish a connection to a server.")
        @Default(DEFAULT_CONNECT)
        @Pattern(Patterns.SHORT_DURATION)
        String connect,
    @JsonPropertyDescription("Time a server may take to answer (HTTP) or stay silent (TCP).")
        @Default(DEFAULT_RESPONSE)
        @Pattern(Patterns.SHORT_DURATION)
        String response,
    @JsonPropertyDescription("Time an idle keep-alive connection is kept open.")
        @Default(DEFAULT_IDLE)
        @Pattern(Patterns.SHORT_DURATION)
        String idle) {

  public static final String DEFAULT_CONNECT = "5s";
  public static final String DEFAULT_RESPONSE = "60s";
  public static final String DEFAULT_IDLE = "60s";

  /** What an omitted timeouts section means. */
  public static final Timeouts DEFAULTS = new Timeouts(null, null, null);

  public String connectOrDefault() {
    return connect == null ? DEFAULT_CONNECT : connect;
  }

  public String responseOrDefault() {
    return response == null ? DEFAULT_RESPONSE : response;
  }

  public String idleOrDefault() {
    return idle == null ? DEFAULT_IDLE : idle;
  }
}
