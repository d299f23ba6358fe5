package dev.capstan.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {
  private static final DurationText ALL =
      new DurationText(List.of("ns", "us", "µs", "u", "ms", "s", "m", "h", "d", "w"));
  private static final DurationText SECONDS_AND_UP = new DurationText(List.of("s", "m", "h"));

  @ParameterizedTest(name = "{0} = {1} ns")
  @CsvSource({
      "1ns, 1",
      "5u, 5000",
      "5µs, 5000",
      "250ms, 250000000",
      "1m, 60000000000",
      "1ms, 1000000", // "ms" before "m": not a minute followed by a stray "s"
      "1m1ms, 60001000000",
      "1h30m, 5400000000000",
      "1d12h, 129600000000000",
      "2w, 1209600000000000",
      "0s, 0",
      "007s, 7000000000",
  })
  void sumsEveryPart(String text, long nanos) {
    assertThat(ALL.parse(text)).contains(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "s", "10", "1 h", " 1h", "1h ", "1H", "-1s", "1.5s", "1h30", "1y", "1sx", "x1s"})
  void refusesAnythingButParts(String text) {
    assertThat(ALL.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ms", "1d", "1w", "1m1d"})
  void refusesUnitsTheFieldDoesNotAccept(String text) {
    assertThat(SECONDS_AND_UP.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "9223372036854775807w", "9223372036854775807s9223372036854775807s"})
  void saysWhenTheSumDoesNotFit(String text) {
    assertThatThrownBy(() -> ALL.parse(text)).isInstanceOf(ArithmeticException.class);
  }
}
