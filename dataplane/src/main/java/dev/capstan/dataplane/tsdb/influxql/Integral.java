package dev.capstan.dataplane.tsdb.influxql;

import java.util.ArrayList;
import java.util.List;

/**
 * InfluxQL's {@code integral()} as influxd 1.6.7 computes it: the area under the points of a
 * group (all its series merged in time order) by the trapezium rule, in {@code unit} ns. Under
 * GROUP BY time the area is split at each interval's end, the value there interpolated linearly
 * between the points on either side; the interpolated point then starts the next interval's area.
 * Pure: points in, one (interval start, area) per interval with area out.
 */
final class Integral {
  private Integral() {}

  /** An interval's area; {@code start} is 0 without GROUP BY time. */
  record Area(long start, double value) {}

  /**
   * @param times ascending (equal times allowed: the later point replaces the earlier, no area)
   * @param integers whether the field is an integer one: influxd's integer reducer carries the
   *     interpolated value, not the point's, into the first trapezium after an interval's end, and
   *     the interval's last value, not the interpolated one, into the next interval — kept so
   *     that the answers stay influxd's
   * @param windows the GROUP BY time windows, null without
   */
  static List<Area> areas(long[] times, double[] values, boolean integers, TimeWindows windows, long unit) {
    List<Area> out = new ArrayList<>();
    if (times.length == 0) {
      return out;
    }
    long prevTime = times[0];
    double prevValue = values[0];
    long start = windows != null ? windows.start(prevTime) : 0;
    long end = windows != null ? windows.end(prevTime) : 0;
    double sum = 0;
    for (int i = 1; i < times.length; i++) {
      long t = times[i];
      double v = values[i];
      if (t == prevTime) {
        prevValue = v;
        continue;
      }
      double next = v;
      if (windows != null && t >= end) {
        if (prevTime != end) {
          double atEnd = linear(end, prevTime, t, prevValue, v);
          sum += 0.5 * (atEnd + prevValue) * ((double) (end - prevTime) / unit);
          if (integers) {
            next = atEnd;
          } else {
            prevValue = atEnd;
          }
          prevTime = end;
        }
        out.add(new Area(start, sum));
        start = windows.start(t);
        end = windows.end(t);
        sum = 0;
      }
      sum += 0.5 * (next + prevValue) * ((double) (t - prevTime) / unit);
      prevTime = t;
      prevValue = v;
    }
    // A last point exactly at its interval's start leaves no area there.
    if (prevTime != start) {
      out.add(new Area(start, sum));
    }
    return out;
  }

  /** The value at {@code at} on the line through two points, in influxd's order of operations. */
  static double linear(long at, long t0, long t1, double v0, double v1) {
    double slope = (v1 - v0) / (double) (t1 - t0);
    return slope * (double) (at - t0) + v0;
  }
}
