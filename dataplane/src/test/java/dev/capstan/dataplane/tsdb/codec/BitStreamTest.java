package dev.capstan.dataplane.tsdb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BitStreamTest {
  @Test
  void randomWidthsRoundTripAndPadToWholeBytes() {
    Random rnd = new Random(7);
    for (int round = 0; round < 1000; round++) {
      int n = rnd.nextInt(50);
      int[] widths = new int[n];
      long[] values = new long[n];
      BitWriter w = new BitWriter(1);
      long total = 0;
      for (int i = 0; i < n; i++) {
        widths[i] = rnd.nextInt(65);
        values[i] = widths[i] == 64 ? rnd.nextLong() : rnd.nextLong() & ((1L << widths[i]) - 1);
        w.writeBits(values[i], widths[i]);
        total += widths[i];
      }
      byte[] bytes = w.toByteArray();
      assertThat(bytes).hasSize((int) ((total + 7) / 8));
      BitReader r = new BitReader(bytes, 0, bytes.length);
      for (int i = 0; i < n; i++) {
        assertThat(r.readBits(widths[i])).as("value %d of round %d", i, round).isEqualTo(values[i]);
      }
      assertThat(r.bytesConsumedFrom(0)).isEqualTo(bytes.length);
    }
  }

  @Test
  void writeBitsKeepsOnlyTheLowBits() {
    BitWriter w = new BitWriter(8);
    w.writeBits(-1L, 3);
    w.writeBits(0, 5);
    assertThat(w.toByteArray()).containsExactly((byte) 0b1110_0000);
  }

  @Test
  void readSignedSignExtends() {
    BitWriter w = new BitWriter(8);
    w.writeBits(-5, 14);
    byte[] bytes = w.toByteArray();
    assertThat(new BitReader(bytes, 0, bytes.length).readSigned(14)).isEqualTo(-5);
  }

  @Test
  void readingPastTheEndIsCorruption() {
    BitReader r = new BitReader(new byte[] {(byte) 0xFF}, 0, 1);
    r.readBits(7);
    assertThatThrownBy(() -> r.readBits(2))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void varintsRoundTripAndRejectOverlongEncodings() {
    ByteWriter w = new ByteWriter(1);
    long[] values = {0, 1, 127, 128, 300, Long.MAX_VALUE, Long.MIN_VALUE, -1};
    for (long v : values) {
      w.writeVarLong(v);
    }
    ByteReader r = new ByteReader(w.toByteArray());
    for (long v : values) {
      assertThat(r.readVarLong()).isEqualTo(v);
    }
    r.expectEnd("varints");
    byte[] elevenBytes = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
    assertThatThrownBy(() -> new ByteReader(elevenBytes).readVarLong()).isInstanceOf(CorruptBlockException.class);
    byte[] overflow = {-1, -1, -1, -1, -1, -1, -1, -1, -1, 2};
    assertThatThrownBy(() -> new ByteReader(overflow).readVarLong())
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("overflows");
  }
}
