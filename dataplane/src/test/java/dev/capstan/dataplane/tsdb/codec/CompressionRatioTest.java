package dev.capstan.dataplane.tsdb.codec;

import static dev.capstan.dataplane.tsdb.codec.BlockAssertions.assertSameBlock;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The targets, measured on 10k-point blocks of a series sampled every 10 s. Numbers are
 * printed so a regression shows its size, not just its failure.
 */
class CompressionRatioTest {
  private static final int POINTS = 10_000;

  @Test
  void regularSeriesWithSlowlyVaryingTwoDecimalFloatsCostsAtMost1point4BytesPerPoint() {
    long[] ts = regularTimestamps();
    double[] values = new double[POINTS];
    Random rnd = new Random(2026);
    long hundredths = 2137; // 21.37 °C
    for (int i = 0; i < POINTS; i++) {
      hundredths += rnd.nextInt(11) - 5; // ±0.05 per 10 s
      values[i] = hundredths / 100.0; // the double Double.parseDouble("21.37") yields
    }
    Block block = new Block(ts, new Column.FloatColumn(values));
    byte[] encoded = BlockCodec.encode(block);
    assertSameBlock(BlockCodec.decode(encoded), block);

    double perPoint = (double) encoded.length / POINTS;
    int gorillaTimestamps = gorillaTimestamps(ts);
    int gorillaValues = gorillaValues(values);
    System.out.printf("(a) regular 10 s, 2-decimal random walk: %d bytes, %.3f B/point (timestamps %d bytes); "
            + "pure Gorilla would be %.3f B/point (timestamps %d bytes, values %d bytes)%n",
        encoded.length, perPoint, TimestampCodec.encode(ts).length,
        (gorillaTimestamps + gorillaValues) / (double) POINTS, gorillaTimestamps, gorillaValues);
    assertThat(perPoint).isLessThanOrEqualTo(1.4);
  }

  @Test
  void constantFloatsCostAlmostNothing() {
    double[] values = new double[POINTS];
    Arrays.fill(values, 42.5);
    byte[] encoded = BlockCodec.encode(new Block(regularTimestamps(), new Column.FloatColumn(values)));
    System.out.printf("(b) regular 10 s, constant float: %d bytes, %.4f B/point%n",
        encoded.length, (double) encoded.length / POINTS);
    assertThat(encoded.length).isLessThanOrEqualTo(32);
  }

  @Test
  void qualityFieldMostly192CostsAlmostNothing() {
    long[] q = new long[POINTS];
    Arrays.fill(q, 192);
    byte[] constant = BlockCodec.encode(new Block(regularTimestamps(), new Column.IntegerColumn(q)));
    Random rnd = new Random(3);
    for (int k = 0; k < 10; k++) {
      q[rnd.nextInt(POINTS)] = rnd.nextBoolean() ? 0 : 64; // bad / uncertain now and then
    }
    byte[] mostly = BlockCodec.encode(new Block(regularTimestamps(), new Column.IntegerColumn(q)));
    System.out.printf("(c) quality field: all 192 %d bytes (%.4f B/point); 192 with 10 blips %d bytes (%.4f B/point)%n",
        constant.length, (double) constant.length / POINTS, mostly.length, (double) mostly.length / POINTS);
    assertThat(constant.length).isLessThanOrEqualTo(32);
    assertThat((double) mostly.length / POINTS).isLessThanOrEqualTo(0.02);
  }

  private static long[] regularTimestamps() {
    long[] ts = new long[POINTS];
    for (int i = 0; i < POINTS; i++) {
      ts[i] = 1_767_225_600_000_000_000L + i * 10_000_000_000L; // ns since the epoch
    }
    return ts;
  }

  private static int gorillaTimestamps(long[] ts) {
    ByteWriter out = new ByteWriter(16);
    TimestampCodec.writeDeltaOfDelta(out, ts);
    return out.size();
  }

  private static int gorillaValues(double[] values) {
    ByteWriter out = new ByteWriter(16);
    FloatCodec.writeGorilla(out, values);
    return out.size();
  }
}
