package dev.capstan.dataplane.tsdb.codec;

import static dev.capstan.dataplane.tsdb.codec.BlockAssertions.rawBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FloatCodecTest {
  static Stream<Arguments> edgeCases() {
    return Stream.of(
        Arguments.of("empty", new double[] {}),
        Arguments.of("one point", new double[] {21.37}),
        Arguments.of("-0.0 next to 0.0", new double[] {0.0, -0.0, 0.0, -0.0}),
        Arguments.of("-0.0 alone", new double[] {-0.0}),
        Arguments.of("NaN payloads", new double[] {Double.NaN, Double.longBitsToDouble(0x7ff0000000000001L),
            Double.longBitsToDouble(0xfff8dead0000beefL), Double.NaN}),
        Arguments.of("infinities", new double[] {Double.POSITIVE_INFINITY, 1.5, Double.NEGATIVE_INFINITY}),
        Arguments.of("extremes", new double[] {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE,
            Double.MIN_NORMAL, -Double.MIN_VALUE}),
        Arguments.of("all 64 bits differ", new double[] {Double.longBitsToDouble(0), Double.longBitsToDouble(-1L),
            Double.longBitsToDouble(0)}),
        Arguments.of("decimals then a NaN", new double[] {1.25, 1.26, Double.NaN, 1.27}),
        Arguments.of("large integers", new double[] {0x1p53, 0x1p53 - 1, 9.223372036854776E18, -9.223372036854776E18}),
        Arguments.of("tiny decimals", new double[] {1e-15, 2e-15, 3e-15}),
        Arguments.of("constant", new double[] {42.5, 42.5, 42.5, 42.5}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeCases")
  void edgeCasesRoundTripBitExact(String name, double[] values) {
    assertThat(rawBits(FloatCodec.decode(FloatCodec.encode(values)))).containsExactly(rawBits(values));
    assertThat(rawBits(FloatCodec.decode(gorilla(values)))).containsExactly(rawBits(values));
  }

  @Test
  void thousandsOfRandomBlocksRoundTripBitExact() {
    RandomSeries series = new RandomSeries(42L);
    Set<Encoding> chosen = EnumSet.noneOf(Encoding.class);
    for (int i = 0; i < 2000; i++) {
      double[] values = series.floats(series.size());
      byte[] encoded = FloatCodec.encode(values);
      chosen.add(Encoding.forId(encoded[0]));
      assertThat(rawBits(FloatCodec.decode(encoded))).as("block %d", i).containsExactly(rawBits(values));
      assertThat(rawBits(FloatCodec.decode(gorilla(values)))).as("gorilla, block %d", i).containsExactly(rawBits(values));
      assertThat(encoded.length).isLessThanOrEqualTo(gorilla(values).length);
    }
    assertThat(chosen).containsExactlyInAnyOrder(Encoding.FLOAT_GORILLA, Encoding.FLOAT_DECIMAL);
  }

  static Stream<Arguments> scales() {
    return Stream.of(
        Arguments.of(new double[] {1, 2, 3}, 0),
        Arguments.of(new double[] {21.3, 21.37}, 2),
        Arguments.of(new double[] {0.1, 0.2, 0.3}, 1),
        Arguments.of(new double[] {0.1 + 0.2}, -1), // 0.30000000000000004 needs 17 digits
        Arguments.of(new double[] {1.5, -0.0}, -1),
        Arguments.of(new double[] {1.5, Double.NaN}, -1),
        Arguments.of(new double[] {Math.PI}, 15), // 3.141592653589793 is a 15-digit decimal
        Arguments.of(new double[] {1.0 / 3}, -1), // 0.3333333333333333 needs 16
        Arguments.of(new double[] {}, 0));
  }

  @ParameterizedTest
  @MethodSource("scales")
  void decimalScaleIsTheSmallestExactOne(double[] values, int scale) {
    assertThat(FloatCodec.commonScale(values)).isEqualTo(scale);
  }

  @Test
  void gorillaWindowReuseRejectedBeforeAnyWindowIsSet() {
    // count 2, first value 0.0, then control bits "10" (reuse a window) with none set yet.
    BitWriter bits = new BitWriter(80);
    bits.writeBits(0, 64);
    bits.writeBits(0b10, 2);
    bits.writeBits(0, 6);
    ByteWriter out = new ByteWriter(16);
    out.writeByte(Encoding.FLOAT_GORILLA.id());
    out.writeVarInt(2);
    out.writeBytes(bits.toByteArray());
    assertThatThrownBy(() -> FloatCodec.decode(out.toByteArray()))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("reuses a window");
  }

  private static byte[] gorilla(double[] values) {
    ByteWriter out = new ByteWriter(16);
    FloatCodec.writeGorilla(out, values);
    return out.toByteArray();
  }
}
