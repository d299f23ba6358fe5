package dev.capstan.dataplane.tsdb.influxql;

/**
 * The technical-analysis indicators of InfluxQL — exponential_moving_average,
 * double_exponential_moving_average, triple_exponential_moving_average, relative_strength_index,
 * triple_exponential_derivative, kaufmans_efficiency_ratio, kaufmans_adaptive_moving_average and
 * chande_momentum_oscillator — as influxd 1.6.7 computes them. Each is a state machine fed one
 * value at a time that answers the indicator after it; the arithmetic runs in influxd's order
 * (and its warm-up rules) so that results agree to the last bit. Pure.
 */
final class Indicators {
  private Indicators() {}

  /** How an average starts before it has seen a full period. */
  enum Warmup {
    /** An exponential average from the first value, its weight scaled to the values seen. */
    EXPONENTIAL,
    /** The simple mean of the values seen, until a full period. */
    SIMPLE,
    /** chande_momentum_oscillator only: its unsmoothed form over a window of the period. */
    NONE
  }

  interface Indicator {
    /** Feeds one value; the indicator after it. */
    double add(double value);

    /** How many values are held back before the first answer when the query names no hold period. */
    long warmCount();
  }

  /**
   * The indicator {@code function} names, for a period and warm-up (checked by the caller), to be
   * fed at most {@code values} values: windows are not allocated beyond what those can fill.
   */
  static Indicator of(String function, int period, Warmup warmup, int values) {
    return switch (function) {
      case "exponential_moving_average" -> new Ema(period, warmup);
      case "double_exponential_moving_average" -> new Dema(period, warmup);
      case "triple_exponential_moving_average" -> new Tema(period, warmup);
      case "relative_strength_index" -> new UpDown(period, warmup, true);
      case "triple_exponential_derivative" -> new Trix(period, warmup);
      case "kaufmans_efficiency_ratio" -> new EfficiencyRatio(period, values);
      case "kaufmans_adaptive_moving_average" -> new AdaptiveMovingAverage(period, values);
      case "chande_momentum_oscillator" -> warmup == Warmup.NONE ? new Momentum(period, values) : new UpDown(period, warmup, false);
      default -> throw new IllegalArgumentException("not an indicator: " + function);
    };
  }

  /**
   * A ring of {@code size} slots of (value, change), zero at first, allocated only as far as the
   * values fed can reach: a window wider than the data never wraps, and its unreached slots read 0.
   */
  static final class Window {
    final int size;
    private final double[] values;
    private final double[] changes;

    Window(int size, int values) {
      this.size = size;
      int room = (int) Math.min(size, values + 1L);
      this.values = new double[room];
      this.changes = new double[room];
    }

    int next(int slot) {
      return slot + 1 >= size ? 0 : slot + 1;
    }

    double value(int slot) {
      return slot < values.length ? values[slot] : 0;
    }

    double change(int slot) {
      return slot < changes.length ? changes[slot] : 0;
    }

    void set(int slot, double value, double change) {
      values[slot] = value;
      changes[slot] = change;
    }
  }

  /** Exponential moving average with weight 2 / (period + 1) once warm. */
  static final class Ema implements Indicator {
    private final int period;
    private final Warmup warmup;
    private double alpha;
    private double last;
    /** Values seen, up to the period (where it stops: the average is warm). */
    private int count;

    Ema(int period, Warmup warmup) {
      this.period = period;
      this.warmup = warmup;
      this.alpha = 2 / ((double) period + 1);
    }

    boolean warm() {
      return count == period;
    }

    boolean exponentialWarmup() {
      return warmup == Warmup.EXPONENTIAL;
    }

    double last() {
      return last;
    }

    @Override
    public long warmCount() {
      return period - 1L;
    }

