package dev.capstan.dataplane.tsdb.influxql;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.Arrays;

/**
 * The windows of {@code GROUP BY time(interval[, offset])}, optionally in a time zone
 * ({@code tz('Europe/Berlin')}), as influxd 1.6.7 cuts them. Without a zone every window is
 * {@code interval} long and aligned to the epoch plus the offset. In a zone, windows are aligned
 * to local wall-clock time: a daily window starts at local midnight, so across a daylight-saving
 * change it is 23 or 25 hours long — but only shifts shorter than the interval move a boundary
 * (an hourly window is never bent by a one-hour change). Pure.
 *
 * @param zone null for UTC without zone arithmetic
 */
record TimeWindows(long interval, long offset, ZoneId zone) {

  TimeWindows {
    if (interval <= 0) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
  }

  /** The start of the window {@code t} falls in (influxd's {@code IteratorOptions.Window}). */
  long start(long t) {
    if (zone == null) {
      long o = Math.floorMod(offset, interval);
      return t - Math.floorMod(t - o, interval);
    }
    long shifted = t - offset;
    long zoneOffset = offsetNanos(shifted);
    long start = shifted - Math.floorMod(shifted + zoneOffset, interval);
    // Truncated in local time; the zone's offset at the window's start may differ from the one
    // at t (t is after a change): move the start by the difference when it is below the interval.
    long o = zoneOffset - offsetNanos(start);
    if (o != 0 && Math.abs(o) < interval) {
      start += o;
    }
    return start + offset;
  }

  /** The end (exclusive) of the window {@code t} falls in. */
  long end(long t) {
    if (zone == null) {
      return start(t) + interval;
    }
    long shifted = t - offset;
    long zoneOffset = offsetNanos(shifted);
    long end = shifted + (interval - Math.floorMod(shifted + zoneOffset, interval));
    long endOffset = offsetNanos(end);
    long o = zoneOffset - endOffset;
    if (o != 0 && Math.abs(o) < interval) {
      // Clocks moved back (o > 0): the repeated local time belongs to this window. Clocks moved
      // forward (o < 0): the window ends early only if the change happens inside it.
      if (o > 0 || offsetNanos(end + o) == endOffset) {
        end += o;
      }
    }
    return end + offset;
  }

  /**
   * The windows from the one holding {@code lo} to the one holding {@code hi}; {@code maxWindows}
   * bounds how many (influxd's max-select-buckets), exceeding it is the query's error.
   */
  Buckets between(long lo, long hi, int maxWindows) {
    long first = start(lo);
    long last = start(hi);
    if (last < first) {
      return new Buckets(this, first, 0, null, null);
    }
    long estimate = (last - first) / interval + 1;
    if (estimate > maxWindows) {
      throw new Eval.QueryError("max-select-buckets limit exceeded: (" + estimate + "/" + maxWindows + ")");
    }
    if (zone == null || zone.getRules().isFixedOffset()) {
      return new Buckets(this, first, (int) estimate, null, null);
    }
    // Across an offset change influxd's two ways of cutting windows part: its aggregation puts a
    // point in Window(t), its fill steps from window to window, an interval at a time, moving by
    // the change. Both kinds of start are buckets here; walk() orders them as influxd's fill does.
    long[] stepped = new long[(int) estimate + 2];
    int n = 0;
    long time = first;
    long windowOffset = offsetNanos(time);
    while (time <= last) {
      if (n == stepped.length) {
        stepped = Arrays.copyOf(stepped, n * 2);
      }
      stepped[n++] = time;
      time += interval;
      long o = offsetNanos(time - 1);
      if (o != windowOffset) {
        long diff = windowOffset - o;
        if (Math.abs(diff) < interval) {
          time += diff;
        }
        windowOffset = o;
      }
    }
    long[] cut = new long[(int) estimate + 2];
    int m = 0;
    for (long t = lo; t <= hi; ) {
      if (m == cut.length) {
        cut = Arrays.copyOf(cut, m * 2);
      }
      cut[m++] = start(t);
      long e = end(t);
      t = e > t ? e : t + 1;
    }
    long[] starts = new long[n + m];
    boolean[] fillable = new boolean[n + m];
    int k = 0;
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      long next = j >= m || (i < n && stepped[i] <= cut[j]) ? stepped[i] : cut[j];
      boolean isStepped = false;
      while (i < n && stepped[i] == next) {
        isStepped = true;
        i++;
      }
      while (j < m && cut[j] == next) {
        j++;
      }
      if (k == 0 || starts[k - 1] != next) {
        starts[k] = next;
        fillable[k] = isStepped;
        k++;
      } else {
        fillable[k - 1] |= isStepped;
      }
    }
    return new Buckets(this, first, k, Arrays.copyOf(starts, k), Arrays.copyOf(fillable, k));
  }

  /** The zone's offset from UTC at {@code t}, in ns. */
  long offsetNanos(long t) {
    ZoneRules rules = zone.getRules();
    Instant instant = Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000_000L), Math.floorMod(t, 1_000_000_000L));
    return rules.getOffset(instant).getTotalSeconds() * 1_000_000_000L;
  }

  /**
   * The windows of a query's range, numbered from 0 in time order. Uniform ones are computed;
   * those of a zone with offset changes are listed.
   */
  static final class Buckets {
    private final TimeWindows windows;
    private final long first;
    private final int count;
    private final long[] starts;
    /** Per listed bucket: whether influxd's fill steps on it (and fills it when empty). */
    private final boolean[] fillable;

    private Buckets(TimeWindows windows, long first, int count, long[] starts, boolean[] fillable) {
      this.windows = windows;
      this.first = first;
      this.count = count;
      this.starts = starts;
      this.fillable = fillable;
    }

    int count() {
      return count;
    }

    long start(int bucket) {
      return starts == null ? first + (long) bucket * windows.interval : starts[bucket];
    }

    /** The bucket holding {@code t}, or -1 outside the range. */
    int indexOf(long t) {
      long s = windows.start(t);
      if (starts == null) {
        long b = (s - first) / windows.interval;
        return s < first || b >= count ? -1 : (int) b;
      }
      int i = Arrays.binarySearch(starts, s);
      if (i >= 0) {
        return i;
      }
      // Not a start listed: the bucket before it, none past the last.
      int before = -i - 2;
      return before < 0 || before == count - 1 ? -1 : before;
    }

    /**
     * The buckets a GROUP BY time answer shows, in ascending order, given which have points: as
     * influxd's fill iterator walks them. Uniform windows: every bucket. Otherwise a bucket with
     * points always shows, and takes the place of the step it does not fall behind; a step
     * without points shows (to be filled) when no bucket with points comes before it.
     */
    int[] walk(boolean[] hasPoints) {
      if (starts == null) {
        int[] all = new int[count];
        for (int b = 0; b < count; b++) {
          all[b] = b;
        }
        return all;
      }
      int[] out = new int[count];
      int n = 0;
      int d = nextOf(hasPoints, 0);
      int w = nextOf(fillable, 0);
      while (d < count || w < count) {
        if (d < count && (w >= count || starts[d] <= starts[w])) {
          out[n++] = d;
          d = nextOf(hasPoints, d + 1);
        } else {
          out[n++] = w;
        }
        if (w < count) {
          w = nextOf(fillable, w + 1);
        }
      }
      return Arrays.copyOf(out, n);
    }

    private int nextOf(boolean[] marks, int from) {
      int b = from;
      while (b < count && !marks[b]) {
        b++;
      }
      return b;
    }
  }
}
