package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** GROUP BY time windows, with and without tz(); the query-level proof is the differential test. */
class TimeWindowsTest {
  private static final long H = 3_600_000_000_000L;
  private static final long D = 24 * H;
  private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

  private static long t(String utc) {
    return Instant.parse(utc).getEpochSecond() * 1_000_000_000L;
  }

  @Test
  void withoutAZoneWindowsAreAlignedToTheEpochPlusTheOffset() {
    Random random = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      long interval = 1 + random.nextInt(1_000_000);
      long offset = random.nextInt(3_000_000) - 1_500_000;
      long time = random.nextLong() >> 2;
      TimeWindows w = new TimeWindows(interval, offset, null);
      long start = w.start(time);
      assertThat(start).isLessThanOrEqualTo(time).isGreaterThan(time - interval);
      assertThat(Math.floorMod(start - offset, interval)).isZero();
      assertThat(w.end(time)).isEqualTo(start + interval);
    }
  }

  @Test
  void dailyWindowsInAZoneStartAtLocalMidnightAndLastTwentyThreeOrTwentyFiveHours() {
    TimeWindows days = new TimeWindows(D, 0, CHICAGO);
    // 2018-03-11: clocks go from 02:00 CST to 03:00 CDT (08:00 UTC); the day has 23 hours.
    assertThat(days.start(t("2018-03-11T12:00:00Z"))).isEqualTo(t("2018-03-11T06:00:00Z"));
    assertThat(days.end(t("2018-03-11T12:00:00Z"))).isEqualTo(t("2018-03-12T05:00:00Z"));
    // 2018-11-04: from 02:00 CDT back to 01:00 CST (07:00 UTC); 25 hours.
    assertThat(days.start(t("2018-11-04T12:00:00Z"))).isEqualTo(t("2018-11-04T05:00:00Z"));
    assertThat(days.end(t("2018-11-04T12:00:00Z"))).isEqualTo(t("2018-11-05T06:00:00Z"));
  }

  @Test
  void shiftsAsLongAsTheIntervalDoNotBendIt() {
    TimeWindows hours = new TimeWindows(H, 0, CHICAGO);
    for (long time = t("2018-03-11T05:30:00Z"); time < t("2018-03-11T11:00:00Z"); time += H) {
      assertThat(hours.end(time) - hours.start(time)).isEqualTo(H);
    }
  }

  @Test
  void acrossAChangeEveryBucketWithPointsIsShownAndEmptyStepsAreFilled() {
    // GROUP BY time(1d, 6h) tz('America/Chicago') over 2018-03-09..13 (influxd 1.6.7's answer in
    // InfluxQlDifferentialTest): the fill steps to 11:00 UTC on the 11th, the points of that day
    // fall in a window starting at 12:00 UTC; both show, the first empty.
    TimeWindows w = new TimeWindows(D, 6 * H, CHICAGO);
    TimeWindows.Buckets b = w.between(t("2018-03-09T00:00:00Z"), t("2018-03-13T23:59:59Z"), 1000);
    long[] starts = new long[b.count()];
    boolean[] points = new boolean[b.count()];
    for (int i = 0; i < b.count(); i++) {
      starts[i] = b.start(i);
      points[i] = starts[i] != t("2018-03-11T11:00:00Z");
    }
    assertThat(starts).containsExactly(t("2018-03-08T12:00:00Z"), t("2018-03-09T12:00:00Z"),
        t("2018-03-10T12:00:00Z"), t("2018-03-11T11:00:00Z"), t("2018-03-11T12:00:00Z"),
        t("2018-03-12T11:00:00Z"), t("2018-03-13T11:00:00Z"));
    assertThat(b.indexOf(t("2018-03-11T20:00:00Z"))).isEqualTo(4);
    assertThat(b.walk(points)).containsExactly(0, 1, 2, 3, 4, 5, 6);
    // Without points on the 11th, its step is filled once and the later window not shown.
    points[4] = false;
    assertThat(Arrays.stream(b.walk(points)).map(i -> (int) ((starts[i] - starts[0]) / H)).toArray())
        .containsExactly(0, 24, 48, 71, 95, 119);
  }

  @Test
  void tooManyWindowsIsTheQuerysError() {
    TimeWindows w = new TimeWindows(1_000_000_000L, 0, CHICAGO);
    assertThatThrownBy(() -> w.between(0, 10 * H, 1000))
        .hasMessage("max-select-buckets limit exceeded: (36001/1000)");
  }
}
