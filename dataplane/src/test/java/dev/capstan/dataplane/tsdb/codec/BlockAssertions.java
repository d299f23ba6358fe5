package dev.capstan.dataplane.tsdb.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/** Bit-exact comparisons: NaN payloads and -0.0 matter, so doubles are compared as raw bits. */
final class BlockAssertions {
  private BlockAssertions() {}

  static long[] rawBits(double[] values) {
    return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
  }

  static void assertSameColumn(Column actual, Column expected) {
    assertThat(actual.getClass()).isEqualTo(expected.getClass());
    if (expected instanceof Column.FloatColumn e) {
      assertThat(rawBits(((Column.FloatColumn) actual).values())).containsExactly(rawBits(e.values()));
    } else if (expected instanceof Column.IntegerColumn e) {
      assertThat(((Column.IntegerColumn) actual).values()).containsExactly(e.values());
    } else if (expected instanceof Column.BooleanColumn e) {
      assertThat(((Column.BooleanColumn) actual).values()).containsExactly(e.values());
    } else if (expected instanceof Column.StringColumn e) {
      assertThat(((Column.StringColumn) actual).values()).containsExactlyElementsOf(e.values());
    }
  }

  static void assertSameBlock(Block actual, Block expected) {
    assertThat(actual.timestamps()).containsExactly(expected.timestamps());
    assertSameColumn(actual.values(), expected.values());
  }
}
