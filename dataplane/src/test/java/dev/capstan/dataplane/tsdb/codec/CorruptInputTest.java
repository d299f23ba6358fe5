package dev.capstan.dataplane.tsdb.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged blocks must fail fast and clearly: a {@link CorruptBlockException}, never another
 * exception, a hang or a huge allocation. Without a checksum (the shard file's job) a bit flip may
 * also decode to a different well-formed block; that is allowed, a crash is not.
 */
class CorruptInputTest {
  @Test
  void everyTruncationOfAValidBlockIsRejected() {
    RandomSeries series = new RandomSeries(5L);
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      int truncations = 0;
      for (int b = 0; b < 1000; b++) {
        byte[] valid = BlockCodec.encode(series.block());
        for (int length = 0; length < valid.length; length += 1 + length / 16) {
          byte[] truncated = Arrays.copyOf(valid, length);
          int blockIndex = b;
          int cut = length;
          assertThatThrownBy(() -> BlockCodec.decode(truncated))
              .as("block %d cut to %d of %d bytes", blockIndex, cut, valid.length)
              .isInstanceOf(CorruptBlockException.class);
          truncations++;
        }
      }
      System.out.printf("truncations: %d, all rejected%n", truncations);
    });
  }

  @Test
  void bitFlipsAndGarbageNeverCrashOrHang() {
    RandomSeries series = new RandomSeries(6L);
    Random rnd = series.random();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      int attempts = 0;
      int rejected = 0;
      for (int b = 0; b < 1000; b++) {
        byte[] valid = BlockCodec.encode(series.block());
        for (int k = 0; k < 20; k++) {
          byte[] damaged = valid.clone();
          int flips = 1 + rnd.nextInt(3);
          for (int f = 0; f < flips; f++) {
            int bit = rnd.nextInt(damaged.length * 8);
            damaged[bit >>> 3] ^= (byte) (1 << (bit & 7));
          }
          attempts++;
          rejected += decodesOrRejects(damaged) ? 0 : 1;
        }
      }
      for (int g = 0; g < 5000; g++) {
        byte[] garbage = new byte[rnd.nextInt(64)];
        rnd.nextBytes(garbage);
        attempts++;
        rejected += decodesOrRejects(garbage) ? 0 : 1;
      }
      System.out.printf("bit flips and garbage: %d inputs, %d rejected as corrupt, the rest decoded well-formed%n",
          attempts, rejected);
      assertThat(rejected).isPositive();
    });
  }

  /** True if the input decoded to a well-formed block, false if rejected as corrupt; fails otherwise. */
  private static boolean decodesOrRejects(byte[] input) {
    try {
      Block block = BlockCodec.decode(input);
      long[] ts = block.timestamps();
      for (int i = 1; i < ts.length; i++) {
        assertThat(ts[i]).isGreaterThan(ts[i - 1]);
      }
      assertThat(block.values().size()).isEqualTo(ts.length);
      return true;
    } catch (CorruptBlockException e) {
      assertThat(e.getMessage()).isNotBlank();
      return false;
    } catch (RuntimeException | Error e) {
      fail("decoding " + Arrays.toString(input) + " threw " + e, e);
      return false;
    }
  }
}
