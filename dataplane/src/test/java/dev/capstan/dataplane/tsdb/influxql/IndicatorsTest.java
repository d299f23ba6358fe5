package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.tsdb.influxql.Indicators.Warmup;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The indicators' state machines on small series worked by hand; InfluxQlDifferentialTest
 * compares them with influxd 1.6.7 on many more.
 */
class IndicatorsTest {

  private static List<Double> feed(Indicators.Indicator indicator, double... values) {
    List<Double> out = new ArrayList<>();
    for (double v : values) {
      out.add(indicator.add(v));
    }
    return out;
  }

  @Test
  void exponentialMovingAverageWarmsUpExponentiallyOrSimply() {
    // Weights while warming: 1, 2/3, 2/4; then 2/(3+1) = 0.5.
    assertThat(feed(Indicators.of("exponential_moving_average", 3, Warmup.EXPONENTIAL, 5), 0, 1.5, 3, 4.5, 6))
        .containsExactly(0.0, 1.0, 2.0, 3.25, 4.625);
    // Simple warm-up: the mean of what was seen until the period is full.
    assertThat(feed(Indicators.of("exponential_moving_average", 3, Warmup.SIMPLE, 5), 0, 1.5, 3, 4.5, 6))
        .containsExactly(0.0, 0.75, 1.5, 3.0, 4.5);
    assertThat(Indicators.of("exponential_moving_average", 3, Warmup.EXPONENTIAL, 5).warmCount()).isEqualTo(2);
    assertThat(Indicators.of("triple_exponential_moving_average", 3, Warmup.SIMPLE, 5).warmCount()).isEqualTo(6);
  }

  @Test
  void relativeStrengthIndexOfARisingSeriesIsAHundredAndOfAFlatOneUndefined() {
    assertThat(feed(Indicators.of("relative_strength_index", 2, Warmup.EXPONENTIAL, 4), 1, 2, 3, 4))
        .containsOnly(100.0);
    assertThat(feed(Indicators.of("relative_strength_index", 2, Warmup.EXPONENTIAL, 2), 0, 0)).allMatch(d -> d.isNaN());
  }

  @Test
  void efficiencyRatioIsNetChangeOverTheSumOfChanges() {
    // Window of 2 (zeros at first): after 0, 1, 3, 2 the net change over two steps is |2 - 1| = 1
    // and the changes within it 2 + 1 = 3.
    List<Double> ratios = feed(Indicators.of("kaufmans_efficiency_ratio", 2, Warmup.EXPONENTIAL, 4), 0, 1, 3, 2);
    assertThat(ratios.get(3)).isEqualTo(1.0 / 3.0);
    assertThat(ratios.get(2)).as("a straight climb is perfectly efficient").isEqualTo(1.0);
  }

  @Test
  void windowsAreNotAllocatedBeyondTheValuesFed() {
    // A period of two billion over three values: no 32 GB window (influxd 1.6.7 tries).
    Indicators.Indicator ratio = Indicators.of("kaufmans_efficiency_ratio", 2_000_000_000, Warmup.EXPONENTIAL, 3);
    assertThat(feed(ratio, 5, 6, 8)).containsExactly(1.0, 1.0, 1.0);
    assertThat(ratio.warmCount()).isEqualTo(2_000_000_000L);
  }

  @Test
  void momentumWithoutSmoothingNeedsAPeriodOfTwo() {
    // Running sums of rises and falls over a window of period - 1 = 2 changes, the newest change
    // counted before the oldest leaves: at 3 the window holds the rise of 2 and the fall of 1.
    assertThat(feed(Indicators.of("chande_momentum_oscillator", 3, Warmup.NONE, 5), 1, 2, 1, 1, 3))
        .containsExactly(0.0, 100.0, 0.0, 0.0, 100.0 * ((2.0 - 1.0) / (2.0 + 1.0)));
    assertThatThrownBy(() -> Indicators.of("chande_momentum_oscillator", 1, Warmup.NONE, 5))
        .hasMessage("chande_momentum_oscillator period must be greater than or equal to 2 with the warmup type 'none'");
  }

  @Test
  void theTransformHoldsBackTheWarmUpAndDropsInfiniteRates() {
    List<Transform.Point> in = IntStream.range(0, 6).mapToObj(i -> new Transform.Point(i, (double) i)).toList();
    assertThat(new Transform.TechnicalIndicator("exponential_moving_average", 3, -1, Warmup.EXPONENTIAL).apply(in, true))
        .extracting(Transform.Point::time).containsExactly(2L, 3L, 4L, 5L);
    assertThat(new Transform.TechnicalIndicator("exponential_moving_average", 3, 0, Warmup.EXPONENTIAL).apply(in, true))
        .hasSize(6);
    // The first rate of triple_exponential_derivative divides by a last value of 0: infinite, left out.
    assertThat(new Transform.TechnicalIndicator("triple_exponential_derivative", 1, 0, Warmup.EXPONENTIAL)
        .apply(List.of(new Transform.Point(0, 5.0), new Transform.Point(1, 10.0)), true))
        .containsExactly(new Transform.Point(1, 100.0));
  }
}
