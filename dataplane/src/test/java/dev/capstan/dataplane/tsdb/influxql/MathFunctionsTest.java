package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MathFunctionsTest {
  private static Object apply(String name, Object... args) {
    return MathFunctions.apply(name, Arrays.asList(args));
  }

  @Test
  void roundsHalvesAwayFromZeroAsGoDoes() {
    assertThat(apply("round", 2.5)).isEqualTo(3.0);
    assertThat(apply("round", -2.5)).isEqualTo(-3.0); // Java's Math.round gives -2
    assertThat(apply("round", 0.49999999999999994)).isEqualTo(0.0);
    assertThat(apply("round", -0.4)).isEqualTo(-0.0);
  }

  @Test
  void integersStayIntegersWhereInfluxdKeepsThem() {
    assertThat(apply("round", 7L)).isEqualTo(7L);
    assertThat(apply("floor", -7L)).isEqualTo(-7L);
    assertThat(apply("abs", -7L)).isEqualTo(7L);
    assertThat(apply("sqrt", 16L)).isEqualTo(4.0);
    assertThat(apply("pow", 2L, 10L)).isEqualTo(1024.0);
  }

  @Test
  void notANumberAndNonNumbersAreNull() {
    assertThat(apply("asin", 1.5)).isNull();
    assertThat(apply("ln", 0.0)).isNull(); // -Inf
    assertThat(apply("log", 8.0, 2.0)).isEqualTo(3.0);
    assertThat(apply("abs", "x")).isNull();
    assertThat(apply("pow", 2.0, null)).isNull();
    assertThatThrownBy(() -> apply("pow", 2.0)).hasMessage("invalid number of arguments for pow, expected 2, got 1");
  }
}
