package dev.capstan.dataplane.tsdb.lineprotocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Parses the body of an InfluxDB 1.x {@code POST /write}: line protocol, one point per line.
 *
 * <p>Acceptance follows influxd 1.6's parser (models/points.go) closely, quirks included, because
 * clients were written against it; the reasons in {@link LineError} are its texts. Where this
 * parser deliberately differs:
 *
 * <ul>
 *   <li>a line ending in CR LF is accepted (influxd reports the CR as an invalid number or bad
 *       timestamp);
 *   <li>a field with an empty key is an error "missing field key" (influxd accepts one after a
 *       tab, e.g. {@code "cpu \t=1"}, and stores a field with an empty name);
 *   <li>bytes that are not UTF-8 become U+FFFD (influxd stores them as they are).
 * </ul>
 *
 * <p>A repeated field key keeps its last value, as influxd does. Checks influxd makes when storing
 * rather than parsing (a field's type conflicting with an earlier one, even within the line; a tag
 * or field named {@code time}) are the write path's business.
 *
 * <p>A bad line never costs its neighbours, with one exception that is part of the protocol: a
 * newline inside an open quoted string (or right after a backslash) continues the point, so an
 * unterminated string swallows the lines that follow it, as in influxd.
 */
public final class LineProtocolParser {

  /** Longest series key influxd stores: measurement and tags, escaped, plus separator and field key. */
  static final int MAX_KEY_LENGTH = 65535;

  private static final String TIME_OUT_OF_RANGE =
      "time outside range " + Point.MIN_TIMESTAMP_NANOS + " - " + Point.MAX_TIMESTAMP_NANOS;

  private LineProtocolParser() {}

  /**
   * Parses a batch.
   *
   * @param batch the request body, UTF-8
   * @param precision the unit of the timestamps in the batch
   * @param now the time given to points without a timestamp (truncated to the precision)
   */
  public static ParseResult parse(byte[] batch, Precision precision, Instant now) {
    return parse(batch, precision, now, null);
  }

  /**
   * Parses a batch, looking series keys up in (and adding them to) keys parsed by earlier
   * batches: the result is the same as without, only the key parse is skipped for known keys.
   *
   * @param earlier shared across batches (thread-safe), or null
   */
  public static ParseResult parse(byte[] batch, Precision precision, Instant now, SeriesKeyCache earlier) {
    long nowNanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    long defaultTime = Math.floorDiv(nowNanos, precision.nanos()) * precision.nanos();
    // Sized for lines of about 32 bytes (bounded for bodies of a few huge lines): growing from 10
    // to 5,000 copied the list ten times, 3 % of a parse.
    List<Point> points = new ArrayList<>(Math.min(batch.length / 32 + 1, 1 << 16));
    List<LineError> errors = new ArrayList<>();
    BatchStrings strings = new BatchStrings(earlier);
    FieldMap.Builder fields = new FieldMap.Builder();
    int pos = 0;
    // Line numbers are needed only for errors, so newlines are counted only then, from where the
    // last count stopped: counting them for every point was a second pass over the whole batch.
    int countedTo = 0;
    int linesBefore = 0;
    while (pos < batch.length) {
      int end = Math.min(endOfPoint(batch, pos), batch.length);
      int lineStart = pos;
      pos = end + 1;

      int length = end;
      if (length > lineStart && batch[length - 1] == '\r') {
        length--;
      }
      int start = skipWhitespace(batch, lineStart, length);
      if (start >= length || batch[start] == '#') {
        continue;
      }
      byte[] text = Arrays.copyOfRange(batch, start, length);
      try {
        points.add(new PointScanner(text, precision, defaultTime, strings, fields).point());
      } catch (LineSyntaxException e) {
        // A point starts on the line after the newlines before it (a point may span lines).
        linesBefore += newlines(batch, countedTo, lineStart);
        countedTo = lineStart;
        errors.add(new LineError(1 + linesBefore, utf8(text, 0, text.length), e.getMessage()));
      }
    }
    return new ParseResult(points, errors);
  }

