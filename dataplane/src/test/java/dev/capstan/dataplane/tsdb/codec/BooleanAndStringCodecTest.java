package dev.capstan.dataplane.tsdb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BooleanAndStringCodecTest {
  static Stream<Arguments> booleanCases() {
    boolean[] allTrue = new boolean[17];
    Arrays.fill(allTrue, true);
    return Stream.of(
        Arguments.of(new boolean[] {}, 2),
        Arguments.of(new boolean[] {true}, 3),
        Arguments.of(new boolean[] {false, true, false, true, true, false, false, true}, 3),
        Arguments.of(allTrue, 2 + 3));
  }

  @ParameterizedTest
  @MethodSource("booleanCases")
  void booleansRoundTripInOneBitEach(boolean[] values, int expectedBytes) {
    byte[] encoded = BooleanCodec.encode(values);
    assertThat(encoded).hasSize(expectedBytes);
    assertThat(BooleanCodec.decode(encoded)).containsExactly(values);
  }

  @Test
  void thousandsOfRandomBooleanAndStringBlocksRoundTrip() {
    RandomSeries series = new RandomSeries(99L);
    for (int i = 0; i < 1500; i++) {
      boolean[] booleans = series.booleans(series.size());
      assertThat(BooleanCodec.decode(BooleanCodec.encode(booleans))).as("booleans %d", i).containsExactly(booleans);
      List<String> strings = series.strings(series.size());
      assertThat(StringCodec.decode(StringCodec.encode(strings))).as("strings %d", i).containsExactlyElementsOf(strings);
    }
  }

  static Stream<List<String>> stringCases() {
    return Stream.of(
        List.of(),
        List.of(""),
        List.of("", "", ""),
        List.of("käse", "日本語", "emoji 🚀", "nul\u0000inside"),
        List.of("x".repeat(100_000)));
  }

  @ParameterizedTest
  @MethodSource("stringCases")
  void stringsRoundTrip(List<String> values) {
    assertThat(StringCodec.decode(StringCodec.encode(values))).containsExactlyElementsOf(values);
  }

  @Test
  void repetitiveStringsAreCompressed() {
    List<String> values = java.util.Collections.nCopies(1000, "status=ok region=eu-west-1");
    assertThat(StringCodec.encode(values).length).isLessThan(values.size() * 27 / 10);
  }

  @Test
  void stringsThatCannotRoundTripAreRejectedAtEncodeTime() {
    assertThatThrownBy(() -> StringCodec.encode(List.of("ok", "broken \uD800 surrogate")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 1");
    assertThatThrownBy(() -> StringCodec.encode(Arrays.asList("ok", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 1 is null");
  }

  @Test
  void forgedSnappyLengthIsRejectedBeforeAllocating() {
    // A valid snappy stream is a varint uncompressed length then literals; claim 2 GB from 7 bytes.
    byte[] forged = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x00, 0x41};
    ByteWriter out = new ByteWriter(16);
    out.writeByte(Encoding.STRING_SNAPPY.id());
    out.writeVarInt(1);
    out.writeVarInt(forged.length);
    out.writeBytes(forged);
    assertThatThrownBy(() -> StringCodec.decode(out.toByteArray())).isInstanceOf(CorruptBlockException.class);
  }
}
