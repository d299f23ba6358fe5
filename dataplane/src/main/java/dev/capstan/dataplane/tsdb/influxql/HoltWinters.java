package dev.capstan.dataplane.tsdb.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code holt_winters(agg, n, s)} and {@code holt_winters_with_fit}: a damped Holt-Winters
 * forecast of n intervals after the last bucket, with a season of s buckets (none below 2), as
 * influxd 1.6.7 computes it — initial level, trend and season from the first buckets, the
 * smoothing parameters fitted by Nelder-Mead from a grid of starting guesses, and influxd's
 * recurrences (which carry its own forecasts forward, not the observed values). Every floating-
 * point step is the one influxd takes, in its order, so that the forecasts agree to the last bit.
 * Pure.
 */
final class HoltWinters {
  /** influxd's weight for the non-seasonal initial guesses. */
  private static final double WEIGHT = 0.5;
  private static final double EPSILON = 1.0e-4;
  private static final double GUESS_LOWER = 0.3;
  private static final double GUESS_UPPER = 1.0;
  private static final double GUESS_STEP = 0.4;

  private final int horizon;
  private final int season;
  private final boolean seasonal;
  private final long interval;
  /** The observed values, one per interval from the first bucket; NaN where a bucket is missing. */
  private double[] y;

  private HoltWinters(int horizon, int season, long interval) {
    this.horizon = horizon;
    this.season = season;
    this.seasonal = season >= 2;
    this.interval = interval;
  }

  /**
   * The forecast for {@code points} (non-null bucket values in time order, {@code Double}s or
   * {@code Long}s) at {@code interval} ns apart: the n points after the last bucket, or with
   * {@code withFit} the fitted values from the first bucket on followed by them.
   */
  static List<Transform.Point> forecast(List<Transform.Point> points, int horizon, int season, boolean withFit,
      long interval) {
    return new HoltWinters(horizon, season, interval).emit(points, withFit);
  }

  private long roundTime(long t) {
    long remainder = t % interval;
    return remainder > interval / 2 ? (t / interval + 1) * interval : (t / interval) * interval;
  }

  private List<Transform.Point> emit(List<Transform.Point> points, boolean withFit) {
    int l = points.size();
    if (l < 2 || seasonal && l < season || horizon <= 0) {
      return List.of();
    }
    long start = roundTime(points.get(0).time());
    long stop = roundTime(points.get(l - 1).time());
    if ((stop - start) / interval <= 0) {
      return List.of();
    }
    // The values by interval, NaN for a missing bucket; a second value in one bucket is dropped.
    List<Double> values = new ArrayList<>();
    values.add(value(points.get(0)));
    long t = start;
    for (Transform.Point p : points.subList(1, l)) {
      long rounded = roundTime(p.time());
      if (rounded <= t) {
        continue;
      }
      t += interval;
      while (rounded != t) {
        values.add(Double.NaN);
        t += interval;
      }
      values.add(value(p));
    }
    y = values.stream().mapToDouble(Double::doubleValue).toArray();

    int m = season;
    double l0 = 0.0;
    if (seasonal) {
      for (int i = 0; i < m; i++) {
        if (!Double.isNaN(y[i])) {
          l0 += (1 / (double) m) * y[i];
        }
      }
    } else {
      l0 += WEIGHT * y[0];
    }
    double b0 = 0.0;
    if (seasonal) {
      for (int i = 0; i < m && m + i < y.length; i++) {
        if (!Double.isNaN(y[i]) && !Double.isNaN(y[m + i])) {
          b0 += 1 / (double) (m * m) * (y[m + i] - y[i]);
        }
      }
    } else if (!Double.isNaN(y[1])) {
      b0 = WEIGHT * (y[1] - y[0]);
    }
    double[] s = new double[seasonal ? m : 0];
    for (int i = 0; i < s.length; i++) {
      s[i] = Double.isNaN(y[i]) ? 0 : y[i] / l0;
    }

    double[] parameters = new double[6 + s.length];
    parameters[4] = l0;
    parameters[5] = b0;
    System.arraycopy(s, 0, parameters, 6, s.length);

    double minSse = Double.POSITIVE_INFINITY;
    double[] best = null;
    for (double alpha = GUESS_LOWER; alpha < GUESS_UPPER; alpha += GUESS_STEP) {
      for (double beta = GUESS_LOWER; beta < GUESS_UPPER; beta += GUESS_STEP) {
        for (double gamma = GUESS_LOWER; gamma < GUESS_UPPER; gamma += GUESS_STEP) {
          for (double phi = GUESS_LOWER; phi < GUESS_UPPER; phi += GUESS_STEP) {
            parameters[0] = alpha;
            parameters[1] = beta;
            parameters[2] = gamma;
            parameters[3] = phi;
            NelderMead.Result r = NelderMead.minimize(this::sse, parameters, EPSILON, 1);
            if (r.value() < minSse || best == null) {
              minSse = r.value();
              best = r.point();
            }
          }
        }
      }
    }

    double[] forecasted = forecast(horizon, best);
    List<Transform.Point> out = new ArrayList<>();
    if (withFit) {
      long first = points.get(0).time();
      for (int i = 0; i < forecasted.length; i++) {
        if (!Double.isNaN(forecasted[i])) {
          out.add(new Transform.Point(first + interval * i, forecasted[i]));
        }
      }
    } else {
      long last = points.get(l - 1).time();
      for (int i = y.length; i < forecasted.length; i++) {
        if (!Double.isNaN(forecasted[i])) {
          out.add(new Transform.Point(last + interval * (i - y.length + 1L), forecasted[i]));
        }
      }
    }
    return out;
  }

