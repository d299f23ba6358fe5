package dev.capstan.dataplane.tsdb.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IntegerCodecTest {
  static Stream<Arguments> edgeCases() {
    long[] fiveHundredZeros = new long[500];
    long[] quality = new long[1000];
    Arrays.fill(quality, 192);
    quality[500] = 0;
    return Stream.of(
        Arguments.of("empty", new long[] {}, Encoding.INTEGER_RUNS),
        // One point: a delta column is the value alone, a run also needs its length.
        Arguments.of("one point", new long[] {-7}, Encoding.INTEGER_DELTA_SIMPLE8B),
        Arguments.of("MIN and MAX alternate", new long[] {Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, 0},
            Encoding.INTEGER_DELTA_VARINT),
        Arguments.of("MIN alone", new long[] {Long.MIN_VALUE}, Encoding.INTEGER_DELTA_SIMPLE8B),
        Arguments.of("zeros across simple-8b words", fiveHundredZeros, Encoding.INTEGER_RUNS),
        Arguments.of("quality with one bad point", quality, Encoding.INTEGER_RUNS),
        Arguments.of("counter", new long[] {100, 105, 111, 118, 126, 135, 145, 156}, Encoding.INTEGER_DELTA_SIMPLE8B),
        // Zig-zag doubles a delta: 2^59 is the first that no longer fits simple-8b's 60 bits.
        Arguments.of("deltas of 2^59", steps(1L << 59), Encoding.INTEGER_DELTA_VARINT),
        Arguments.of("deltas of 2^59 - 1", steps((1L << 59) - 1), Encoding.INTEGER_DELTA_SIMPLE8B));
  }

  private static long[] steps(long delta) {
    long[] values = new long[8];
    for (int i = 1; i < values.length; i++) {
      values[i] = values[i - 1] + delta;
    }
    return values;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeCases")
  void edgeCasesRoundTripWithTheExpectedEncoding(String name, long[] values, Encoding expected) {
    byte[] encoded = IntegerCodec.encode(values);
    assertThat(Encoding.forId(encoded[0])).isEqualTo(expected);
    assertThat(IntegerCodec.decode(encoded)).containsExactly(values);
  }

  @Test
  void thousandsOfRandomBlocksRoundTripBitExactThroughEveryEncoding() {
    RandomSeries series = new RandomSeries(1234L);
    Set<Encoding> chosen = EnumSet.noneOf(Encoding.class);
    for (int i = 0; i < 2000; i++) {
      long[] values = series.integers(series.size());
      byte[] encoded = IntegerCodec.encode(values);
      chosen.add(Encoding.forId(encoded[0]));
      assertThat(IntegerCodec.decode(encoded)).as("block %d", i).containsExactly(values);
    }
    assertThat(chosen).containsExactlyInAnyOrder(
        Encoding.INTEGER_RUNS, Encoding.INTEGER_DELTA_SIMPLE8B, Encoding.INTEGER_DELTA_VARINT);
  }

  @Test
  void simple8bPacksEveryWidthExactly() {
    for (int bits = 0; bits <= 60; bits++) {
      long[] values = new long[300];
      java.util.Random rnd = new java.util.Random(bits);
      for (int i = 0; i < values.length; i++) {
        values[i] = bits == 0 ? 0 : rnd.nextLong() >>> (64 - bits);
      }
      ByteWriter out = new ByteWriter(16);
      Simple8b.write(out, values, 0);
      long[] back = new long[values.length];
      ByteReader in = new ByteReader(out.toByteArray());
      Simple8b.read(in, back, 0);
      in.expectEnd("simple8b");
      assertThat(back).as("%d-bit values", bits).containsExactly(values);
    }
  }
}
