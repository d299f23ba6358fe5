package dev.capstan.dataplane.tsdb.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;

/**
 * The InfluxQL transformations that turn one stream of points into another: derivative,
 * non_negative_derivative, difference, non_negative_difference, moving_average, cumulative_sum,
 * elapsed and the technical-analysis indicators, with influxd 1.6.7's arithmetic. Pure: the caller hands in the non-null points of
 * one series in the order the query reads them (newest first under ORDER BY time DESC) and gets
 * the output points in the same order.
 */
sealed interface Transform {

  /** One point: its time (ns) and a {@code Double}, {@code Long}, {@code String} or {@code Boolean}. */
  record Point(long time, Object value) {}

  /** The transformation's name, for influxd's "unsupported ... iterator type" errors. */
  String iteratorName();

  /** Whether influxd reads one GROUP BY interval beyond the query's range for this function. */
  default boolean extendsRange() {
    return true;
  }

  List<Point> apply(List<Point> in, boolean ascending);

  /**
   * {@code derivative}: the change between successive points per {@code unit} ns, as a float.
   * Under DESC influxd divides (curr - prev) by the positive time between them, so the sign of
   * a slope read newest first is flipped.
   */
  record Derivative(long unit, boolean nonNegative) implements Transform {
    @Override
    public String iteratorName() {
      return "derivative";
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      return successive(in, (prev, p) -> {
        double diff = number(p, this) - number(prev, this);
        long elapsed = p.time() - prev.time();
        if (!ascending) {
          elapsed = -elapsed;
        }
        return nonNegative && diff < 0 ? null : new Point(p.time(), diff / ((double) elapsed / (double) unit));
      });
    }
  }

  /** {@code difference}: curr - prev, an integer for integers. */
  record Difference(boolean nonNegative) implements Transform {
    @Override
    public String iteratorName() {
      return "difference";
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      return successive(in, (prev, p) -> {
        Object value;
        boolean negative;
        if (p.value() instanceof Long c && prev.value() instanceof Long q) {
          long d = c - q;
          value = d;
          negative = d < 0;
        } else {
          double d = number(p, this) - number(prev, this);
          value = d;
          negative = d < 0;
        }
        return nonNegative && negative ? null : new Point(p.time(), value);
      });
    }
  }

  /**
   * {@code moving_average(x, n)}: the mean of the last n points, kept as a running sum (the
   * oldest value subtracted, the newest added) as influxd does, so the last bits match.
   */
  record MovingAverage(int n) implements Transform {
    @Override
    public String iteratorName() {
      return "moving average";
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      List<Point> out = new ArrayList<>();
      if (in.isEmpty()) {
        return out;
      }
      boolean integers = integers(in);
      // influxd accepts any window; fewer points than the window give nothing, so the
      // buffers never need more room than there are points.
      int room = Math.min(n, in.size());
      double[] fbuf = new double[integers ? 0 : room];
      long[] ibuf = new long[integers ? room : 0];
      double fsum = 0;
      long isum = 0;
      int size = 0;
      int pos = 0;
      for (Point p : in) {
        if (integers) {
          long v = (Long) p.value();
          if (size < n) {
            size++;
          } else {
            isum -= ibuf[pos];
          }
          ibuf[pos] = v;
          isum += v;
        } else {
          double v = number(p, this);
          if (size < n) {
            size++;
          } else {
            fsum -= fbuf[pos];
          }
          fbuf[pos] = v;
          fsum += v;
        }
        pos = (pos + 1) % room;
        if (size == n) {
          out.add(new Point(p.time(), integers ? (double) isum / n : fsum / n));
        }
      }
      return out;
    }
  }