  private static double value(Transform.Point p) {
    return ((Number) p.value()).doubleValue();
  }

  /** The sum of squared errors of the fit; it constrains (and so changes) {@code params} as influxd's does. */
  private double sse(double[] params) {
    double sse = 0.0;
    double[] forecasted = forecast(0, params);
    for (int i = 0; i < forecasted.length; i++) {
      if (!Double.isNaN(y[i])) {
        if (Double.isNaN(forecasted[i])) {
          return Double.POSITIVE_INFINITY;
        }
        double diff = forecasted[i] - y[i];
        sse += diff * diff;
      }
    }
    return sse;
  }

  /**
   * The fit over the observed intervals and {@code h} more. Clamps alpha, beta, gamma and phi to
   * [0, 1] in {@code params} and uses its seasonal part as the ring of seasonal factors, writing
   * into it — influxd's side effects, which the optimizer then sees.
   */
  private double[] forecast(int h, double[] params) {
    for (int i = 0; i < 4; i++) {
      // Not Math.min/max: a -0.0 stays -0.0 here, as in influxd.
      if (params[i] > 1) {
        params[i] = 1;
      }
      if (params[i] < 0) {
        params[i] = 0;
      }
    }
    double yT = y[0];
    double phi = params[3];
    double phiH = phi;
    double lT = params[4];
    double bT = params[5];
    int m = 0;
    int so = 0;
    if (seasonal) {
      m = params.length - 6;
      if (m == 1) {
        params[6] = 1;
      }
      so = m - 1;
    }
    int l = y.length;
    double[] forecasted = new double[l + h];
    forecasted[0] = yT;
    double stm = 1.0;
    double stmh = 1.0;
    double alpha = params[0];
    double beta = params[1];
    double gamma = params[2];
    for (int t = 1; t < l + h; t++) {
      if (seasonal) {
        int hm = t % m;
        stm = params[6 + (t - m + so) % m];
        stmh = params[6 + (t - m + hm + so) % m];
      }
      double lTp = lT;
      double bTp = bT;
      lT = alpha * (yT / stm) + (1 - alpha) * (lTp + phi * bTp);
      bT = beta * (lT - lTp) + (1 - beta) * phi * bTp;
      double sT = gamma * (yT / (lTp + phi * bTp)) + (1 - gamma) * stm;
      yT = (lT + phiH * bT) * stmh;
      phiH += goPow(phi, t);
      if (seasonal) {
        params[6 + (t + so) % m] = sT;
        so++;
      }
      forecasted[t] = yT;
    }
    return forecasted;
  }

  /**
   * Go's math.Pow for a whole exponent of at least 1 and a base in [0, 1]: repeated squaring of
   * the base's mantissa, the exponent kept apart, rounding at every step. Java's Math.pow rounds
   * once; with it one of the differential test's forecasts differs from influxd's in the last digits.
   */
  static double goPow(double x, int y) {
    if (x == 1 || y == 0) {
      return 1;
    } else if (y == 1) {
      return x;
    } else if (Double.isNaN(x)) {
      return Double.NaN;
    } else if (x == 0) {
      return 0;
    }
    // frexp: x = x1 * 2^xe with x1 in [0.5, 1)
    int xe = Math.getExponent(x) + 1;
    double x1 = x / Math.scalb(1.0, xe);
    if (Math.getExponent(x) == Double.MIN_EXPONENT - 1) { // subnormal: normalise first
      double normal = x * 0x1p54;
      xe = Math.getExponent(normal) + 1 - 54;
      x1 = normal / Math.scalb(1.0, Math.getExponent(normal) + 1);
    }
    double a1 = 1.0;
    int ae = 0;
    for (long i = y; i != 0; i >>= 1) {
      if (xe < -(1 << 12) || (1 << 12) < xe) {
        ae += xe;
        break;
      }
      if ((i & 1) == 1) {
        a1 *= x1;
        ae += xe;
      }
      x1 *= x1;
      xe <<= 1;
      if (x1 < .5) {
        x1 += x1;
        xe--;
      }
    }
    return Math.scalb(a1, ae);
  }

