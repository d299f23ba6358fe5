package dev.capstan.api.common;

/**
 * Regular expressions shared by several custom resources. The API server enforces them, so
 * a typo in a duration fails at {@code kubectl apply}, not at reconcile time.
 */
public final class Patterns {
  /** A Go-style duration for timeouts and intervals: {@code 500ms}, {@code 5s}, {@code 1m30s}. */
  public static final String SHORT_DURATION = "^([0-9]+(ms|s|m|h))+$";

  /**
   * An InfluxDB duration literal ({@code 90m}, {@code 7d}, {@code 2w}) or {@code INF} for
   * "keep forever", as accepted by {@code CREATE RETENTION POLICY ... DURATION}.
   */
  public static final String INFLUX_DURATION = "^(INF|([0-9]+(ns|us|ms|s|m|h|d|w))+)$";

  /** A retention time for topics: a duration with days and weeks, or {@code Infinite}. */
  public static final String RETENTION_TIME = "^(Infinite|([0-9]+(ms|s|m|h|d|w))+)$";

  /** A Kubernetes quantity of bytes without fractions: {@code 1073741824}, {@code 512Mi}, {@code 10Gi}. */
  public static final String BYTE_QUANTITY = "^[0-9]+(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$";

  /** A DNS-1123 label, for names of Kubernetes objects referenced from a spec. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /**
   * CEL: {@code self.duration} is at least one hour. CEL's {@code duration()} knows no days or
   * weeks, so any non-zero count of h, d or w is accepted as it stands and only the sub-hour
   * forms are parsed. (Annotation values must be constants, hence the two spelled-out copies.)
   */
  public static final String CEL_DURATION_AT_LEAST_ONE_HOUR =
      "(self.duration.matches('[1-9][0-9]*[hdw]') || "
          + "(self.duration.matches('^([0-9]+(ns|us|ms|s|m|h))+$') "
          + "&& duration(self.duration) >= duration('1h')))";

  /** CEL: {@code self.shardDuration} is at least one hour. */
  public static final String CEL_SHARD_DURATION_AT_LEAST_ONE_HOUR =
      "(self.shardDuration.matches('[1-9][0-9]*[hdw]') || "
          + "(self.shardDuration.matches('^([0-9]+(ns|us|ms|s|m|h))+$') "
          + "&& duration(self.shardDuration) >= duration('1h')))";

  private Patterns() {}
}
