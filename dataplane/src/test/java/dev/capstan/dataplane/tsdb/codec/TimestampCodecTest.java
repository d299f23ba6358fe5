package dev.capstan.dataplane.tsdb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TimestampCodecTest {
  static Stream<Arguments> edgeCases() {
    return Stream.of(
        Arguments.of("empty", new long[] {}),
        Arguments.of("one point", new long[] {1_700_000_000_000_000_000L}),
        Arguments.of("two points", new long[] {5, 7}),
        Arguments.of("Long.MIN_VALUE alone", new long[] {Long.MIN_VALUE}),
        Arguments.of("MIN then MAX (delta wraps)", new long[] {Long.MIN_VALUE, Long.MAX_VALUE}),
        Arguments.of("MIN, 0, MAX", new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}),
        Arguments.of("ending at MAX", new long[] {Long.MAX_VALUE - 20, Long.MAX_VALUE - 10, Long.MAX_VALUE}),
        Arguments.of("negative times", new long[] {-30, -20, -10, 0, 10}),
        Arguments.of("regular then a gap", new long[] {0, 10, 20, 30, 1000, 1010, 1020}),
        Arguments.of("every dod bucket", new long[] {0, 1, 3, 8_000, 8_001, 200_000, 200_001, 1_300_000, 1_300_001,
            1L << 40, (1L << 40) + 1}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeCases")
  void edgeCasesRoundTripInBothEncodings(String name, long[] timestamps) {
    assertThat(TimestampCodec.decode(TimestampCodec.encode(timestamps))).containsExactly(timestamps);
    assertThat(TimestampCodec.decode(forced(timestamps, true))).containsExactly(timestamps);
    assertThat(TimestampCodec.decode(forced(timestamps, false))).containsExactly(timestamps);
  }

  @Test
  void thousandsOfRandomBlocksRoundTripBitExactInBothEncodings() {
    RandomSeries series = new RandomSeries(20261127L);
    Set<Encoding> chosen = EnumSet.noneOf(Encoding.class);
    for (int i = 0; i < 2000; i++) {
      long[] ts = series.timestamps(series.size());
      byte[] encoded = TimestampCodec.encode(ts);
      chosen.add(Encoding.forId(encoded[0]));
      assertThat(TimestampCodec.decode(encoded)).as("block %d", i).containsExactly(ts);
      assertThat(TimestampCodec.decode(forced(ts, true))).as("runs, block %d", i).containsExactly(ts);
      assertThat(TimestampCodec.decode(forced(ts, false))).as("delta-of-delta, block %d", i).containsExactly(ts);
      assertThat(encoded.length).isLessThanOrEqualTo(Math.min(forced(ts, true).length, forced(ts, false).length));
    }
    assertThat(chosen).containsExactlyInAnyOrder(Encoding.TIMESTAMP_DELTA_RUNS, Encoding.TIMESTAMP_DELTA_OF_DELTA);
  }

  @Test
  void regularSeriesCostsAFewBytesPerBlockNotBitsPerPoint() {
    long[] ts = new long[1000];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 1_700_000_000_000_000_000L + i * 10_000_000_000L;
    }
    // header 3 + first timestamp 8 + one (delta, repeat) pair 7
    assertThat(TimestampCodec.encode(ts).length).isEqualTo(18);
    // Gorilla's one bit per point, for comparison: ~125 bytes for the same block.
    assertThat(forced(ts, false).length).isGreaterThan(120);
  }

  /** dod → number of leading 1 bits in its Gorilla prefix (0 = "same delta", 4 = raw 64 bits). */
  static Stream<Arguments> dodBuckets() {
    return Stream.of(
        Arguments.of(0L, 0),
        Arguments.of(8191L, 1), Arguments.of(-8192L, 1),
        Arguments.of(8192L, 2), Arguments.of(-8193L, 2), Arguments.of(65535L, 2), Arguments.of(-65536L, 2),
        Arguments.of(65536L, 3), Arguments.of(524287L, 3), Arguments.of(-524288L, 3),
        Arguments.of(524288L, 4), Arguments.of(-524289L, 4), Arguments.of(1L << 62, 4));
  }

  @ParameterizedTest
  @MethodSource("dodBuckets")
  void deltaOfDeltaUsesTheNarrowestBucket(long dod, int prefixOnes) {
    long delta = 1_000_000;
    long[] ts = {0, delta, 2 * delta + dod};
    byte[] encoded = forced(ts, false);
    int bitsStart = 2 + 8 + 3; // header, first timestamp, varint of the first delta
    int prefix = Integer.numberOfLeadingZeros(~(encoded[bitsStart] << 24));
    assertThat(Math.min(prefix, 4)).isEqualTo(prefixOnes);
    assertThat(TimestampCodec.decode(encoded)).containsExactly(ts);
  }

  static Stream<Arguments> unsorted() {
    return Stream.of(
        Arguments.of(new long[] {1, 1}, 1),
        Arguments.of(new long[] {10, 20, 15}, 2),
        Arguments.of(new long[] {Long.MAX_VALUE, Long.MIN_VALUE}, 1));
  }

  @ParameterizedTest
  @MethodSource("unsorted")
  void rejectsTimestampsThatAreNotStrictlyIncreasing(long[] timestamps, int badIndex) {
    assertThatThrownBy(() -> TimestampCodec.encode(timestamps))
        .isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("strictly increasing")
        .hasMessageContaining("timestamps[" + badIndex + "]");
  }

  @Test
  void rejectsAnotherColumnType() {
    assertThatThrownBy(() -> TimestampCodec.decode(IntegerCodec.encode(new long[] {1, 2})))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("expected a timestamp column");
  }

  private static byte[] forced(long[] ts, boolean runs) {
    ByteWriter out = new ByteWriter(16);
    if (runs) {
      TimestampCodec.writeDeltaRuns(out, ts);
    } else {
      TimestampCodec.writeDeltaOfDelta(out, ts);
    }
    return out.toByteArray();
  }
}
