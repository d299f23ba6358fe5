package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.tsdb.influxql.Transform.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The transformation core on hand-made streams; the expected values are influxd 1.6.7's answers. */
class TransformTest {
  private static final long S = 1_000_000_000L;

  /** host=a of the scratch fixture: v at 0s, 10s, 25s, 70s, 200s. */
  private static final List<Point> V = points(0, 1.0, 10, 3.0, 25, 2.0, 70, 8.0, 200, 9.0);
  /** i at 0s, 10s, 25s, 70s. */
  private static final List<Point> I = points(0, 10L, 10, 5L, 25, 20L, 70, 20L);

  static List<Point> points(Object... timeValue) {
    List<Point> out = new ArrayList<>();
    for (int k = 0; k < timeValue.length; k += 2) {
      out.add(new Point(((Number) timeValue[k]).longValue() * S, timeValue[k + 1]));
    }
    return out;
  }

  static List<Point> reversed(List<Point> in) {
    List<Point> out = new ArrayList<>(in);
    java.util.Collections.reverse(out);
    return out;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("derivative(v, 10s)", new Transform.Derivative(10 * S, false), V, true,
            points(10, 2.0, 25, -0.6666666666666666, 70, 1.3333333333333333, 200, 0.07692307692307693)),
        Arguments.of("non_negative_derivative(v)", new Transform.Derivative(S, true), V, true,
            points(10, 0.2, 70, 0.13333333333333333, 200, 0.007692307692307693)),
        Arguments.of("derivative(v) DESC", new Transform.Derivative(S, false), reversed(V), false,
            points(70, -0.007692307692307693, 25, -0.13333333333333333, 10, 0.06666666666666667, 0, -0.2)),
        Arguments.of("derivative(i): a float", new Transform.Derivative(S, false), I, true,
            points(10, -0.5, 25, 1.0, 70, 0.0)),
        Arguments.of("difference(v)", new Transform.Difference(false), V, true,
            points(10, 2.0, 25, -1.0, 70, 6.0, 200, 1.0)),
        Arguments.of("difference(v) DESC", new Transform.Difference(false), reversed(V), false,
            points(70, -1.0, 25, -6.0, 10, 1.0, 0, -2.0)),
        Arguments.of("difference(i): an integer", new Transform.Difference(false), I, true,
            points(10, -5L, 25, 15L, 70, 0L)),
        Arguments.of("non_negative_difference(i)", new Transform.Difference(true), I, true,
            points(25, 15L, 70, 0L)),
        Arguments.of("moving_average(v, 3)", new Transform.MovingAverage(3), V, true,
            points(25, 2.0, 70, 4.333333333333333, 200, 6.333333333333333)),
        Arguments.of("moving_average(i, 2) DESC", new Transform.MovingAverage(2), reversed(I), false,
            points(25, 20.0, 10, 12.5, 0, 7.5)),
        Arguments.of("moving_average wider than the stream", new Transform.MovingAverage(Integer.MAX_VALUE), V, true,
            points()),
        Arguments.of("cumulative_sum(v)", new Transform.CumulativeSum(), V, true,
            points(0, 1.0, 10, 4.0, 25, 6.0, 70, 14.0, 200, 23.0)),
        Arguments.of("cumulative_sum(i) DESC", new Transform.CumulativeSum(), reversed(I), false,
            points(70, 20L, 25, 40L, 10, 45L, 0, 55L)),
        Arguments.of("cumulative_sum over floats with a fill(0) integer", new Transform.CumulativeSum(),
            points(0, 1.5, 60, 0L, 120, 2.0), true, points(0, 1.5, 60, 1.5, 120, 3.5)),
        Arguments.of("elapsed(v)", new Transform.Elapsed(1), V, true,
            points(10, 10 * S, 25, 15 * S, 70, 45 * S, 200, 130 * S)),
        Arguments.of("elapsed(i, 1m) DESC truncates toward zero", new Transform.Elapsed(60 * S), reversed(I), false,
            points(25, 0L, 10, 0L, 0, 0L)),
        Arguments.of("elapsed(s, 1s) of strings", new Transform.Elapsed(S), points(0, "a", 1, "b", 3, "c"), true,
            points(1, 1L, 3, 2L)),
        // A point at the time of the previous one does not advance derivative and difference.
        Arguments.of("derivative keeps the first point of a time", new Transform.Derivative(S, false),
            points(0, 1.0, 0, 100.0, 2, 5.0), true, points(2, 2.0)),
        Arguments.of("empty stream", new Transform.Derivative(S, false), points(), true, points()),
        Arguments.of("one point", new Transform.Difference(false), points(5, 1.0), true, points()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void transformsAsInfluxd(String name, Transform t, List<Point> in, boolean ascending, List<Point> expected) {
    assertThat(t.apply(in, ascending)).isEqualTo(expected);
  }

  @Test
  void movingAverageKeepsARunningSumAsInfluxdDoes() {
    // 0.1 + 0.2 + 0.3 - 0.1 differs from 0.2 + 0.3 in the last bit; influxd keeps the running sum.
    List<Point> out = new Transform.MovingAverage(2).apply(points(0, 0.1, 1, 0.2, 2, 0.3), true);
    assertThat(out.get(1).value()).isEqualTo(((0.1 + 0.2) - 0.1 + 0.3) / 2);
  }

  @Test
  void numericTransformationsRefuseStringsWithInfluxdsError() {
    assertThatThrownBy(() -> new Transform.Derivative(S, false).apply(points(0, "a", 1, "b"), true))
        .hasMessage("unsupported derivative iterator type: *query.stringInterruptIterator");
    assertThatThrownBy(() -> new Transform.CumulativeSum().apply(points(0, true), true))
        .hasMessage("unsupported cumulative sum iterator type: *query.booleanInterruptIterator");
  }

  @Test
  void onlyCumulativeSumReadsNoExtraInterval() {
    assertThat(new Transform.CumulativeSum().extendsRange()).isFalse();
    assertThat(new Transform.Derivative(S, false).extendsRange()).isTrue();
    assertThat(new Transform.MovingAverage(2).extendsRange()).isTrue();
    assertThat(new Transform.Elapsed(1).extendsRange()).isTrue();
  }
}
