package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.capstan.api.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Health checking of servers: active probes and passive ejection on failures. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthCheck(
    @JsonPropertyDescription("Probes sent to every server on a schedule.") Active active,
    @JsonPropertyDescription("Ejects a server after failures of real traffic.") Passive passive) {

  /** An HTTP request or a TCP connect, every interval; rise and fall thresholds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "self.type == 'HTTP' || (!has(self.path) && !has(self.expectedStatuses))",
      message = "path and expectedStatuses are only allowed when type is HTTP",
      fieldPath = ".path")
  @ValidationRule(
      value = "!has(self.expectedStatuses) || self.expectedStatuses.all(s, s >= 100 && s <= 599)",
      message = "expectedStatuses must be HTTP statuses from 100 to 599",
      fieldPath = ".expectedStatuses")
  public record Active(
      @JsonPropertyDescription("HTTP sends GET path and checks the status; TCP connects.")
          @Required
          Type type,
      // Visible ASCII only: a space or control character would break the probe's request line.
      @JsonPropertyDescription("Path of the HTTP probe, with its query string if any; / when omitted.")
          @Pattern("^/[!-~]*$")
          @Size(max = 1024)
          String path,
      @JsonPropertyDescription("Statuses that count as healthy; any 2xx or 3xx when omitted.")
          @Size(max = 16)
          List<Integer> expectedStatuses,
      @JsonPropertyDescription("Time between probes.")
          @Default(DEFAULT_INTERVAL)
          @Pattern(Patterns.SHORT_DURATION)
          String interval,
      @JsonPropertyDescription("Time a probe may take.")
          @Default(DEFAULT_TIMEOUT)
          @Pattern(Patterns.SHORT_DURATION)
          String timeout,
      @JsonPropertyDescription("Consecutive successes that make a server healthy (rise).")
          @Default("" + DEFAULT_HEALTHY_THRESHOLD)
          @Min(1)
          @Max(100)
          Integer healthyThreshold,
      @JsonPropertyDescription("Consecutive failures that make a server unhealthy (fall).")
          @Default("" + DEFAULT_UNHEALTHY_THRESHOLD)
          @Min(1)
          @Max(100)
          Integer unhealthyThreshold) {

    public static final String DEFAULT_PATH = "/";
    public static final String DEFAULT_INTERVAL = "5s";
    public static final String DEFAULT_TIMEOUT = "1s";
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

    public String pathOrDefault() {
      return path == null ? DEFAULT_PATH : path;
    }

    public String intervalOrDefault() {
      return interval == null ? DEFAULT_INTERVAL : interval;
    }

    public String timeoutOrDefault() {
      return timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    public int healthyThresholdOrDefault() {
      return healthyThreshold == null ? DEFAULT_HEALTHY_THRESHOLD : healthyThreshold;
    }

    public int unhealthyThresholdOrDefault() {
      return unhealthyThreshold == null ? DEFAULT_UNHEALTHY_THRESHOLD : unhealthyThreshold;
    }

    public enum Type {
      HTTP,
      TCP
    }
  }

  /** As nginx's max_fails and fail_timeout. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Passive(
      @JsonPropertyDescription("Failures within failTimeout that eject a server; 0 turns it off.")
          @Default("" + DEFAULT_MAX_FAILS)
          @Min(0)
          @Max(1000)
          Integer maxFails,
      @JsonPropertyDescription("The window for counting failures and the time a server stays out.")
          @Default(DEFAULT_FAIL_TIMEOUT)
          @Pattern(Patterns.SHORT_DURATION)
          String failTimeout) {

    public static final int DEFAULT_MAX_FAILS = 1;
    public static final String DEFAULT_FAIL_TIMEOUT = "10s";

    /** What an omitted passive section means: on, as in nginx. */
    public static final Passive DEFAULTS = new Passive(null, null);

    public int maxFailsOrDefault() {
      return maxFails == null ? DEFAULT_MAX_FAILS : maxFails;
    }

    public String failTimeoutOrDefault() {
      return failTimeout == null ? DEFAULT_FAIL_TIMEOUT : failTimeout;
    }
  }
}
