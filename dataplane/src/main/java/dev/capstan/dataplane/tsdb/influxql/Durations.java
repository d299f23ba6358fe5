package dev.capstan.dataplane.tsdb.influxql;

/** InfluxQL duration literals and Go's duration texts, as influxd parses and prints them. */
public final class Durations {
  static final long NS = 1;
  static final long US = 1_000;
  static final long MS = 1_000_000;
  static final long S = 1_000_000_000L;
  static final long M = 60 * S;
  static final long H = 60 * M;
  static final long D = 24 * H;
  static final long W = 7 * D;

  private Durations() {}

  /**
   * influxql.ParseDuration: digits and a unit, repeated ({@code 1h30m}, {@code 10s}, {@code 5u},
   * {@code 5µ}); units ns, u or µ, ms, s, m, h, d, w. Messages are influxd's.
   */
  static long parse(String s) {
    int[] a = s.codePoints().toArray();
    if (s.length() < 2) {
      throw new IllegalArgumentException("invalid duration");
    }
    long d = 0;
    int i = 0;
    boolean negative = false;
    if (a[0] == '-') {
      negative = true;
      i++;
    }
    long measure = 0;
    String unit = "";
    boolean overflow = false;
    while (i < a.length) {
      int start = i;
      while (i < a.length && Scanner.isDigit(a[i])) {
        i++;
      }
      if (i >= a.length || i == start) {
        throw new IllegalArgumentException("invalid duration");
      }
      long n;
      try {
        n = Long.parseLong(new String(a, start, i - start));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid duration");
      }
      measure = n;
      unit = new String(a, i, 1);
      long mul;
      switch (a[i]) {
        case 'n':
          if (i + 1 < a.length && a[i + 1] == 's') {
            unit = "ns";
            d += n;
            i += 2;
            continue;
          }
          throw new IllegalArgumentException("invalid duration");
        case 'u', 'µ':
          mul = US;
          break;
        case 'm':
          if (i + 1 < a.length && a[i + 1] == 's') {
            unit = "ms";
            d += n * MS; // Go's arithmetic wraps; the sign check below catches most overflows
            i += 2;
            continue;
          }
          mul = M;
          break;
        case 's':
          mul = S;
          break;
        case 'h':
          mul = H;
          break;
        case 'd':
          mul = D;
          break;
        case 'w':
          mul = W;
          break;
        default:
          throw new IllegalArgumentException("invalid duration");
      }
      d += n * mul;
      i++;
    }
    if (d < 0 && !negative) {
      throw new IllegalArgumentException("overflowed duration " + measure + unit
          + ": choose a smaller duration or INF");
    }
    return negative ? -d : d;
  }

  /** influxql.FormatDuration: the largest whole unit, as in {@code 1w}, {@code 90m}, {@code 5u}. */
  static String formatInfluxQl(long d) {
    if (d == 0) {
      return "0s";
    } else if (d % W == 0) {
      return d / W + "w";
    } else if (d % D == 0) {
      return d / D + "d";
    } else if (d % H == 0) {
      return d / H + "h";
    } else if (d % M == 0) {
      return d / M + "m";
    } else if (d % S == 0) {
      return d / S + "s";
    } else if (d % MS == 0) {
      return d / MS + "ms";
    }
    return d / US + "u";
  }

  /** Go's time.Duration.String: {@code 168h0m0s}, {@code 1h30m0s}, {@code 1.5s}, {@code 0s}. */
  public static String formatGo(long d) {
    if (d == 0) {
      return "0s";
    }
    boolean neg = d < 0;
    // Work on the magnitude as unsigned; Long.MIN_VALUE's magnitude does not fit a long.
    long u = neg ? -d : d;
    StringBuilder sb = new StringBuilder();
    if (Long.compareUnsigned(u, S) < 0) {
      String unit;
      int prec;
      if (u < US) {
        return (neg ? "-" : "") + u + "ns";
      } else if (u < MS) {
        prec = 3;
        unit = "µs";
      } else {
        prec = 6;
        unit = "ms";
      }
      sb.append(fraction(u, prec)).append(unit);
    } else {
      long secs = Long.divideUnsigned(u, S);
      long frac = Long.remainderUnsigned(u, S);
      StringBuilder s = new StringBuilder();
      s.append(secs % 60);
      if (frac != 0) {
        String f = String.format("%09d", frac).replaceAll("0+$", "");
        s.append('.').append(f);
      }
      s.append('s');
      long mins = secs / 60;
      if (mins > 0) {
        s.insert(0, (mins % 60) + "m");
        long hours = mins / 60;
        if (hours > 0) {
          s.insert(0, hours + "h");
        }
      }
      sb.append(s);
    }
    return (neg ? "-" : "") + sb;
  }

  private static String fraction(long v, int prec) {
    long pow = 1;
    for (int i = 0; i < prec; i++) {
      pow *= 10;
    }
    long whole = v / pow;
    long frac = v % pow;
    if (frac == 0) {
      return Long.toString(whole);
    }
    String f = String.format("%0" + prec + "d", frac).replaceAll("0+$", "");
    return whole + "." + f;
  }
}
