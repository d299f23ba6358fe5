package dev.capstan.dataplane.tsdb.store;

import java.util.Objects;

/**
 * One shard group of a retention policy: the time range {@code [start, end)} (nanoseconds since
 * the epoch) whose points it holds. Retention drops a group whole once {@code end} is older than
 * now minus the policy's duration.
 */
public record ShardGroupSpan(String database, String retentionPolicy, long start, long end) {
  public ShardGroupSpan {
    Objects.requireNonNull(database);
    Objects.requireNonNull(retentionPolicy);
    if (end <= start) {
      throw new IllegalArgumentException("a shard group ends after it starts: [" + start + ", " + end + ")");
    }
  }
}
