package dev.capstan.dataplane.broker.group;

import java.util.Objects;

/**
 * One partition's committed position for a group, as stored.
 *
 * @param offset            the next offset the group will consume
 * @param leaderEpoch       the leader epoch the client saw at that offset, {@link #NO_LEADER_EPOCH} if unknown
 * @param metadata          the client's free-form string ("" when it sent none)
 * @param commitTimestampMs when the coordinator accepted the commit
 * @param expireTimestampMs an explicit expiry requested by OffsetCommit v2-v4's retention time, or
 *                          {@link #NO_EXPIRY} to follow the broker's retention rule
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs, long expireTimestampMs) {

  public static final int NO_LEADER_EPOCH = -1;
  public static final long NO_EXPIRY = -1;

  public CommittedOffset {
    Objects.requireNonNull(metadata, "metadata");
  }
}
