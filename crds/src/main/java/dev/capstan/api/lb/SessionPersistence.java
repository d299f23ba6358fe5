package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Sticky sessions: the balancer inserts a cookie naming the server it chose. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'Cookie' || !has(self.cookie)",
    message = "cookie settings are only allowed when type is Cookie",
    fieldPath = ".cookie")
public record SessionPersistence(
    @JsonPropertyDescription("Cookie inserts a cookie; None turns persistence off.")
        @Required
        Type type,
    @JsonPropertyDescription("The inserted cookie.") Cookie cookie) {

  public enum Type {
    None,
    Cookie
  }

  /** The cookie the balancer inserts. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Cookie(
      @JsonPropertyDescription("Cookie name.")
          @Default(DEFAULT_NAME)
          @Pattern("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")
          String name,
      @JsonPropertyDescription(
              "Lifetime of the cookie, such as 1h; a session cookie when omitted.")
          @Pattern(Patterns.SHORT_DURATION)
          String ttl,
      // No ';', space or control character: each would end the attribute and let the rest
      // be read as further attributes of the Set-Cookie header.
      @JsonPropertyDescription("Path attribute of the cookie.")
          @Default(DEFAULT_PATH)
          @Pattern("^/[!-:<-~]*$")
          @Size(max = 1024)
          String path) {

    public static final String DEFAULT_NAME = "CAPSTAN_SERVER";
    public static final String DEFAULT_PATH = "/";

    /** What an omitted cookie section means. */
    public static final Cookie DEFAULTS = new Cookie(null, null, null);

    public String nameOrDefault() {
      return name == null ? DEFAULT_NAME : name;
    }

    public String pathOrDefault() {
      return path == null ? DEFAULT_PATH : path;
    }
  }
}
