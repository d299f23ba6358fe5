package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** sample(v, n): a uniform choice of n points, answered in time order (seeded, many draws). */
class SampleTest {

  @Test
  void everyPointIsChosenWithProbabilityNOverK() {
    SplittableRandom random = new SplittableRandom(42);
    int points = 10;
    int size = 3;
    int draws = 30_000;
    int[] chosen = new int[points];
    for (int d = 0; d < draws; d++) {
      Accumulator.Sample sample = new Accumulator.Sample(size, random);
      for (int p = 0; p < points; p++) {
        sample.addLong(1_000L * p, p);
      }
      List<Object[]> results = sample.results();
      assertThat(results).hasSize(size);
      assertThat(results).extracting(r -> (Long) r[0]).isSorted().doesNotHaveDuplicates();
      results.forEach(r -> chosen[((Long) r[1]).intValue()]++);
    }
    // Expected draws * 3/10 = 9,000 per point; the binomial's standard deviation is about 79.
    for (int p = 0; p < points; p++) {
      assertThat((double) chosen[p]).as("point %d", p).isCloseTo(draws * (double) size / points, within(400.0));
    }
  }

  @Test
  void fewerPointsThanTheSizeAreAllAnsweredTiesInSeriesOrder() {
    Accumulator.Sample sample = new Accumulator.Sample(100, new SplittableRandom(1));
    // Two series fed one after the other, points at the same times.
    IntStream.range(0, 3).forEach(i -> sample.addDouble(10L * i, i));
    IntStream.range(0, 3).forEach(i -> sample.addString(10L * i, "b" + i));
    assertThat(sample.results()).extracting(r -> r[1]).containsExactly(0.0, "b0", 1.0, "b1", 2.0, "b2");

    Accumulator.Sample reversed = new Accumulator.Sample(100, new SplittableRandom(1));
    reversed.seriesReversed = true; // ORDER BY time DESC feeds the last series first
    IntStream.range(0, 2).forEach(i -> reversed.addBoolean(10L * i, true));
    IntStream.range(0, 2).forEach(i -> reversed.addBoolean(10L * i, false));
    assertThat(reversed.results()).extracting(r -> r[1]).containsExactly(false, true, false, true);
  }
}
