package dev.capstan.dataplane.tsdb.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded generators of the shapes real series take, plus the hostile ones. */
final class RandomSeries {
  private final Random rnd;

  RandomSeries(long seed) {
    rnd = new Random(seed);
  }

  Random random() {
    return rnd;
  }

  int size() {
    return switch (rnd.nextInt(5)) {
      case 0 -> rnd.nextInt(3); // 0, 1, 2: the boundaries of every codec
      case 1 -> 1 + rnd.nextInt(600); // crosses simple-8b's 240-zero words
      default -> 1 + rnd.nextInt(120);
    };
  }

  long[] timestamps(int n) {
    long[] ts = new long[n];
    if (n == 0) {
      return ts;
    }
    int kind = rnd.nextInt(5);
    if (kind == 4) {
      // Distinct random longs over the whole range: huge, wrapping deltas.
      java.util.TreeSet<Long> set = new java.util.TreeSet<>();
      set.add(Long.MIN_VALUE);
      set.add(Long.MAX_VALUE);
      while (set.size() < n) {
        set.add(rnd.nextLong());
      }
      List<Long> sorted = new ArrayList<>(set);
      int from = rnd.nextInt(Math.max(1, set.size() - n + 1));
      for (int i = 0; i < n; i++) {
        ts[i] = sorted.get(from + i);
      }
      return ts;
    }
    long step = switch (rnd.nextInt(3)) {
      case 0 -> 1;
      case 1 -> 10_000_000_000L; // 10 s in ns
      default -> 1 + rnd.nextInt(1_000_000);
    };
    long jitter = kind == 0 ? 0 : kind == 1 ? step / 100 : kind == 2 ? step * 3 : 0;
    // Start near either end sometimes so that Long.MIN_VALUE / MAX_VALUE appear in blocks.
    long span = (6 * step + jitter + 1) * (long) n;
    long start = switch (rnd.nextInt(3)) {
      case 0 -> Long.MIN_VALUE + rnd.nextInt(3);
      case 1 -> Long.MAX_VALUE - span;
      default -> 1_700_000_000_000_000_000L + rnd.nextInt(1000);
    };
    ts[0] = start;
    for (int i = 1; i < n; i++) {
      long gap = kind == 3 && rnd.nextInt(10) == 0 ? step * (2 + rnd.nextInt(5)) : step;
      long j = jitter == 0 ? 0 : (long) (rnd.nextDouble() * jitter) - jitter / 2;
      ts[i] = ts[i - 1] + Math.max(1, gap + j);
    }
    return ts;
  }

  double[] floats(int n) {
    double[] v = new double[n];
    int kind = rnd.nextInt(6);
    long mantissa = rnd.nextInt(100_000) - 50_000;
    int scale = rnd.nextInt(5);
    double pow = Math.pow(10, scale);
    double[] specials = {Double.NaN, Double.longBitsToDouble(0x7ff0000000000001L),
        Double.longBitsToDouble(0xfff8dead0000beefL), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        -0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL};
    for (int i = 0; i < n; i++) {
      v[i] = switch (kind) {
        case 0 -> Double.longBitsToDouble(rnd.nextLong());
        case 1 -> (mantissa += rnd.nextInt(11) - 5) / pow; // decimal random walk
        case 2 -> 42.5;
        case 3 -> specials[rnd.nextInt(specials.length)];
        case 4 -> Math.sin(i / 50.0) * 1000 + rnd.nextGaussian();
        default -> rnd.nextInt(10) == 0 ? specials[rnd.nextInt(specials.length)] : (mantissa += rnd.nextInt(3) - 1) / pow;
      };
    }
    return v;
  }

  long[] integers(int n) {
    long[] v = new long[n];
    int kind = rnd.nextInt(5);
    long x = rnd.nextInt(1000);
    long[] extremes = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1};
    for (int i = 0; i < n; i++) {
      v[i] = switch (kind) {
        case 0 -> rnd.nextLong();
        case 1 -> x += rnd.nextInt(21) - 10;
        case 2 -> rnd.nextInt(200) == 0 ? rnd.nextInt(256) : 192; // a quality field
        case 3 -> extremes[rnd.nextInt(extremes.length)];
        default -> x += rnd.nextInt(1_000_000); // a counter
      };
    }
    return v;
  }

  boolean[] booleans(int n) {
    boolean[] v = new boolean[n];
    double p = rnd.nextDouble();
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextDouble() < p;
    }
    return v;
  }

  List<String> strings(int n) {
    String[] vocabulary = {"", "ok", "warning", "käse", "日本語", "emoji 🚀", "line\nbreak", "x".repeat(300)};
    List<String> v = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (rnd.nextBoolean()) {
        v.add(vocabulary[rnd.nextInt(vocabulary.length)]);
      } else {
        StringBuilder sb = new StringBuilder();
        int len = rnd.nextInt(20);
        for (int k = 0; k < len; k++) {
          sb.appendCodePoint(rnd.nextInt(4) == 0 ? 0x80 + rnd.nextInt(0x2000) : 0x20 + rnd.nextInt(0x5f));
        }
        v.add(sb.toString());
      }
    }
    return v;
  }

  Column column(int n) {
    return switch (rnd.nextInt(4)) {
      case 0 -> new Column.FloatColumn(floats(n));
      case 1 -> new Column.IntegerColumn(integers(n));
      case 2 -> new Column.BooleanColumn(booleans(n));
      default -> new Column.StringColumn(strings(n));
    };
  }

  Block block() {
    int n = size();
    return new Block(timestamps(n), column(n));
  }
}
