package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.controllers.topic.MessageTopicReconciler.SyncIntervals;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageTopicReconcilerTest {
  @ParameterizedTest(name = "after {0} failures: {1}s")
  @CsvSource({"0, 5", "1, 5", "2, 10", "3, 20", "6, 160", "7, 300", "40, 300", "2147483647, 300"})
  void kafkaErrorsAreRetriedWithADoublingDelayUpToTheMaximum(int failures, long seconds) {
    assertThat(SyncIntervals.DEFAULTS.retryAfter(failures)).isEqualTo(Duration.ofSeconds(seconds));
  }
}
