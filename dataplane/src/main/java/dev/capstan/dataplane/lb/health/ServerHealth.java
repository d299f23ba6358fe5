package dev.capstan.dataplane.lb.health;

import java.util.ArrayDeque;

/**
 * Whether one server may get traffic: the state machine of active probes (rise and fall
 * thresholds of consecutive results, as HAProxy's rise/fall) and of passive ejection (maxFails
 * failures of real traffic within failTimeout eject the server for failTimeout, as nginx's
 * max_fails/fail_timeout). A pure value holder: times are passed in, nothing is scheduled here.
 *
 * <p>A server starts UP, as in nginx, so traffic flows from the first second; a server that is
 * down is found by the first failed connections (passive) or probes (active).
 *
 * <p>Each method returns the change it caused, or null: the caller logs one line per change.
 */
public final class ServerHealth {

  /** A change of state, with the reason for the log line. */
  public record Change(boolean up, String reason) {}

  private boolean probedUp = true;
  private int consecutiveOk;
  private int consecutiveFailed;
  private final ArrayDeque<Long> recentFailures = new ArrayDeque<>();
  private long ejectedUntil;
  private boolean ejected;

  public synchronized boolean healthy() {
    return probedUp && !ejected;
  }

  /** For /status: UP, DOWN (probes failed) or EJECTED (passive). */
  public synchronized String state() {
    return !probedUp ? "DOWN" : ejected ? "EJECTED" : "UP";
  }

  /**
   * One probe result.
   *
   * @param detail why it failed (such as "connect refused" or "status 500"); ignored on success
   */
  public synchronized Change probe(boolean ok, String detail, int rise, int fall) {
    boolean was = healthy();
    if (ok) {
      consecutiveFailed = 0;
      consecutiveOk++;
      if (!probedUp && consecutiveOk >= rise) {
        probedUp = true;
        return was == healthy() ? null : new Change(true, consecutiveOk + " passed checks");
      }
    } else {
      consecutiveOk = 0;
      consecutiveFailed++;
      if (probedUp && consecutiveFailed >= fall) {
        probedUp = false;
        return was ? new Change(false, consecutiveFailed + " failed checks (" + detail + ")") : null;
      }
    }
    return null;
  }

  /**
   * Real traffic to the server failed at {@code nowNanos}.
   *
   * @return a change to down when this failure is the maxFails-th within the window
   */
  public synchronized Change passiveFailure(long nowNanos, int maxFails, long windowNanos, String detail) {
    if (maxFails <= 0 || ejected) {
      return null;
    }
    while (!recentFailures.isEmpty() && nowNanos - recentFailures.peekFirst() >= windowNanos) {
      recentFailures.pollFirst();
    }
    recentFailures.addLast(nowNanos);
    if (recentFailures.size() < maxFails) {
      return null;
    }
    boolean was = healthy();
    recentFailures.clear();
    ejected = true;
    ejectedUntil = nowNanos + windowNanos;
    return was
        ? new Change(false, "ejected for " + windowNanos / 1_000_000 + "ms after " + maxFails
            + " failed request(s) (" + detail + ")")
        : null;
  }

  /** When the ejection ends, on the clock of {@link #passiveFailure}; meaningful while ejected. */
  public synchronized long ejectedUntil() {
    return ejectedUntil;
  }

  /** Ends an ejection that is over at {@code nowNanos}; the server is tried again, as in nginx. */
  public synchronized Change tick(long nowNanos) {
    if (!ejected || nowNanos - ejectedUntil < 0) {
      return null;
    }
    ejected = false;
    return probedUp ? new Change(true, "ejection over, trying it again") : null;
  }
}
