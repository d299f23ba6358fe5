package dev.capstan.dataplane.lb.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseTimeEwmaTest {

  @Test
  void theFirstSampleIsTheAverage() {
    assertThat(ResponseTimeEwma.first(100, 7)).isEqualTo(new ResponseTimeEwma(100, 7));
  }

  @Test
  void eachSampleMovesTheAverageAFifthOfTheWay() {
    ResponseTimeEwma ewma = ResponseTimeEwma.first(100, 0).add(200, 0);

    assertThat(ewma.meanNanos()).isCloseTo(120, within(1e-9));
  }

  @Test
  void samplesInTheSameInstantAllCount() {
    ResponseTimeEwma ewma = ResponseTimeEwma.first(100, 5).add(200, 5).add(200, 5);

    assertThat(ewma.meanNanos()).isCloseTo(136, within(1e-9));
  }

  @Test
  void tenSamplesOfANewLevelCarryNinetyPercent() {
    ResponseTimeEwma ewma = ResponseTimeEwma.first(0, 0);
    for (int i = 1; i <= 10; i++) {
      ewma = ewma.add(1000, 0);
    }

    assertThat(ewma.meanNanos()).isCloseTo(1000 * (1 - Math.pow(0.8, 10)), within(1e-6))
        .isBetween(890.0, 900.0);
  }

  private static final long SECOND = 1_000_000_000L;

  @ParameterizedTest
  @CsvSource({"0, 800", "10, 400", "20, 200", "30, 100", "-5, 800"})
  void theEstimateHalvesEveryTenSecondsWithoutASample(long idleSeconds, double expected) {
    ResponseTimeEwma ewma = ResponseTimeEwma.first(800, 1000);

    assertThat(ewma.estimateAt(1000 + idleSeconds * SECOND)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void aSampleAfterAnIdleSpellIsBlendedIntoTheDecayedEstimate() {
    ResponseTimeEwma ewma = ResponseTimeEwma.first(800, 0).add(100, 20 * SECOND);

    // 800 decayed to 200, then a fifth of the way to 100
    assertThat(ewma.meanNanos()).isCloseTo(180, within(1e-9));
    assertThat(ewma.lastSampleAtNanos()).isEqualTo(20 * SECOND);
  }

  @Test
  void aLateSampleDoesNotMoveTheLastSampleTimeBack() {
    ResponseTimeEwma ewma = ResponseTimeEwma.first(100, 50).add(100, 40);

    assertThat(ewma.lastSampleAtNanos()).isEqualTo(50);
    assertThat(ewma.meanNanos()).isCloseTo(100, within(1e-9));
  }
}