  /**
   * influxd's Nelder-Mead minimiser (its query/neldermead): a regular simplex of side {@code
   * scale} around the start, reflection 1, contraction 0.5, expansion 2, at most 1,000 steps,
   * until the standard deviation of the simplex's values falls below epsilon.
   */
  static final class NelderMead {
    private static final int MAX_ITERATIONS = 1000;
    private static final double ALPHA = 1.0;
    private static final double BETA = 0.5;
    private static final double GAMMA = 2.0;

    record Result(double value, double[] point) {}

    private NelderMead() {}

    static Result minimize(ToDoubleFunction<double[]> f, double[] start, double epsilon, double scale) {
      int n = start.length;
      double[][] v = new double[n + 1][n];
      double[] fv = new double[n + 1];
      double[] vr = new double[n];
      double[] ve = new double[n];
      double[] vc = new double[n];
      double[] vm = new double[n];
      double pn = scale * (Math.sqrt(n + 1) - 1 + n) / (n * Math.sqrt(2));
      double qn = scale * (Math.sqrt(n + 1) - 1) / (n * Math.sqrt(2));
      System.arraycopy(start, 0, v[0], 0, n);
      for (int i = 1; i <= n; i++) {
        for (int j = 0; j < n; j++) {
          v[i][j] = (i - 1 == j ? pn : qn) + start[j];
        }
      }
      for (int j = 0; j <= n; j++) {
        fv[j] = f.applyAsDouble(v[j]);
      }
      for (int itr = 1; itr <= MAX_ITERATIONS; itr++) {
        int vg = 0; // the worst vertex
        int vs = 0; // the best
        for (int i = 0; i <= n; i++) {
          if (fv[i] > fv[vg]) {
            vg = i;
          }
          if (fv[i] < fv[vs]) {
            vs = i;
          }
        }
        int vh = vs; // the second worst
        for (int i = 0; i <= n; i++) {
          if (fv[i] > fv[vh] && fv[i] < fv[vg]) {
            vh = i;
          }
        }
        for (int i = 0; i < n; i++) {
          double cent = 0.0;
          for (int k = 0; k <= n; k++) {
            if (k != vg) {
              cent += v[k][i];
            }
          }
          vm[i] = cent / n;
        }
        for (int i = 0; i < n; i++) {
          vr[i] = vm[i] + ALPHA * (vm[i] - v[vg][i]);
        }
        double fr = f.applyAsDouble(vr);
        if (fr < fv[vh] && fr >= fv[vs]) {
          System.arraycopy(vr, 0, v[vg], 0, n);
          fv[vg] = fr;
        }
        if (fr < fv[vs]) {
          for (int i = 0; i < n; i++) {
            ve[i] = vm[i] + GAMMA * (vr[i] - vm[i]);
          }
          double fe = f.applyAsDouble(ve);
          if (fe < fr) {
            System.arraycopy(ve, 0, v[vg], 0, n);
            fv[vg] = fe;
          } else {
            System.arraycopy(vr, 0, v[vg], 0, n);
            fv[vg] = fr;
          }
        }
        if (fr >= fv[vh]) {
          if (fr < fv[vg] && fr >= fv[vh]) {
            for (int i = 0; i < n; i++) {
              vc[i] = vm[i] + BETA * (vr[i] - vm[i]);
            }
          } else {
            for (int i = 0; i < n; i++) {
              vc[i] = vm[i] - BETA * (vm[i] - v[vg][i]);
            }
          }
          double fc = f.applyAsDouble(vc);
          if (fc < fv[vg]) {
            System.arraycopy(vc, 0, v[vg], 0, n);
            fv[vg] = fc;
          } else {
            // Shrink towards the best vertex.
            for (int row = 0; row <= n; row++) {
              if (row != vs) {
                for (int i = 0; i < n; i++) {
                  v[row][i] = v[vs][i] + (v[row][i] - v[vs][i]) / 2.0;
                }
              }
            }
            fv[vg] = f.applyAsDouble(v[vg]);
            fv[vh] = f.applyAsDouble(v[vh]);
          }
        }
        double fsum = 0.0;
        for (int i = 0; i <= n; i++) {
          fsum += fv[i];
        }
        double favg = fsum / (n + 1);
        double sd = 0.0;
        for (int i = 0; i <= n; i++) {
          double d = fv[i] - favg;
          sd += d * d / n; // Go's math.Pow(d, 2) is d * d rounded once
        }
        sd = Math.sqrt(sd);
        if (sd < epsilon) {
          break;
        }
      }
      int vs = 0;
      for (int i = 0; i <= n; i++) {
        if (fv[i] < fv[vs]) {
          vs = i;
        }
      }
      double[] point = v[vs].clone();
      double min = f.applyAsDouble(v[vs]);
      return new Result(min, point);
    }
  }
}