  private static int newlines(byte[] b, int from, int to) {
    int count = 0;
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        count++;
      }
    }
    return count;
  }

  /**
   * Where the point starting at {@code from} ends: the next newline that is neither escaped nor
   * inside a quoted field value. Quotes count only in the field section and only in value
   * position (more '=' than ',' seen), as influxd splits a batch.
   */
  private static int endOfPoint(byte[] b, int from) {
    boolean inFields = false;
    boolean quoted = false;
    int equals = 0;
    int commas = 0;
    int i = from;
    while (i < b.length) {
      byte c = b[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == ' ') {
        inFields = true;
      }
      if (inFields) {
        if (!quoted && c == '=') {
          equals++;
          i++;
          continue;
        } else if (!quoted && c == ',') {
          commas++;
          i++;
          continue;
        } else if (c == '"' && equals > commas) {
          quoted = !quoted;
          i++;
          continue;
        }
      }
      if (c == '\n' && !quoted) {
        break;
      }
      i++;
    }
    return i;
  }

  static int skipWhitespace(byte[] b, int i, int end) {
    while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == 0)) {
      i++;
    }
    return i;
  }

  static String utf8(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }

  /** A line's reason for being refused; no stack trace, it is an answer, not a bug. */
  static final class LineSyntaxException extends Exception {
    LineSyntaxException(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Scans one point (the text of one logical line) section by section. */
  private static final class PointScanner {
    private final byte[] b;
    private final int n;
    private final Precision precision;
    private final long defaultTime;
    private final BatchStrings strings;
    /** The batch's field builder, emptied for each point. */
    private final FieldMap.Builder fieldBuilder;
    /** Floats parsed while validating, by start index, so typing the values does not parse them again. */
    private int parsedFloatStart = -1;
    private int parsedFloatEnd = -1;
    private double parsedFloat;

    PointScanner(byte[] text, Precision precision, long defaultTime, BatchStrings strings, FieldMap.Builder fields) {
      this.fieldBuilder = fields;
      this.b = text;
      this.n = text.length;
      this.precision = precision;
      this.defaultTime = defaultTime;
      this.strings = strings;
    }

    Point point() throws LineSyntaxException {
      // Key: measurement[,tag=value...]. Inside the key a byte is escaped whenever the byte before
      // it is a backslash (so "\\," still escapes the comma), which is how influxd scans keys.
      int i = 0;
      if (n == 0 || b[0] == ',') {
        throw new LineSyntaxException("missing measurement");
      }
      // A batch repeats few series many times: a key seen before in this batch parses to the
      // same measurement and tags, so reuse those (same instances, which also makes the
      // engine's per-series lookups cheap).
      int seenKeyEnd = keyEndGuess();
      BatchStrings.SeriesOfKey seen = seenKeyEnd < 0 ? null : strings.series(b, seenKeyEnd);
      if (seen != null) {
        return pointAfterKey(seen.measurement(), seen.tags(), seenKeyEnd);
      }
      boolean hasTags;
      while (true) {
        i++;
        if (i >= n) {
          throw new LineSyntaxException("missing fields");
        }
        if (b[i - 1] == '\\') {
          continue;
        }
        if (b[i] == ',') {
          hasTags = true;
          break;
        }
        if (b[i] == ' ') {
          hasTags = false;
          break;
        }
      }
      String measurement = unescape(0, i, "," + "\"" + " =");
      List<int[]> tagSpans = new ArrayList<>();
      if (hasTags) {
        i = scanTags(i + 1, tagSpans);
      }
      int keyEnd = i;
      List<Tag> tags = tagsOf(tagSpans);
      if (keyEnd > MAX_KEY_LENGTH) {
        throw new LineSyntaxException("max key length exceeded: " + keyEnd + " > " + MAX_KEY_LENGTH);
      }
      if (keyEnd == seenKeyEnd) {
        strings.rememberSeries(b, keyEnd, measurement, tags);
      }
      return pointAfterKey(measurement, tags, keyEnd);
    }

    /** Where the series key ends if this line has one: the first space not after a backslash; -1 if none. */
    private int keyEndGuess() {
      for (int i = 1; i < n; i++) {
        if (b[i] == ' ' && b[i - 1] != '\\') {
          return i;
        }
      }
      return -1;
    }

    private Point pointAfterKey(String measurement, List<Tag> tags, int keyEnd) throws LineSyntaxException {
      int i = keyEnd;
      int fieldsStart = skipWhitespace(b, i, n);
      int fieldsEnd = scanFields(fieldsStart);
      Map<String, FieldValue> fields = fieldsOf(fieldsStart, fieldsEnd, keyEnd);
      long timestamp = timestamp(fieldsEnd);
      return new Point(measurement, tags, fields, timestamp);
    }

    /** Scans tag pairs from {@code i} (just after a comma); returns the index of the space after them. */
    private int scanTags(int i, List<int[]> spans) throws LineSyntaxException {
      while (true) {
        int keyStart = i;
        if (i >= n || b[i] == ' ' || b[i] == ',' || b[i] == '=') {
          throw new LineSyntaxException("missing tag key");
        }
        while (true) {
          i++;
          if (i >= n || ((b[i] == ' ' || b[i] == ',') && b[i - 1] != '\\')) {
            throw new LineSyntaxException("missing tag value");
          }
          if (b[i] == '=' && b[i - 1] != '\\') {
            break;
          }
        }
        int keyEnd = i;
        i++;
        int valueStart = i;
        if (i >= n || b[i] == ',' || b[i] == ' ') {
          throw new LineSyntaxException("missing tag value");
        }
        while (true) {
          i++;
          if (i >= n) {
            throw new LineSyntaxException("missing fields");
          }
          if (b[i] == '=' && b[i - 1] != '\\') {
            throw new LineSyntaxException("invalid tag format");
          }
          if ((b[i] == ',' || b[i] == ' ') && b[i - 1] != '\\') {
            break;
          }
        }
        spans.add(new int[] {keyStart, keyEnd, valueStart, i});
        if (b[i] == ' ') {
          return i;
        }
        i++;
      }
    }

    private List<Tag> tagsOf(List<int[]> spans) throws LineSyntaxException {
      List<Tag> tags = new ArrayList<>(spans.size());
      for (int[] span : spans) {
        tags.add(new Tag(unescape(span[0], span[1], ", ="), unescape(span[2], span[3], ", =")));
      }
      tags.sort(Tag.BY_KEY);
      for (int t = 1; t < tags.size(); t++) {
        if (tags.get(t).key().equals(tags.get(t - 1).key())) {
          throw new LineSyntaxException("duplicate tags");
        }
      }
      return List.copyOf(tags);
    }

    /**
     * Validates the field section from {@code i} and returns where it ends (a space or the end).
     * Outside quoted values a backslash escapes the next byte, whatever it is.
     */
    private int scanFields(int i) throws LineSyntaxException {
      int start = i;
      boolean quoted = false;
      int equals = 0;
      int commas = 0;
      while (i < n) {
        byte c = b[i];
        if (c == '\\' && i + 1 < n) {
          i += 2;
          continue;
        }
        if (c == '"' && equals > commas) {
          quoted = !quoted;
          i++;
          continue;
        }
        if (c == '=' && !quoted) {
          equals++;
          if (i == start || (b[i - 1] == ',' && b[i - 2] != '\\')) {
            throw new LineSyntaxException("missing field key");
          }
          if (i + 1 >= n || b[i + 1] == ',' || b[i + 1] == ' ') {
            throw new LineSyntaxException("missing field value");
          }
          byte first = b[i + 1];
          if ((first >= '0' && first <= '9') || first == '.' || first == '-' || first == 'N' || first == 'n') {
            i = scanNumber(i + 1);
            continue;
          }
          if (first != '"') {
            i = scanBoolean(i + 1);
            continue;
          }
        }
        if (c == ',' && !quoted) {
          commas++;
        }
        if (c == ' ' && !quoted) {
          break;
        }
        i++;
      }
      if (quoted) {
        throw new LineSyntaxException("unbalanced quotes");
      }
      if (equals == 0 || commas != equals - 1) {
        throw new LineSyntaxException("invalid field format");
      }
      return i;
    }

    /** Validates a number from {@code start}; returns the index of the ',' or ' ' or end after it. */
    private int scanNumber(int start) throws LineSyntaxException {
      int i = start;
      boolean negative = b[i] == '-';
      if (negative) {
        i++;
        if (i == n) {
          throw new LineSyntaxException("invalid number");
        }
      }
      boolean integer = false;
      boolean decimal = false;
      boolean scientific = false;
      while (i < n && b[i] != ',' && b[i] != ' ') {
        byte c = b[i];
        if ((c == 'i' || c == 'u') && i > start && !integer) {
          if (c == 'u') {
            // Unsigned integers arrived in influxd 1.7 (behind a flag); 1.6 refuses them.
            throw new LineSyntaxException("invalid number");
          }
          integer = true;
          i++;
          continue;
        }
        if (c == '.') {
          if (decimal) {
            throw new LineSyntaxException("invalid number");
          }
          decimal = true;
        }
        if (i > start && (c == 'e' || c == 'E')) {
          scientific = true;
          i++;
          continue;
        }
        if ((c == '+' || c == '-') && (b[i - 1] == 'e' || b[i - 1] == 'E')) {
          i++;
          continue;
        }
        if (!((c >= '0' && c <= '9') || c == '.')) {
          throw new LineSyntaxException("invalid number");
        }
        i++;
      }
      if (integer && (decimal || scientific)) {
        throw new LineSyntaxException("invalid number");
      }
      int digits = i - start - (integer ? 1 : 0) - (decimal ? 1 : 0) - (negative ? 1 : 0);
      if (digits == 0) {
        throw new LineSyntaxException("invalid number");
      }
      if (integer) {
        if (b[i - 1] != 'i') {
          throw new LineSyntaxException("invalid number");
        }
        String text = utf8(b, start, i - 1);
        if (parseLong(text) == null) {
          throw new LineSyntaxException(
              "unable to parse integer " + text + ": strconv.ParseInt: parsing \"" + text + "\": value out of range");
        }
      } else {
        Double value = parseFloat(b, start, i);
        if (value == null) {
          throw new LineSyntaxException("invalid float");
        }
        parsedFloatStart = start;
        parsedFloatEnd = i;
        parsedFloat = value;
      }
      return i;
    }

    /** Validates a boolean from {@code start}; returns the index of the ',' or ' ' or end after it. */
    private int scanBoolean(int start) throws LineSyntaxException {
      int i = start;
      while (i < n && b[i] != ',' && b[i] != ' ') {
        i++;
      }
      if (parseBoolean(utf8(b, start, i)) == null) {
        throw new LineSyntaxException("invalid boolean");
      }
      return i;
    }

    /**
     * Splits the validated field section into keys and values and types each value. A key ends at
     * an '=' not preceded by a backslash; a value ends at a ',' outside quotes.
     */
    private Map<String, FieldValue> fieldsOf(int start, int end, int keyLength) throws LineSyntaxException {
      fieldBuilder.clear();
      int p = start;
      while (p < end) {
        int k = p;
        while (k < end && !(b[k] == '=' && (k == p || b[k - 1] != '\\'))) {
          k++;
        }
        if (k - p > end - p - 2) {
          throw new LineSyntaxException("invalid value: field-key=" + utf8(b, p, k));
        }
        int seriesKeySize = keyLength + 4 + (k - p);
        if (seriesKeySize > MAX_KEY_LENGTH) {
          throw new LineSyntaxException("max key length exceeded: " + seriesKeySize + " > " + MAX_KEY_LENGTH);
        }
        int v = k + 1;
        boolean quoted = false;
        while (v < end) {
          if (b[v] == '\\' && v + 1 < end && (b[v + 1] == '"' || b[v + 1] == '\\')) {
            v += 2;
            continue;
          }
          if (b[v] == '"') {
            quoted = !quoted;
          } else if (b[v] == ',' && !quoted) {
            break;
          }
          v++;
        }
        String key = unescape(p, k, ",\" =");
        FieldValue value = valueOf(k + 1, v);
        if (key.isEmpty()) {
          throw new LineSyntaxException("missing field key");
        }
        if (value != null) {
          // A repeated key keeps its last value, as influxd's field map does (see the builder).
          fieldBuilder.put(key, value);
        }
        p = v + 1;
      }
      if (fieldBuilder.isEmpty()) {
        throw new LineSyntaxException("missing fields");
      }
      return fieldBuilder.build();
    }

    /** Types a field value by its first byte, as influxd does; null for an empty value. */
    private FieldValue valueOf(int from, int to) throws LineSyntaxException {
      if (from >= to) {
        return null;
      }
      byte first = b[from];
      if (first == '"') {
        return new FieldValue.StringField(unescapeString(from + 1, Math.max(from + 1, to - 1)));
      }
      if ("0123456789-.nNiIu".indexOf(first) >= 0) {
        if (b[to - 1] == 'i') {
          // The bytes themselves, as for timestamps: a String per integer field was an
          // allocation and a second pass per point (odd input still takes Long.parseLong).
          Long value = parseLong(b, from, to - 1);
          if (value == null) {
            throw new LineSyntaxException("invalid number");
          }
          return new FieldValue.IntegerField(value);
        }
        Double value = from == parsedFloatStart && to == parsedFloatEnd ? Double.valueOf(parsedFloat) : parseFloat(b, from, to);
        if (value == null || b[to - 1] == 'u') {
          throw new LineSyntaxException("invalid number");
        }
        return new FieldValue.FloatField(value);
      }
      Boolean value = parseBoolean(utf8(b, from, to));
      if (value == null) {
        throw new LineSyntaxException("invalid boolean");
      }
      return new FieldValue.BooleanField(value);
    }

    /** The optional timestamp after the fields, scaled to nanoseconds; only spaces may follow it. */
    private long timestamp(int i) throws LineSyntaxException {
      int start = skipWhitespace(b, i, n);
      int end = start;
      while (end < n && b[end] != '\n' && b[end] != ' ') {
        if (!(end == start && b[end] == '-') && (b[end] < '0' || b[end] > '9')) {
          throw new LineSyntaxException("bad timestamp");
        }
        end++;
      }
      if (end == start) {
        return defaultTime;
      }
      Long value = parseLong(b, start, end);
      String text = value == null ? utf8(b, start, end) : null;
      if (value == null) {
        String why = text.equals("-") ? "invalid syntax" : "value out of range";
        throw new LineSyntaxException("strconv.ParseInt: parsing \"" + text + "\": " + why);
      }
      long nanos;
      try {
        nanos = Math.multiplyExact(value, precision.nanos());
      } catch (ArithmeticException e) {
        throw new LineSyntaxException(TIME_OUT_OF_RANGE);
      }
      if (nanos < Point.MIN_TIMESTAMP_NANOS || nanos > Point.MAX_TIMESTAMP_NANOS) {
        throw new LineSyntaxException(TIME_OUT_OF_RANGE);
      }
      for (int t = end; t < n; t++) {
        if (b[t] != ' ') {
          throw new LineSyntaxException("point is invalid");
        }
      }
      return nanos;
    }

    /** Drops each backslash that precedes one of {@code escapable}; other backslashes are literal. */
    private String unescape(int from, int to, String escapable) {
      boolean plain = true;
      for (int i = from; i < to; i++) {
        if (b[i] == '\\') {
          plain = false;
          break;
        }
      }
      if (plain) {
        return strings.text(b, from, to);
      }
      byte[] out = new byte[to - from];
      int o = 0;
      for (int i = from; i < to; i++) {
        if (b[i] == '\\' && i + 1 < to && escapable.indexOf(b[i + 1]) >= 0) {
          continue;
        }
        out[o++] = b[i];
      }
      return utf8(out, 0, o);
    }

    /** A string field's content: {@code \\} and {@code \"} are escapes, other backslashes literal. */
    private String unescapeString(int from, int to) {
      byte[] out = new byte[to - from];
      int o = 0;
      for (int i = from; i < to; i++) {
        if (b[i] == '\\' && i + 1 < to && (b[i + 1] == '\\' || b[i + 1] == '"')) {
          i++;
        }
        out[o++] = b[i];
      }
      return utf8(out, 0, o);
    }
  }

  /** {@link #parseLong(String)} of the ASCII in {@code b[from, to)}, without a String for the common short case. */
  private static Long parseLong(byte[] b, int from, int to) {
    int i = from;
    boolean negative = i < to && b[i] == '-';
    if (negative) {
      i++;
    }
    // 18 digits cannot overflow a long; longer or odd input takes the exact path.
    if (i == to || to - i > 18) {
      return parseLong(utf8(b, from, to));
    }
    long value = 0;
    for (; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return parseLong(utf8(b, from, to));
      }
      value = value * 10 + d;
    }
    return negative ? -value : value;
  }

  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  /**
   * {@link #parseFloat(String)} of the ASCII in {@code b[from, to)}. Plain decimals with at most
   * 15 digits take Clinger's fast path: the digits and the power of ten are both exact doubles,
   * so one division is correctly rounded, the same value Double.parseDouble gives.
   */
  static Double parseFloat(byte[] b, int from, int to) {
    int i = from;
    boolean negative = i < to && b[i] == '-';
    if (negative) {
      i++;
    }
    long mantissa = 0;
    int digits = 0;
    int fraction = -1;
    for (; i < to; i++) {
      byte c = b[i];
      if (c >= '0' && c <= '9') {
        mantissa = mantissa * 10 + (c - '0');
        digits++;
        if (fraction >= 0) {
          fraction++;
        }
      } else if (c == '.' && fraction < 0) {
        fraction = 0;
      } else {
        return parseFloat(utf8(b, from, to));
      }
    }
    if (digits == 0 || digits > 15) {
      return parseFloat(utf8(b, from, to));
    }
    double value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction] : (double) mantissa;
    return negative ? -value : value;
  }

  /** Go's ParseInt for what the scanner lets through: optional '-', then digits; null if out of range. */
  private static Long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A finite float64, or null; influxd refuses overflow to infinity as "invalid float". */
  private static Double parseFloat(String text) {
    try {
      double value = Double.parseDouble(text);
      return Double.isFinite(value) ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The spellings influxd 1.6 accepts; null for anything else. */
  private static Boolean parseBoolean(String text) {
    return switch (text) {
      case "t", "T", "true", "True", "TRUE" -> Boolean.TRUE;
      case "f", "F", "false", "False", "FALSE" -> Boolean.FALSE;
      default -> null;
    };
  }
}
