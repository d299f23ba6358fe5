package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pieces of holt_winters; InfluxQlDifferentialTest compares whole forecasts with influxd's. */
class HoltWintersTest {

  @ParameterizedTest
  @CsvSource({"0.7, 1", "0.7, 2", "0.7, 3", "0.3, 17", "0.9999, 1000", "0.5, 60", "1e-300, 2", "0, 5", "1, 40"})
  void goPowIsThePowerUpToItsRounding(double x, int y) {
    // Go's repeated squaring rounds at every step (0.9999^1000 is off by some 30 ulps), which is
    // why Capstan computes it Go's way; it must still be the power.
    assertThat(HoltWinters.goPow(x, y)).isCloseTo(Math.pow(x, y), within(Math.pow(x, y) * 1e-12 + Double.MIN_VALUE));
  }

  @Test
  void goPowSquaresTheMantissaAsGoDoes() {
    // 0.7^3 by Go's loop: 0.7 * (0.7 * 0.7), each product rounded, the exponent kept apart.
    double square = 0.7 * 0.7;
    assertThat(HoltWinters.goPow(0.7, 3)).isEqualTo(0.7 * square);
  }

  @Test
  void nelderMeadFindsTheMinimumOfABowl() {
    HoltWinters.NelderMead.Result r = HoltWinters.NelderMead.minimize(
        p -> (p[0] - 3) * (p[0] - 3) + 2 * (p[1] + 1) * (p[1] + 1), new double[] {0, 0}, 1e-12, 1);
    assertThat(r.point()[0]).isCloseTo(3, within(1e-3));
    assertThat(r.point()[1]).isCloseTo(-1, within(1e-3));
    assertThat(r.value()).isLessThan(1e-6);
  }

  @Test
  void forecastsTheHorizonAfterTheLastBucket() {
    long interval = 10;
    List<Transform.Point> rising = IntStream.range(0, 12)
        .mapToObj(i -> new Transform.Point(100 + i * interval, 5.0 + 2 * i)).toList();
    List<Transform.Point> forecast = HoltWinters.forecast(rising, 3, 0, false, interval);
    assertThat(forecast).extracting(Transform.Point::time).containsExactly(220L, 230L, 240L);
    assertThat(forecast).extracting(p -> (Double) p.value()).isSorted().allMatch(v -> v > 27);

    List<Transform.Point> withFit = HoltWinters.forecast(rising, 3, 0, true, interval);
    assertThat(withFit).hasSize(15).first().isEqualTo(new Transform.Point(100, 5.0));
    assertThat(withFit.subList(12, 15)).isEqualTo(forecast);

    assertThat(HoltWinters.forecast(rising.subList(0, 1), 3, 0, false, interval)).as("one bucket").isEmpty();
    assertThat(HoltWinters.forecast(rising.subList(0, 3), 3, 4, false, interval)).as("shorter than a season").isEmpty();
  }
}
