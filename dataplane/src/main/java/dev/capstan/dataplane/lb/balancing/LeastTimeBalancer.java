package dev.capstan.dataplane.lb.balancing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Algorithm LeastTime: the lowest expected response time × (active + 1) / weight, so a fast
 * server wins until its queue makes it slower than the next one.
 *
 * <p>The expected response time is the server's {@link ResponseTimeEwma} decayed by its idle
 * time (which is how an idle slow server gets probed again); a server with no response yet is
 * expected to be as fast as the average of the others, so it neither floods nor starves; when
 * no server has answered yet, all are alike and the score is least connections.
 */
final class LeastTimeBalancer implements Balancer {

  private final LongSupplier nanoClock;
  private final SmoothWeightedRoundRobin tieBreak = new SmoothWeightedRoundRobin();

  /**
   * @param nanoClock monotonic nanoseconds, the clock the proxy times responses with (such as
   *     {@code System::nanoTime})
   */
  LeastTimeBalancer(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public Optional<ServerLoad> pick(Request request, List<ServerLoad> healthy) {
    if (healthy.isEmpty()) {
      return Optional.empty();
    }
    double[] expected = expectedResponseTimes(healthy, nanoClock.getAsLong());
    List<ServerLoad> best = new ArrayList<>(4);
    double bestScore = Double.POSITIVE_INFINITY;
    for (int i = 0; i < healthy.size(); i++) {
      ServerLoad s = healthy.get(i);
      double score = score(expected[i], s);
      if (score < bestScore) {
        best.clear();
        best.add(s);
        bestScore = score;
      } else if (score == bestScore) {
        best.add(s);
      }
    }
    return Optional.of(best.size() == 1 ? best.get(0) : tieBreak.next(best, healthy));
  }

  static double score(double expectedResponseTime, ServerLoad s) {
    return expectedResponseTime * (s.active() + 1) / s.server().weight();
  }

  /**
   * What each server is expected to take, in the order of {@code servers}: its decayed average,
   * or for a server without one the mean of the others' (1 when nobody has one, a neutral unit
   * that leaves only the load to compare).
   */
  static double[] expectedResponseTimes(List<ServerLoad> servers, long nowNanos) {
    double[] expected = new double[servers.size()];
    double sum = 0;
    int measured = 0;
    for (int i = 0; i < expected.length; i++) {
      ResponseTimeEwma ewma = servers.get(i).responseTime();
      if (ewma == null) {
        expected[i] = Double.NaN;
      } else {
        expected[i] = ewma.estimateAt(nowNanos);
        sum += expected[i];
        measured++;
      }
    }
    double unmeasured = measured == 0 ? 1 : sum / measured;
    for (int i = 0; i < expected.length; i++) {
      if (Double.isNaN(expected[i])) {
        expected[i] = unmeasured;
      }
    }
    return expected;
  }
}
