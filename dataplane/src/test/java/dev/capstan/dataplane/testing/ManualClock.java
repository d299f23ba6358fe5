package dev.capstan.dataplane.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test sets and moves by hand, to the nanosecond; safe to read from other threads. */
public final class ManualClock extends Clock {

  private volatile Instant now;

  public ManualClock(Instant start) {
    this.now = start;
  }

  public ManualClock(long epochMillis) {
    this(Instant.ofEpochMilli(epochMillis));
  }

  public void set(long epochMillis) {
    now = Instant.ofEpochMilli(epochMillis);
  }

  public void advance(long millis) {
    now = now.plusMillis(millis);
  }

  public void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public long millis() {
    return now.toEpochMilli();
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
