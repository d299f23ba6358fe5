package dev.capstan.dataplane.tsdb.codec;

import static dev.capstan.dataplane.tsdb.codec.BlockAssertions.assertSameBlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BlockCodecTest {
  static Stream<Block> edgeCases() {
    long[] two = {Long.MIN_VALUE, Long.MAX_VALUE};
    return Stream.of(
        new Block(new long[] {}, new Column.FloatColumn(new double[] {})),
        new Block(new long[] {}, new Column.StringColumn(List.of())),
        new Block(new long[] {7}, new Column.IntegerColumn(new long[] {Long.MIN_VALUE})),
        new Block(two, new Column.FloatColumn(new double[] {-0.0, Double.NaN})),
        new Block(two, new Column.IntegerColumn(new long[] {Long.MAX_VALUE, Long.MIN_VALUE})),
        new Block(two, new Column.BooleanColumn(new boolean[] {true, false})),
        new Block(two, new Column.StringColumn(List.of("", "🚀"))));
  }

  @ParameterizedTest
  @MethodSource("edgeCases")
  void edgeCaseBlocksRoundTrip(Block block) {
    assertSameBlock(BlockCodec.decode(BlockCodec.encode(block)), block);
  }

  @Test
  void thousandsOfRandomBlocksOfEveryFieldTypeRoundTrip() {
    RandomSeries series = new RandomSeries(777L);
    for (int i = 0; i < 3000; i++) {
      Block block = series.block();
      assertSameBlock(BlockCodec.decode(BlockCodec.encode(block)), block);
    }
  }

  @Test
  void blocksCompareByContentAndFloatsBitForBit() {
    Block a = new Block(new long[] {1, 2}, new Column.FloatColumn(new double[] {Double.NaN, -0.0}));
    Block same = new Block(new long[] {1, 2}, new Column.FloatColumn(new double[] {Double.NaN, -0.0}));
    Block positiveZero = new Block(new long[] {1, 2}, new Column.FloatColumn(new double[] {Double.NaN, 0.0}));
    Block otherTimes = new Block(new long[] {1, 3}, new Column.FloatColumn(new double[] {Double.NaN, -0.0}));
    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(positiveZero).isNotEqualTo(otherTimes);
    assertThat(a.toString()).isEqualTo("Block[2 points 1..2, FloatColumn[2 values]]");
    assertThat(BlockCodec.decode(BlockCodec.encode(a))).isEqualTo(a);
  }

  @Test
  void blockNeedsOneValuePerTimestamp() {
    assertThatThrownBy(() -> new Block(new long[] {1, 2}, new Column.BooleanColumn(new boolean[] {true})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 timestamps but 1 values");
  }

  @Test
  void blockOfUnsortedTimestampsIsRejectedAtEncode() {
    Block unsorted = new Block(new long[] {2, 1}, new Column.IntegerColumn(new long[] {1, 2}));
    assertThatThrownBy(() -> BlockCodec.encode(unsorted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strictly increasing");
  }

  @Test
  void tooManyPointsAreRejectedAtEncode() {
    int n = Block.MAX_POINTS + 1;
    long[] ts = new long[n];
    for (int i = 0; i < n; i++) {
      ts[i] = i;
    }
    Block huge = new Block(ts, new Column.BooleanColumn(new boolean[n]));
    assertThatThrownBy(() -> BlockCodec.encode(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most " + Block.MAX_POINTS);
  }

  @Test
  void valueCountMustMatchTimestampCount() {
    byte[] good = BlockCodec.encode(new Block(new long[] {1, 2}, new Column.IntegerColumn(new long[] {5, 5})));
    ByteWriter forged = new ByteWriter(16);
    ByteWriter ts = new ByteWriter(16);
    TimestampCodec.write(ts, new long[] {1, 2});
    forged.writeVarInt(ts.size());
    forged.writeBytes(ts.toByteArray());
    IntegerCodec.write(forged, new long[] {5, 5, 5});
    assertThat(BlockCodec.decode(good).size()).isEqualTo(2);
    assertThatThrownBy(() -> BlockCodec.decode(forged.toByteArray()))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("2 timestamps but 3 values");
  }

  @Test
  void unknownEncodingIdIsNamed() {
    byte[] block = BlockCodec.encode(new Block(new long[] {1}, new Column.IntegerColumn(new long[] {5})));
    int valueColumn = 1 + block[0];
    block[valueColumn] = 99;
    assertThatThrownBy(() -> BlockCodec.decode(block))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("unknown encoding id 99");
  }
}
