package dev.capstan.dataplane.broker.group;

/**
 * How the group coordinator times rebalances and keeps offsets; names follow Kafka's broker configs.
 *
 * @param initialRebalanceDelayMs           how long a new (Empty) group waits for more members before its
 *                                          first generation, extended by each new joiner up to the rebalance
 *                                          timeout ({@code group.initial.rebalance.delay.ms})
 * @param minSessionTimeoutMs               smallest session timeout a member may ask for
 *                                          ({@code group.min.session.timeout.ms})
 * @param maxSessionTimeoutMs               largest session timeout a member may ask for
 *                                          ({@code group.max.session.timeout.ms})
 * @param offsetsRetentionMs                how long offsets outlive the group becoming Empty, or their commit for
 *                                          groups that never had members ({@code offsets.retention.minutes})
 * @param offsetsRetentionCheckIntervalMs   how often expired offsets are looked for
 *                                          ({@code offsets.retention.check.interval.ms})
 * @param offsetMetadataMaxBytes            longest metadata string a commit may carry ({@code offset.metadata.max.bytes})
 */
public record GroupConfig(
    int initialRebalanceDelayMs,
    int minSessionTimeoutMs,
    int maxSessionTimeoutMs,
    long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs,
    int offsetMetadataMaxBytes) {

  /** Kafka's defaults: 3 s initial delay, sessions of 6 s to 30 min, offsets kept 7 days, checked every 10 min. */
  public static final GroupConfig DEFAULTS = new GroupConfig(3_000, 6_000, 1_800_000, 7L * 24 * 60 * 60 * 1000, 600_000, 4096);

  public GroupConfig {
    if (initialRebalanceDelayMs < 0) {
      throw new IllegalArgumentException("initialRebalanceDelayMs must not be negative, got " + initialRebalanceDelayMs);
    }
    if (minSessionTimeoutMs <= 0 || maxSessionTimeoutMs < minSessionTimeoutMs) {
      throw new IllegalArgumentException("session timeouts must satisfy 0 < min <= max, got min " + minSessionTimeoutMs
          + " and max " + maxSessionTimeoutMs);
    }
    if (offsetsRetentionMs <= 0) {
      throw new IllegalArgumentException("offsetsRetentionMs must be positive, got " + offsetsRetentionMs);
    }
    if (offsetsRetentionCheckIntervalMs <= 0) {
      throw new IllegalArgumentException("offsetsRetentionCheckIntervalMs must be positive, got " + offsetsRetentionCheckIntervalMs);
    }
    if (offsetMetadataMaxBytes < 0) {
      throw new IllegalArgumentException("offsetMetadataMaxBytes must not be negative, got " + offsetMetadataMaxBytes);
    }
  }

  /** The same settings with another initial rebalance delay (tests use 0). */
  public GroupConfig withInitialRebalanceDelayMs(int delayMs) {
    return new GroupConfig(delayMs, minSessionTimeoutMs, maxSessionTimeoutMs, offsetsRetentionMs,
        offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes);
  }

  /** The same settings with another offset retention. */
  public GroupConfig withOffsetsRetentionMs(long retentionMs) {
    return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, retentionMs,
        offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes);
  }
}
