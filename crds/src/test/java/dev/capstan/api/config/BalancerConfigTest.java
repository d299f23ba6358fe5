package dev.capstan.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BalancerConfigTest {
  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "0s, 0", "500ms, 500", "5s, 5000", "1m30s, 90000", "2h, 7200000", "1h1m1s1ms, 3661001",
    // Units may repeat and come in any order, as in Go.
    "30s1m, 90000",
    // The longest duration a long of nanoseconds holds, as Go allows.
    "2562047h47m16s854ms, 9223372036854"
  })
  void readsDurations(String text, long millis) {
    assertThat(BalancerConfig.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "s", "5d", "1.5s", "-1s", "5s ", " 5s", "5S", "INF"})
  void refusesWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> BalancerConfig.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2562048h", "99999999999999999999s", "2562047h47m17s"})
  void refusesDurationsTooLongForNanoseconds(String text) {
    assertThatThrownBy(() -> BalancerConfig.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }
}
