package dev.capstan.dataplane.tsdb.engine;

import java.math.BigInteger;
import java.time.Duration;

/** Where shard groups start and end: influxd's rule, as a pure function. */
final class ShardGroups {
  /**
   * Nanoseconds from Go's zero time (0001-01-01T00:00:00Z) to the Unix epoch. influxd truncates a
   * point's time to the shard-group duration with Go's {@code Time.Truncate}, which counts from
   * the zero time, not the epoch: 7-day groups start on Mondays (influxd 1.6.7 puts a point of
   * 2001-09-09 into the group 2001-09-03..2001-09-10), where counting from the epoch would
   * start them on Thursdays. For durations that divide a day the two agree.
   */
  private static final BigInteger GO_ZERO_TO_EPOCH = BigInteger.valueOf(62_135_596_800L).multiply(BigInteger.valueOf(1_000_000_000L));

  private ShardGroups() {}

  /** The start of the group of {@code duration} that holds {@code time}. */
  static long start(long time, Duration duration) {
    BigInteger d = BigInteger.valueOf(duration.toNanos());
    BigInteger sinceZero = BigInteger.valueOf(time).add(GO_ZERO_TO_EPOCH);
    BigInteger start = sinceZero.subtract(sinceZero.mod(d)).subtract(GO_ZERO_TO_EPOCH);
    return start.max(BigInteger.valueOf(Long.MIN_VALUE)).longValueExact();
  }

  /** {@code start + duration}, saturating at the end of time. */
  static long end(long start, Duration duration) {
    long d = duration.toNanos();
    return start > Long.MAX_VALUE - d ? Long.MAX_VALUE : start + d;
  }
}
