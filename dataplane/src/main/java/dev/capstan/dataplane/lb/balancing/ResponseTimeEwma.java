package dev.capstan.dataplane.lb.balancing;

import java.time.Duration;

/**
 * The exponentially weighted moving average of a server's response times, a pure value.
 *
 * <p>Two separate decays. Per sample: each response moves the average by a fixed fraction
 * ({@link #SAMPLE_WEIGHT}), so each response has the same say however busy the server is, and
 * two responses that end in the same instant both count (a weight by elapsed time would ignore
 * the second). By time: without samples, the estimate halves every {@link #HALF_LIFE}, since
 * how slow a server was says less and less about how slow it is; see {@link #estimateAt}.
 *
 * @param meanNanos the average response time as of the last sample
 * @param lastSampleAtNanos when the last sample was taken, on the balancer's monotonic clock
 */
public record ResponseTimeEwma(double meanNanos, long lastSampleAtNanos) {

  /** With 0.2, the last 10 responses carry about 90% of the average. */
  public static final double SAMPLE_WEIGHT = 0.2;

  /**
   * Long against the response times it is compared with, so a busy server's average barely
   * decays between its responses; short enough that a slow server is retried within a minute.
   */
  public static final Duration HALF_LIFE = Duration.ofSeconds(10);

  private static final double HALF_LIFE_NANOS = HALF_LIFE.toNanos();

  public static ResponseTimeEwma first(long sampleNanos, long atNanos) {
    return new ResponseTimeEwma(Math.max(0, sampleNanos), atNanos);
  }

  /**
   * The sample is blended into the estimate at its time, not into the stale mean, so the first
   * response of a recovered server after a probe counts in full against a decayed past.
   */
  public ResponseTimeEwma add(long sampleNanos, long atNanos) {
    double prior = estimateAt(atNanos);
    double mean = prior + SAMPLE_WEIGHT * (Math.max(0, sampleNanos) - prior);
    return new ResponseTimeEwma(mean, Math.max(atNanos, lastSampleAtNanos));
  }

  /**
   * The response time to expect at {@code nowNanos}: the mean, halved for every half-life
   * without a sample. Decaying towards zero, rather than towards the average of the pool, is
   * what makes an idle slow server get probed again even when the others are idle too: a server
   * ten times slower than a busy one is tried again after log2(10) = 3.3 half-lives, and its
   * response then either shows it is still slow or lets it recover. Servers idle for the same
   * time keep their order, since all decay alike.
   */
  public double estimateAt(long nowNanos) {
    long idle = nowNanos - lastSampleAtNanos;
    if (idle <= 0) {
      return meanNanos;
    }
    return meanNanos * Math.pow(0.5, idle / HALF_LIFE_NANOS);
  }
}
