package dev.capstan.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InfluxDurationTest {
  @ParameterizedTest(name = "{0} = {1}s")
  @CsvSource({
      "1h, 3600", "90m, 5400", "1h30m, 5400", "7d, 604800", "2w, 1209600", "52w, 31449600",
      "1500ms, 1.5", "INF, 0", "inf, 0", "0s, 0"})
  void parsesInfluxDbDurationLiterals(String text, double seconds) {
    assertThat(InfluxDuration.parse(text).toNanos()).isEqualTo((long) (seconds * 1e9));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "7", "d", "7 days", "1h x", "h1", "-1h", "1y"})
  void refusesWhatIsNoDuration(String text) {
    assertThatThrownBy(() -> InfluxDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"0s, 168h0m0s", "3600, 1h0m0s", "5400, 1h30m0s", "604800, 168h0m0s", "90, 1m30s", "5, 5s"})
  void formatsAsShowRetentionPoliciesPrints(String seconds, String expected) {
    Duration d = seconds.equals("0s") ? Duration.ZERO : Duration.ofSeconds(Long.parseLong(seconds));
    String shown = InfluxDuration.format(seconds.equals("0s") ? InfluxDuration.defaultShardDuration(d) : d);
    assertThat(shown).isEqualTo(expected);
  }

  @ParameterizedTest(name = "retention {0} -> shards of {1}")
  @CsvSource({"1h, 1h", "47h, 1h", "2d, 24h", "179d, 24h", "180d, 168h", "INF, 168h"})
  void defaultShardDurationFollowsInfluxDb(String retention, String shard) {
    assertThat(InfluxDuration.defaultShardDuration(InfluxDuration.parse(retention)))
        .isEqualTo(InfluxDuration.parse(shard));
  }
}