    @Override
    public double add(double v) {
      double avg;
      if (count == 0) {
        avg = v;
      } else if (warm()) {
        avg = (v - last) * alpha + last;
      } else if (warmup == Warmup.SIMPLE) {
        avg = (last * count + v) / (count + 1);
      } else {
        // Scaled so that the first values do not outweigh the rest.
        double scaled = 2 / (double) (count + 2);
        avg = (v - last) * scaled + last;
      }
      last = avg;
      if (count < period) {
        count++;
      }
      return avg;
    }
  }

  /** 2·EMA − EMA(EMA); under a simple warm-up the second average starts once the first is warm. */
  static final class Dema implements Indicator {
    private final Ema first;
    private final Ema second;

    Dema(int period, Warmup warmup) {
      first = new Ema(period, warmup);
      second = new Ema(period, warmup);
    }

    @Override
    public long warmCount() {
      return first.exponentialWarmup() ? first.warmCount() : first.warmCount() + second.warmCount();
    }

    @Override
    public double add(double v) {
      double avg1 = first.add(v);
      double avg2 = first.warm() || first.exponentialWarmup() ? second.add(avg1) : avg1;
      return 2 * avg1 - avg2;
    }
  }

  /** 3·EMA − 3·EMA(EMA) + EMA(EMA(EMA)). */
  static final class Tema implements Indicator {
    private final Ema first;
    private final Ema second;
    private final Ema third;

    Tema(int period, Warmup warmup) {
      first = new Ema(period, warmup);
      second = new Ema(period, warmup);
      third = new Ema(period, warmup);
    }

    @Override
    public long warmCount() {
      return first.exponentialWarmup() ? first.warmCount()
          : first.warmCount() + second.warmCount() + third.warmCount();
    }

    @Override
    public double add(double v) {
      double avg1 = first.add(v);
      double avg2 = first.warm() || first.exponentialWarmup() ? second.add(avg1) : avg1;
      double avg3 = second.warm() || second.exponentialWarmup() ? third.add(avg2) : avg2;
      return 3 * avg1 - 3 * avg2 + avg3;
    }
  }

  /**
   * Averages of the rises and of the falls (Wilder's smoothing, weight 1 / period over a warm-up of
   * period + 1 values): the relative strength index 100 − 100 / (1 + up / down), or the smoothed
   * Chande momentum oscillator 100 · (up − down) / (up + down). The first value rises from 0.
   */
  static final class UpDown implements Indicator {
    private final Ema up;
    private final Ema down;
    private final boolean strengthIndex;
    private double lastValue;

    UpDown(int period, Warmup warmup, boolean strengthIndex) {
      up = new Ema(period + 1, warmup);
      down = new Ema(period + 1, warmup);
      up.alpha = 1 / (double) period;
      down.alpha = 1 / (double) period;
      this.strengthIndex = strengthIndex;
    }

    @Override
    public long warmCount() {
      return up.warmCount();
    }

    @Override
    public double add(double v) {
      double rise = 0;
      double fall = 0;
      if (v > lastValue) {
        rise = v - lastValue;
      } else if (v < lastValue) {
        fall = lastValue - v;
      }
      up.add(rise);
      down.add(fall);
      lastValue = v;
      double u = up.last();
      double d = down.last();
      return strengthIndex ? 100 - (100 / (1 + u / d)) : 100.0 * ((u - d) / (u + d));
    }
  }

  /** The rate of change, in percent, of a triple exponential average. */
  static final class Trix implements Indicator {
    private final Ema first;
    private final Ema second;
    private final Ema third;
    private double last;
    /** Rates computed after the third average is warm, up to 2. */
    private int count;

    Trix(int period, Warmup warmup) {
      first = new Ema(period, warmup);
      second = new Ema(period, warmup);
      third = new Ema(period, warmup);
    }

    @Override
    public long warmCount() {
      return first.exponentialWarmup() ? first.warmCount() + 1 : first.warmCount() * 3 + 1;
    }

