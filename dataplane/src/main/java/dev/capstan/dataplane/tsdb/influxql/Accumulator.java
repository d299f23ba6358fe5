package dev.capstan.dataplane.tsdb.influxql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * One aggregate or selector over the points of one bucket, fed typed values so that a million
 * points are not boxed. A selector remembers the time of the point it chose.
 */
abstract class Accumulator {
  /** Whether the last add changed the selected point (selectors, for their aux fields). */
  boolean selectedChanged;

  void addDouble(long t, double v) {
    throw unsupported("float");
  }

  void addLong(long t, long v) {
    throw unsupported("integer");
  }

  void addString(long t, String v) {
    throw unsupported("string");
  }

  void addBoolean(long t, boolean v) {
    throw unsupported("boolean");
  }

  String name;

  private RuntimeException unsupported(String type) {
    String iter = switch (type) {
      case "float" -> "*query.floatInterruptIterator";
      case "integer" -> "*query.integerInterruptIterator";
      case "string" -> "*query.stringInterruptIterator";
      default -> "*query.booleanInterruptIterator";
    };
    return new Eval.QueryError("unsupported " + name + " iterator type: " + iter);
  }

  /**
   * A fresh accumulator for one series' points of a bucket, or null to feed this one directly.
   * influxd reduces each series on its own and then combines the partial results; for float sums
   * the order of additions shows in the last bits, so mean and sum do the same.
   */
  Accumulator partial() {
    return null;
  }

  /** Folds in a partial made by {@link #partial()}. */
  void combine(Accumulator partial) {
    throw new IllegalStateException(name + " has no partials");
  }

  /** The result, or null when the bucket had no points. */
  abstract Object result();

  /**
   * Whether the bucket yields a point: a result, or for stddev a null one (influxd emits a nil
   * point for a single value; percentile out of range emits none).
   */
  boolean produced() {
    return result() != null;
  }

  /** The chosen point's time, for selectors; {@code Long.MIN_VALUE} otherwise. */
  long time() {
    return Long.MIN_VALUE;
  }

  /** Several results (top, bottom, distinct): pairs of time (or MIN_VALUE) and value. */
  List<Object[]> results() {
    Object r = result();
    return r == null ? List.of() : List.<Object[]>of(new Object[] {time(), r});
  }

  boolean multiRow() {
    return false;
  }

  static Accumulator create(String name, double percentile, int n) {
    Accumulator a = switch (name) {
      case "count" -> new Count();
      case "sum" -> new Sum();
      case "mean" -> new Mean();
      case "min" -> new MinMax(false);
      case "max" -> new MinMax(true);
      case "first" -> new FirstLast(true);
      case "last" -> new FirstLast(false);
      case "spread" -> new Spread();
      case "stddev" -> new Stddev();
      case "median" -> new Median();
      case "percentile" -> new Percentile(percentile);
      case "distinct" -> new Distinct();
      case "count_distinct" -> new CountDistinct();
      case "top" -> new TopBottom(true, n);
      case "bottom" -> new TopBottom(false, n);
      case "sample" -> new Sample(n, ThreadLocalRandom.current());
      case "mode" -> new Mode();
      case "integral" -> new Precomputed();
      default -> throw new Eval.QueryError("undefined function " + name + "()");
    };
    a.name = name.equals("count_distinct") ? "count" : name;
    return a;
  }

  static final class Count extends Accumulator {
    long n;

    @Override void addDouble(long t, double v) { n++; }
    @Override void addLong(long t, long v) { n++; }
    @Override void addString(long t, String v) { n++; }
    @Override void addBoolean(long t, boolean v) { n++; }

    @Override
    Object result() {
      return n == 0 ? null : n;
    }
  }

  static final class Sum extends Accumulator {
    double fsum;
    long isum;
    boolean isFloat;
    boolean any;

    @Override
    void addDouble(long t, double v) {
      fsum += v;
      isFloat = true;
      any = true;
    }

    @Override
    void addLong(long t, long v) {
      isum += v;
      any = true;
    }

    @Override
    Accumulator partial() {
      Sum p = new Sum();
      p.name = name;
      return p;
    }

    @Override
    void combine(Accumulator partial) {
      Sum p = (Sum) partial;
      fsum += p.fsum;
      isum += p.isum;
      isFloat |= p.isFloat;
      any |= p.any;
    }

    @Override
    Object result() {
      return !any ? null : isFloat ? (Object) fsum : (Object) isum;
    }
  }

  static final class Mean extends Accumulator {
    double sum;
    long n;

    @Override
    void addDouble(long t, double v) {
      sum += v;
      n++;
    }

    @Override
    void addLong(long t, long v) {
      sum += v;
      n++;
    }

    @Override
    Accumulator partial() {
      Mean p = new Mean();
      p.name = name;
      return p;
    }

