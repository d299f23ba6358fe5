package dev.capstan.dataplane.tsdb.influxql;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Numbers and times printed as Go's encoding/json and time.RFC3339Nano print them. */
final class GoFormat {
  private GoFormat() {}

  /**
   * encoding/json's float64: the shortest decimal that reads back as the same double, plain
   * notation unless the magnitude is below 1e-6 or at least 1e21, then {@code 1e+21}, {@code 1e-7}.
   */
  static String formatFloat(double f) {
    if (f == 0) {
      return (1 / f < 0) ? "-0" : "0";
    }
    if (f == Math.rint(f) && Math.abs(f) < 1e15) {
      return Long.toString((long) f);
    }
    double abs = Math.abs(f);
    if (abs >= 1e-3 && abs < 1e7) {
      // Fast path: Java prints plain digits here, and with at most 15 significant digits its
      // text is the shortest (its known excess digits only occur at 16 and more).
      String s = Double.toString(f);
      int significant = 0;
      boolean leading = true;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= '1' && c <= '9' || (c == '0' && !leading)) {
          significant++;
          leading = false;
        }
      }
      if (significant <= 15) {
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
      }
    }
    BigDecimal bd = shortest(f);
    if (abs < 1e-6 || abs >= 1e21) {
      String unscaled = bd.unscaledValue().abs().toString();
      int exp = unscaled.length() - 1 - bd.scale();
      StringBuilder sb = new StringBuilder();
      if (f < 0) {
        sb.append('-');
      }
      sb.append(unscaled.charAt(0));
      if (unscaled.length() > 1) {
        sb.append('.').append(unscaled, 1, unscaled.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int e = Math.abs(exp);
      // Go prints at least two exponent digits and json then drops a leading zero of a
      // negative one: 1e-07 becomes 1e-7 but 1e+07 could not occur here.
      if (e < 10 && exp > 0) {
        sb.append('0');
      }
      sb.append(e);
      return sb.toString();
    }
    return bd.toPlainString();
  }

  private static BigDecimal shortest(double f) {
    BigDecimal bd = new BigDecimal(Double.toString(f)).stripTrailingZeros();
    // Java 17's Double.toString is not always the shortest round trip; try one digit fewer.
    int precision = bd.precision();
    while (precision > 1) {
      BigDecimal shorter = bd.round(new MathContext(precision - 1));
      if (shorter.doubleValue() != f) {
        break;
      }
      bd = shorter.stripTrailingZeros();
      precision = bd.precision();
    }
    return bd;
  }

  /** time.RFC3339Nano in UTC: fraction trimmed of trailing zeros, omitted when zero. */
  static String formatTime(long nanos) {
    return formatTime(nanos, ZoneOffset.UTC);
  }

  /**
   * time.RFC3339Nano in a zone: local time, then {@code Z} where the zone's offset is zero (as Go
   * prints it, even for Europe/London in winter), else {@code +hh:mm}.
   */
  static String formatTime(long nanos, ZoneId zone) {
    long secs = Math.floorDiv(nanos, 1_000_000_000L);
    int frac = (int) Math.floorMod(nanos, 1_000_000_000L);
    int offset = zone == ZoneOffset.UTC ? 0 : zone.getRules().getOffset(Instant.ofEpochSecond(secs)).getTotalSeconds();
    LocalDateTime t = LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.ofTotalSeconds(offset));
    StringBuilder sb = new StringBuilder(30);
    int year = t.getYear();
    if (year < 0) {
      sb.append('-');
      year = -year;
    }
    pad(sb, year, 4);
    sb.append('-');
    pad(sb, t.getMonthValue(), 2);
    sb.append('-');
    pad(sb, t.getDayOfMonth(), 2);
    sb.append('T');
    pad(sb, t.getHour(), 2);
    sb.append(':');
    pad(sb, t.getMinute(), 2);
    sb.append(':');
    pad(sb, t.getSecond(), 2);
    if (frac != 0) {
      String f = Integer.toString(frac + 1_000_000_000).substring(1);
      int end = f.length();
      while (f.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(f, 0, end);
    }
    if (offset == 0) {
      sb.append('Z');
    } else {
      sb.append(offset < 0 ? '-' : '+');
      int minutes = Math.abs(offset) / 60;
      pad(sb, minutes / 60, 2);
      sb.append(':');
      pad(sb, minutes % 60, 2);
    }
    return sb.toString();
  }

  private static void pad(StringBuilder sb, int v, int width) {
    // Digits of v, needed for zero-padding, counted without formatting it twice.
    int digits = 1;
    for (int rest = v / 10; rest > 0; rest /= 10) {
      digits++;
    }
    for (int i = digits; i < width; i++) {
      sb.append('0');
    }
    sb.append(v);
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
