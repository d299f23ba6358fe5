package dev.capstan.api.config;

import java.time.Duration;
import java.util.List;

/**
 * InfluxDB duration literals ({@code 90m}, {@code 7d}, {@code 1h30m}, {@code INF}) and
 * InfluxDB's rule for the default shard-group duration of a retention policy.
 */
public final class InfluxDuration {
  private static final DurationText DURATIONS =
      new DurationText(List.of("ns", "us", "µs", "u", "ms", "s", "m", "h", "d", "w"));

  private InfluxDuration() {}

  /** Parses a duration; {@code INF} and {@code 0s} both mean "forever" and give {@link Duration#ZERO}. */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (text.equalsIgnoreCase("INF")) {
      return Duration.ZERO;
    }
    try {
      return DURATIONS.parse(text).orElseThrow(() -> new IllegalArgumentException("invalid duration '" + text + "'"));
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too long");
    }
  }

  /**
   * The shard-group duration InfluxDB picks when a policy names none: 1h below 2 days, 1d below
   * 180 days, 7d from 180 days on and for infinite retention.
   */
  public static Duration defaultShardDuration(Duration retention) {
    if (retention.isZero() || retention.compareTo(Duration.ofDays(180)) >= 0) {
      return Duration.ofDays(7);
    }
    if (retention.compareTo(Duration.ofDays(2)) < 0) {
      return Duration.ofHours(1);
    }
    return Duration.ofDays(1);
  }

  /** Formats as InfluxDB prints durations in SHOW RETENTION POLICIES: {@code 168h0m0s}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long seconds = d.getSeconds();
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    if (h > 0) {
      return h + "h" + m + "m" + s + "s";
    }
    if (m > 0) {
      return m + "m" + s + "s";
    }
    return s + "s";
  }
}