    /** As influxd's mean reducer folds a partial mean: value times its count. */
    @Override
    void combine(Accumulator partial) {
      Mean p = (Mean) partial;
      if (p.n == 0) {
        return;
      }
      sum += p.n >= 2 ? (p.sum / p.n) * p.n : p.sum;
      n += p.n;
    }

    @Override
    Object result() {
      return n == 0 ? null : sum / n;
    }
  }

  /** Min or max, earliest point on ties, as influxd's reducers; true is above false. */
  static final class MinMax extends Accumulator {
    final boolean max;
    boolean any;
    boolean isFloat;
    boolean isBoolean;
    double fv;
    long iv;
    long t;

    MinMax(boolean max) {
      this.max = max;
    }

    @Override
    void addDouble(long time, double v) {
      isFloat = true;
      selectedChanged = !any || (max ? v > fv : v < fv) || (v == fv && time < t);
      if (selectedChanged) {
        fv = v;
        t = time;
        any = true;
      }
    }

    @Override
    void addLong(long time, long v) {
      selectedChanged = !any || (max ? v > iv : v < iv) || (v == iv && time < t);
      if (selectedChanged) {
        iv = v;
        t = time;
        any = true;
      }
    }

    @Override
    void addBoolean(long time, boolean v) {
      isBoolean = true;
      addLong(time, v ? 1 : 0);
    }

    @Override
    Object result() {
      return !any ? null : isFloat ? (Object) fv : isBoolean ? (Object) (iv == 1) : (Object) iv;
    }

    @Override
    long time() {
      return t;
    }
  }

  static final class FirstLast extends Accumulator {
    final boolean first;
    boolean any;
    Object v;
    long t;

    FirstLast(boolean first) {
      this.first = first;
    }

    /** Earliest (latest) point; on a tie in time the greater value, as influxd's reducers. */
    private void offer(long time, Object value) {
      selectedChanged = !any || (first ? time < t : time > t)
          || (time == t && compareAny(value, v) > 0);
      if (selectedChanged) {
        t = time;
        v = value;
        any = true;
      }
    }

    @Override void addDouble(long time, double value) { offer(time, value); }
    @Override void addLong(long time, long value) { offer(time, value); }
    @Override void addString(long time, String value) { offer(time, value); }
    @Override void addBoolean(long time, boolean value) { offer(time, value); }

    @Override
    Object result() {
      return any ? v : null;
    }

    @Override
    long time() {
      return t;
    }
  }

