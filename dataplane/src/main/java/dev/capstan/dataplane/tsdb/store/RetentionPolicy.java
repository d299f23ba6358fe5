package dev.capstan.dataplane.tsdb.store;

import java.time.Duration;

/**
 * A retention policy.
 *
 * @param duration how long data is kept; {@link Duration#ZERO} keeps it forever ({@code INF})
 * @param shardGroupDuration the time span of one shard group; data is dropped a whole group at
 *     a time once the group's end is older than now minus {@code duration}
 * @param replication replicas of each shard (one until replication exists; kept as given)
 * @param isDefault whether writes and queries without a policy use it
 */
public record RetentionPolicy(
    String name, Duration duration, Duration shardGroupDuration, int replication, boolean isDefault) {

  public static final String AUTOGEN = "autogen";

  public RetentionPolicy {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("retention policy name must not be empty");
    }
    if (duration.isNegative() || shardGroupDuration.isNegative() || shardGroupDuration.isZero()) {
      throw new IllegalArgumentException("durations must be positive");
    }
  }

  public boolean infinite() {
    return duration.isZero();
  }

  public RetentionPolicy withDefault(boolean isDefault) {
    return new RetentionPolicy(name, duration, shardGroupDuration, replication, isDefault);
  }
}
