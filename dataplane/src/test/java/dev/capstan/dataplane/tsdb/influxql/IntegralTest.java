package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.capstan.dataplane.tsdb.influxql.Integral.Area;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * integral()'s areas; every expected value was answered by influxd 1.6.7 for the same points
 * (0 at 0 s, 60 at 60 s, 0 at 120 s, 30 at 150 s unless a test says otherwise).
 */
class IntegralTest {
  private static final long S = 1_000_000_000L;
  private static final long[] TIMES = {0, 60 * S, 120 * S, 150 * S};
  private static final double[] VALUES = {0, 60, 0, 30};

  private static List<Area> areas(boolean integers, long interval, long unit) {
    return Integral.areas(TIMES, VALUES, integers, windows(interval), unit);
  }

  /** GROUP BY time(interval) in UTC; null without GROUP BY time. */
  private static TimeWindows windows(long interval) {
    return interval == 0 ? null : new TimeWindows(interval, 0, null);
  }

  @Test
  void trapeziumsOverAllPointsWithoutGroupByTime() {
    assertThat(areas(false, 0, S)).containsExactly(new Area(0, 4050));
    assertThat(areas(false, 0, 60 * S)).containsExactly(new Area(0, 67.5));
  }

  @Test
  void intervalsSplitTheAreaAtTheirEndByInterpolation() {
    // The value at 90 s is 30, halfway between 60 and 0.
    assertThat(areas(false, 90 * S, S)).containsExactly(new Area(0, 3150), new Area(90 * S, 900));
    List<Area> minutes = areas(false, 60 * S, S);
    assertThat(minutes).extracting(Area::start).containsExactly(0L, 60 * S, 120 * S);
    assertThat(minutes).extracting(Area::value)
        .satisfiesExactly(v -> assertThat(v).isCloseTo(1800, within(1e-9)),
            v -> assertThat(v).isCloseTo(1800, within(1e-9)), v -> assertThat(v).isEqualTo(450));
  }

  @Test
  void integerFieldsKeepInfluxdsCarryOfTheInterpolatedValue() {
    // influxd's integer reducer: 1800 in the second interval where the float one gives 900.
    assertThat(areas(true, 90 * S, S)).containsExactly(new Area(0, 3150), new Area(90 * S, 1800));
    assertThat(areas(true, 0, S)).containsExactly(new Area(0, 4050));
  }

  @Test
  void edgeCases() {
    assertThat(Integral.areas(new long[0], new double[0], false, windows(60 * S), S)).isEmpty();
    // One point: no area, but a row, unless it sits on its interval's start.
    assertThat(Integral.areas(new long[] {5 * S}, new double[] {7}, false, windows(60 * S), S))
        .containsExactly(new Area(0, 0));
    assertThat(Integral.areas(new long[] {60 * S}, new double[] {7}, false, windows(60 * S), S)).isEmpty();
    // Equal times: the later value replaces the earlier one without area.
    assertThat(Integral.areas(new long[] {0, 0, 10 * S}, new double[] {100, 0, 10}, false, null, S))
        .containsExactly(new Area(0, 50));
    // Intervals without points in between: the trapezium to the next point lands in its interval.
    assertThat(Integral.areas(new long[] {0, 30 * S, 200 * S}, new double[] {0, 60, 60}, false, windows(60 * S), S))
        .containsExactly(new Area(0, 0.5 * 60 * 30 + 60 * 30), new Area(180 * S, 60 * 140));
  }
}