  static int compareAny(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return Points.compareValues(x, y);
    } else if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    } else if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    return 0;
  }

  static final class Spread extends Accumulator {
    boolean any;
    boolean isFloat;
    double fmin = Double.POSITIVE_INFINITY;
    double fmax = Double.NEGATIVE_INFINITY;
    long imin = Long.MAX_VALUE;
    long imax = Long.MIN_VALUE;

    @Override
    void addDouble(long t, double v) {
      any = true;
      isFloat = true;
      fmin = Math.min(fmin, v);
      fmax = Math.max(fmax, v);
    }

    @Override
    void addLong(long t, long v) {
      any = true;
      imin = Math.min(imin, v);
      imax = Math.max(imax, v);
    }

    @Override
    Object result() {
      return !any ? null : isFloat ? (Object) (fmax - fmin) : (Object) (imax - imin);
    }
  }

  /** Collects values as doubles (stddev, median). */
  abstract static class Collect extends Accumulator {
    double[] values = new double[16];
    int n;
    boolean isFloat;

    @Override
    void addDouble(long t, double v) {
      isFloat = true;
      push(v);
    }

    @Override
    void addLong(long t, long v) {
      push(v);
    }

    private void push(double v) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = v;
    }
  }

  static final class Stddev extends Collect {
    @Override
    boolean produced() {
      return n > 0;
    }

    @Override
    Object result() {
      if (n == 0) {
        return null;
      }
      if (n == 1) {
        return null;
      }
      double[] v = values;
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += v[i];
      }
      mean /= n;
      double variance = 0;
      for (int i = 0; i < n; i++) {
        variance += Math.pow(v[i] - mean, 2);
      }
      return Math.sqrt(variance / (n - 1));
    }
  }

  static final class Median extends Collect {
    @Override
    Object result() {
      if (n == 0) {
        return null;
      }
      double[] v = Arrays.copyOf(values, n);
      Arrays.sort(v);
      if (n % 2 == 0) {
        double lo = v[n / 2 - 1];
        double hi = v[n / 2];
        return lo + (hi - lo) / 2;
      }
      return v[n / 2];
    }
  }

  /**
   * A result computed elsewhere and set here: integral(), whose area spans buckets. It takes
   * floats and integers only, as influxd's integral reducer.
   */
  static final class Precomputed extends Accumulator {
    Object value;

    @Override void addDouble(long t, double v) { }
    @Override void addLong(long t, long v) { }

    @Override
    Object result() {
      return value;
    }
  }

  /**
   * The most frequent value, as influxd's mode reducer finds it: values sorted (equal ones in
   * the order they came), runs counted, and of two runs as long the one whose first point is
   * older; when every value is seen once, the smallest.
   */
  static final class Mode extends Accumulator {
    private final List<Object[]> points = new ArrayList<>();

    @Override void addDouble(long t, double v) { points.add(new Object[] {t, v}); }
    @Override void addLong(long t, long v) { points.add(new Object[] {t, v}); }
    @Override void addString(long t, String v) { points.add(new Object[] {t, v}); }
    @Override void addBoolean(long t, boolean v) { points.add(new Object[] {t, v}); }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    Object result() {
      if (points.isEmpty()) {
        return null;
      }
      List<Object[]> sorted = new ArrayList<>(points);
      sorted.sort((a, b) -> ((Comparable) a[1]).compareTo(b[1]));
      int mostFreq = 0;
      int currFreq = 0;
      Object mostMode = sorted.get(0)[1];
      long mostTime = (Long) sorted.get(0)[0];
      Object currMode = mostMode;
      long currTime = mostTime;
      for (Object[] p : sorted) {
        if (!currMode.equals(p[1])) {
          currFreq = 1;
          currMode = p[1];
          currTime = (Long) p[0];
          continue;
        }
        currFreq++;
        if (mostFreq > currFreq || (mostFreq == currFreq && currTime > mostTime)) {
          continue;
        }
        mostFreq = currFreq;
        mostMode = p[1];
        mostTime = (Long) p[0];
      }
      return mostMode;
    }
  }

  /** Keeps the points themselves (percentile, top, bottom). */
  abstract static class Points extends Accumulator {
    final List<Object[]> points = new ArrayList<>();

    @Override void addDouble(long t, double v) { points.add(new Object[] {t, v}); }
    @Override void addLong(long t, long v) { points.add(new Object[] {t, v}); }

    static int compareValues(Object a, Object b) {
      if (a instanceof Long x && b instanceof Long y) {
        return Long.compare(x, y);
      }
      return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
    }
  }

  static final class Percentile extends Points {
    final double p;
    Object[] chosen;

    Percentile(double p) {
      this.p = p;
    }

    private Object[] choose() {
      if (chosen == null && !points.isEmpty()) {
        List<Object[]> sorted = new ArrayList<>(points);
        sorted.sort((a, b) -> compareValues(a[1], b[1]));
        int i = (int) Math.floor(sorted.size() * p / 100.0 + 0.5) - 1;
        if (i >= 0 && i < sorted.size()) {
          chosen = sorted.get(i);
        }
      }
      return chosen;
    }

    @Override
    Object result() {
      Object[] c = choose();
      return c == null ? null : c[1];
    }

    @Override
    long time() {
      Object[] c = choose();
      return c == null ? Long.MIN_VALUE : (Long) c[0];
    }
  }

  /**
   * A selector answering several points (top, bottom, sample). Each point keeps what its row
   * showed beside it: the values of the tags it picks by ({@code top(v, host, 2)}) and the other
   * columns ({@code top(v, 2), host, i}), read only for the points chosen.
   */
  abstract static class MultiSelector extends Accumulator {
    /** The values of the picked tags in the series being fed, set by the engine before its points. */
    List<String> tagValues;
    /** The other columns of the row being fed, set by the engine before each point; null when none are selected. */
    Function<Ast.Expr, Object> rowColumns;

    /** A point: {time, value, tag values, row columns}. */
    abstract void offer(Object[] point);

    @Override void addDouble(long t, double v) { offer(new Object[] {t, v, tagValues, rowColumns}); }
    @Override void addLong(long t, long v) { offer(new Object[] {t, v, tagValues, rowColumns}); }

    @Override
    Object result() {
      return null;
    }

    @Override
    boolean multiRow() {
      return true;
    }
  }

  static final class TopBottom extends MultiSelector {
    final boolean top;
    final int limit;
    final List<Object[]> points = new ArrayList<>();
    /** The tags picked by ({@code top(v, host, 2)}), empty without; set by the engine. */
    List<String> tagKeys = List.of();

    TopBottom(boolean top, int limit) {
      this.top = top;
      this.limit = limit;
    }

    @Override
    void offer(Object[] point) {
      points.add(point);
    }

    @Override
    List<Object[]> results() {
      Comparator<Object[]> byValue = (a, b) -> Points.compareValues(a[1], b[1]);
      Comparator<Object[]> best = (top ? byValue.reversed() : byValue).thenComparing(a -> (Long) a[0]);
      List<Object[]> sorted = new ArrayList<>(points);
      if (!tagKeys.isEmpty()) {
        // The best point of each combination of the tags, then the best of those.
        Map<List<String>, Object[]> perTags = new java.util.HashMap<>();
        for (Object[] p : points) {
          perTags.merge((List<String>) p[2], p, (x, y) -> best.compare(x, y) <= 0 ? x : y);
        }
        sorted = new ArrayList<>(perTags.values());
      }
      sorted.sort(best);
      List<Object[]> chosen = new ArrayList<>(sorted.subList(0, Math.min(limit, sorted.size())));
      chosen.sort(Comparator.comparing(a -> (Long) a[0]));
      List<Object[]> out = new ArrayList<>(chosen.size());
      for (Object[] p : chosen) {
        Map<String, String> tags = new java.util.HashMap<>();
        List<String> values = (List<String>) p[2];
        for (int i = 0; i < tagKeys.size(); i++) {
          tags.put(tagKeys.get(i), values.get(i));
        }
        out.add(new Object[] {p[0], p[1], tags, p[3]});
      }
      return out;
    }
  }

  /**
   * {@code sample(v, n)}: n points of the bucket chosen uniformly at random (reservoir sampling:
   * after k points each of them is kept with probability n/k), answered in time order.
   */
  static final class Sample extends MultiSelector {
    final int size;
    final RandomGenerator random;
    /** The points kept, each with its arrival number: {point, Long}. */
    final List<Object[]> reservoir = new ArrayList<>();
    /** Points offered so far. */
    long seen;
    /** Whether the series are fed last first (ORDER BY time DESC); influxd lists ties by series, first first. */
    boolean seriesReversed;

    Sample(int size, RandomGenerator random) {
      this.size = size;
      this.random = random;
    }

    @Override
    void offer(Object[] point) {
      Object[] kept = {point, seen++};
      if (reservoir.size() < size) {
        reservoir.add(kept);
      } else {
        long slot = random.nextLong(seen);
        if (slot < size) {
          reservoir.set((int) slot, kept);
        }
      }
    }

    @Override void addString(long t, String v) { offer(new Object[] {t, v, tagValues, rowColumns}); }
    @Override void addBoolean(long t, boolean v) { offer(new Object[] {t, v, tagValues, rowColumns}); }

    @Override
    List<Object[]> results() {
      // In time order; points of one time (of different series) in series order, as influxd's.
      Comparator<Object[]> arrival = Comparator.comparing(k -> (Long) k[1]);
      List<Object[]> kept = new ArrayList<>(reservoir);
      kept.sort(Comparator.comparing((Object[] k) -> (Long) ((Object[]) k[0])[0])
          .thenComparing(seriesReversed ? arrival.reversed() : arrival));
      List<Object[]> out = new ArrayList<>(kept.size());
      for (Object[] k : kept) {
        Object[] p = (Object[]) k[0];
        out.add(new Object[] {p[0], p[1], Map.of(), p[3]});
      }
      return out;
    }
  }

  /** Distinct values in the order of their first point in time (see {@link #byLatest}), as influxd lists them. */
  static final class Distinct extends Accumulator {
    final java.util.LinkedHashMap<Object, Long> values = new java.util.LinkedHashMap<>();
    /**
     * ORDER BY time DESC: influxd meets each value first at its latest point and lists the values
     * in the order of those times.
     */
    boolean byLatest;

    private void offer(long t, Object v) {
      values.merge(v, t, byLatest ? Math::max : Math::min);
    }

    @Override void addDouble(long t, double v) { offer(t, v); }
    @Override void addLong(long t, long v) { offer(t, v); }
    @Override void addString(long t, String v) { offer(t, v); }
    @Override void addBoolean(long t, boolean v) { offer(t, v); }

    @Override
    Object result() {
      return null;
    }

    @Override
    boolean multiRow() {
      return true;
    }

    @Override
    List<Object[]> results() {
      List<Map.Entry<Object, Long>> entries = new ArrayList<>(values.entrySet());
      entries.sort(Map.Entry.comparingByValue());
      List<Object[]> out = new ArrayList<>();
      for (Map.Entry<Object, Long> e : entries) {
        out.add(new Object[] {Long.MIN_VALUE, e.getKey()});
      }
      return out;
    }
  }

  static final class CountDistinct extends Accumulator {
    final Distinct inner = new Distinct();

    @Override void addDouble(long t, double v) { inner.addDouble(t, v); }
    @Override void addLong(long t, long v) { inner.addLong(t, v); }
    @Override void addString(long t, String v) { inner.addString(t, v); }
    @Override void addBoolean(long t, boolean v) { inner.addBoolean(t, v); }

    @Override
    Object result() {
      return inner.values.isEmpty() ? null : (long) inner.values.size();
    }
  }
}