  /**
   * A technical-analysis indicator ({@link Indicators}), e.g. {@code
   * exponential_moving_average(v, 10)}: a float per point once more than {@code hold} points were
   * fed (-1: the indicator's own warm-up count). Like influxd, the indicators whose results can
   * be infinite (triple_exponential_derivative and Kaufman's) leave those points out.
   */
  record TechnicalIndicator(String function, int period, int hold, Indicators.Warmup warmup) implements Transform {
    @Override
    public String iteratorName() {
      return function.replace('_', ' ');
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      Indicators.Indicator indicator = Indicators.of(function, period, warmup, in.size());
      long holdBack = hold == -1 ? indicator.warmCount() : hold;
      boolean dropInfinite = function.equals("triple_exponential_derivative") || function.startsWith("kaufmans_");
      List<Point> out = new ArrayList<>();
      long fed = 0;
      for (Point p : in) {
        double v = indicator.add(number(p, this));
        fed++;
        if (fed > holdBack && !(dropInfinite && Double.isInfinite(v))) {
          out.add(new Point(p.time(), v));
        }
      }
      return out;
    }
  }

  /**
   * {@code holt_winters(agg, n, s)} / {@code holt_winters_with_fit}: the {@link HoltWinters}
   * forecast over the buckets of the query's range, {@code interval} ns apart.
   */
  record HoltWintersForecast(int horizon, int season, boolean withFit, long interval) implements Transform {
    @Override
    public String iteratorName() {
      return "holt winters";
    }

    @Override
    public boolean extendsRange() {
      return false;
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      for (Point p : in) {
        number(p, this);
      }
      List<Point> ordered = new ArrayList<>(in);
      if (!ascending) {
        java.util.Collections.reverse(ordered);
      }
      List<Point> out = new ArrayList<>(HoltWinters.forecast(ordered, horizon, season, withFit, interval));
      if (!ascending) {
        java.util.Collections.reverse(out);
      }
      return out;
    }
  }

  /** {@code cumulative_sum}: the running sum, from the first point on; integer for integers. */
  record CumulativeSum() implements Transform {
    @Override
    public String iteratorName() {
      return "cumulative sum";
    }

    @Override
    public boolean extendsRange() {
      return false;
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      List<Point> out = new ArrayList<>();
      boolean integers = integers(in);
      double fsum = 0;
      long isum = 0;
      for (Point p : in) {
        if (integers) {
          isum += (Long) p.value();
          out.add(new Point(p.time(), isum));
        } else {
          fsum += number(p, this);
          out.add(new Point(p.time(), fsum));
        }
      }
      return out;
    }
  }

  /** {@code elapsed(x, unit)}: the time between successive points in whole units, any type. */
  record Elapsed(long unit) implements Transform {
    @Override
    public String iteratorName() {
      return "elapsed";
    }

    @Override
    public List<Point> apply(List<Point> in, boolean ascending) {
      List<Point> out = new ArrayList<>();
      Point prev = null;
      for (Point p : in) {
        if (prev != null) {
          // Go's integer division truncates toward zero, as Java's does.
          out.add(new Point(p.time(), (p.time() - prev.time()) / unit));
        }
        prev = p;
      }
      return out;
    }
  }

  /**
   * The output of {@code step} for each point and the one before it, skipping nulls. A point at
   * the time of the previous one does not advance the stream: influxd keeps the first point it
   * meets at a time.
   */
  private static List<Point> successive(List<Point> in, BinaryOperator<Point> step) {
    List<Point> out = new ArrayList<>();
    Point prev = null;
    for (Point p : in) {
      if (prev != null && prev.time() == p.time()) {
        continue;
      }
      if (prev != null) {
        Point next = step.apply(prev, p);
        if (next != null) {
          out.add(next);
        }
      }
      prev = p;
    }
    return out;
  }

  /** Whether the stream is of integers: influxd's iterators are of one type. */
  private static boolean integers(List<Point> in) {
    for (Point p : in) {
      if (!(p.value() instanceof Long)) {
        return false;
      }
    }
    return true;
  }

  private static double number(Point p, Transform t) {
    if (p.value() instanceof Double d) {
      return d;
    } else if (p.value() instanceof Long l) {
      return l;
    }
    String type = p.value() instanceof String ? "string" : "boolean";
    throw new Eval.QueryError("unsupported " + t.iteratorName() + " iterator type: *query."
        + type + "InterruptIterator");
  }
}
