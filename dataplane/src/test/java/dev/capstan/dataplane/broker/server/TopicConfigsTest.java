package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.broker.log.LogConfig;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicConfigsTest {

  private final TopicConfigs configs = TopicConfigs.withRetention(-1, -1);

  @ParameterizedTest(name = "preallocate={0}")
  @CsvSource(nullValues = "none", value = {
      "none,  0",
      "true,  4194304",
      "false, 0",
  })
  void preallocateDecidesWhetherTheLogKeepsZerosAhead(String value, int chunkBytes) {
    Map<String, String> overrides = value == null ? Map.of() : Map.of(TopicConfigs.PREALLOCATE, value);
    assertThat(configs.problem(overrides)).isEmpty();
    LogConfig log = configs.settings(overrides).logConfig();
    assertThat(log.preallocateBytes()).isEqualTo(chunkBytes);
  }

  @ParameterizedTest(name = "preallocate={0}")
  @CsvSource({"yes", "TRUE", "1"})
  void preallocateTakesOnlyTrueOrFalse(String value) {
    assertThat(configs.problem(TopicConfigs.PREALLOCATE, value))
        .hasValue("Invalid value " + value + " for configuration preallocate: must be true or false");
  }
}