    @Override
    public double add(double v) {
      double cur = first.add(v);
      if (first.warm() || first.exponentialWarmup()) {
        cur = second.add(cur);
        if (second.warm() || second.exponentialWarmup()) {
          cur = third.add(cur);
        }
      }
      double rate = ((cur / last) - 1) * 100;
      last = cur;
      if (count != 2 && third.warm()) {
        count++;
      }
      return rate;
    }
  }

  /**
   * Kaufman's efficiency ratio: the net change over the period divided by the sum of the absolute
   * changes within it. The window starts as zeros, as influxd's does.
   */
  static final class EfficiencyRatio implements Indicator {
    private final Window window;
    private double noise;
    /** Values seen, up to period + 1 (warm). */
    private int count;
    /** The newest value's slot. */
    private int newest;

    EfficiencyRatio(int period, int values) {
      window = new Window(period, values);
    }

    @Override
    public long warmCount() {
      return window.size;
    }

    boolean warm() {
      return count == window.size + 1;
    }

    /** The newest value fed, 0 before any. */
    double newestValue() {
      return window.value(newest);
    }

    @Override
    public double add(double v) {
      int oldest = window.next(newest);
      double signal = Math.abs(v - window.value(oldest));
      double change = Math.abs(v - window.value(newest));
      noise -= window.change(oldest);
      noise += change;
      newest = oldest;
      window.set(newest, v, change);
      if (!warm()) {
        count++;
      }
      return signal == 0 || noise == 0 ? 0 : signal / noise;
    }
  }

  /** Kaufman's adaptive moving average: smoothing between 2/3 and 2/31 by the efficiency ratio. */
  static final class AdaptiveMovingAverage implements Indicator {
    /** 2/3 − 2/31, which influxd's Go source writes as a constant expression: rounded once. */
    private static final double FAST_MINUS_SLOW = 56.0 / 93.0;
    private static final double SLOW = 2.0 / 31.0;
    private final EfficiencyRatio ratio;
    private double last;

    AdaptiveMovingAverage(int period, int values) {
      ratio = new EfficiencyRatio(period, values);
    }

    @Override
    public long warmCount() {
      return ratio.warmCount();
    }

    @Override
    public double add(double v) {
      if (!ratio.warm()) {
        last = ratio.newestValue();
      }
      double er = ratio.add(v);
      double base = er * FAST_MINUS_SLOW + SLOW;
      double sc = base * base; // Go's math.Pow(x, 2) is x * x rounded once
      last = last + sc * (v - last);
      return last;
    }
  }

  /**
   * The Chande momentum oscillator without smoothing: 100 · (rises − falls) / (rises + falls) over
   * a window of period − 1 changes, kept as running sums as influxd keeps them.
   */
  static final class Momentum implements Indicator {
    private final Window window;
    private double sumUp;
    private double sumDown;
    private int count;
    private int newest;

    Momentum(int period, int values) {
      if (period < 2) {
        // influxd 1.6.7 fails with an index out of range here.
        throw new Eval.QueryError("chande_momentum_oscillator period must be greater than or equal to 2"
            + " with the warmup type 'none'");
      }
      window = new Window(period - 1, values);
    }

    @Override
    public long warmCount() {
      return window.size;
    }

    @Override
    public double add(double v) {
      int oldest = window.next(newest);
      double change = 0;
      if (count != 0) {
        change = v - window.value(newest);
        if (change > 0) {
          sumUp += change;
        } else if (change < 0) {
          sumDown -= change;
        }
      }
      double out = 0;
      if (sumUp != 0 || sumDown != 0) {
        out = 100.0 * ((sumUp - sumDown) / (sumUp + sumDown));
      }
      double leaving = window.change(oldest);
      if (leaving > 0) {
        sumUp -= leaving;
      } else if (leaving < 0) {
        sumDown += leaving;
      }
      window.set(oldest, v, change);
      newest = oldest;
      if (count != window.size + 2) {
        count++;
      }
      return out;
    }
  }
}
