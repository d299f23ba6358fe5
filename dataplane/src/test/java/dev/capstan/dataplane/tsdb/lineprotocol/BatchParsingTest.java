package dev.capstan.dataplane.tsdb.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser's batch shortcuts (shared series, number fast paths) give what parsing each line alone gives. */
class BatchParsingTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static List<Point> parse(String text) {
    ParseResult result = LineProtocolParser.parse(text.getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW);
    assertThat(result.errors()).isEmpty();
    return result.points();
  }

  @Test
  void repeatedSeriesShareOneMeasurementAndTagListAndEqualLinesParsedAlone() {
    String[] lines = {
      "cpu,host=a,region=eu value=1 10",
      "cpu,region=eu,host=a value=2 20", // same tags, other order: another key text, equal tags
      "cpu,host=a,region=eu value=3 30",
      "cpu,host=b value=4 40",
      "cpu,host=a,region=eu value=5 50",
    };
    List<Point> batch = parse(String.join("\n", lines));
    assertThat(batch).hasSize(5);
    for (int i = 0; i < lines.length; i++) {
      assertThat(batch.get(i)).isEqualTo(parse(lines[i]).get(0));
    }
    assertThat(batch.get(2).tags()).isSameAs(batch.get(0).tags());
    assertThat(batch.get(4).tags()).isSameAs(batch.get(0).tags());
    assertThat(batch.get(4).measurement()).isSameAs(batch.get(0).measurement());
    assertThat(batch.get(1).tags()).isEqualTo(batch.get(0).tags());
  }

  @Test
  void errorsNameThePhysicalLineTheirPointStartsOn() {
    // Points spanning lines (a quoted newline, an escaped one), blank and comment lines and CR LF
    // all move the count; only the lines of refused points are reported.
    String batch = String.join("\n",
        "cpu value=1 1",          // 1
        "bad",                    // 2: refused
        "cpu s=\"a",              // 3-4: one point
        "b\" 2",
        "",                       // 5
        "# comment",              // 6
        "bad2 \r",                // 7: refused (CR LF line)
        "cpu,x value=1",          // 8: refused
        "cpu\\",                 // 9-10: an escaped newline continues the point
        " value=2",
        "bad3");                  // 11: refused
    ParseResult result = LineProtocolParser.parse(batch.getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW);
    assertThat(result.points()).hasSize(3);
    assertThat(result.errors()).extracting(LineError::lineNumber).containsExactly(2, 7, 8, 11);
  }

  @Test
  void aBadLineAfterAGoodOneWithTheSameKeyIsStillRefused() {
    ParseResult result = LineProtocolParser.parse(
        "m,t=1 v=1 1\nm,t=1 v= 2\nm,t=1 v=3 3".getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW);
    assertThat(result.points()).extracting(Point::timestampNanos).containsExactly(1L, 3L);
    assertThat(result.errors()).hasSize(1);
    assertThat(result.errors().get(0).reason()).isEqualTo("missing field value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "-0.0", "5.", ".5", "-.5", "21.5", "0.1", "0.3", "123456789012345", "1234567890123456",
      "0.000000000000001", "9007199254740993", "1e3", "1.5E-7", "-2.5e+2", "00012.50"})
  void floatsAreExactlyWhatDoubleParseDoubleGives(String text) {
    double parsed = ((FieldValue.FloatField) parse("m v=" + text + " 1").get(0).fields().get("v")).value();
    assertThat(Double.doubleToRawLongBits(parsed)).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
  }

  @Test
  void randomDecimalsAreExactlyWhatDoubleParseDoubleGives() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      int digits = 1 + random.nextInt(17);
      StringBuilder text = new StringBuilder(random.nextBoolean() ? "-" : "");
      int point = random.nextInt(digits + 1);
      for (int d = 0; d < digits; d++) {
        if (d == point) {
          text.append('.');
        }
        text.append((char) ('0' + random.nextInt(10)));
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
      Double fast = LineProtocolParser.parseFloat(bytes, 0, bytes.length);
      assertThat(fast).as(text.toString()).isEqualTo(Double.valueOf(Double.parseDouble(text.toString())));
    }
  }

  @Test
  void timestampsOfEveryLengthAndSecondPrecisionScale() {
    for (long t : new long[] {0, 7, -7, 1_700_000_000L, 999_999_999_999_999_999L, -999_999_999_999_999_999L}) {
      assertThat(parse("m v=1i " + t).get(0).timestampNanos()).isEqualTo(t);
    }
    ParseResult seconds = LineProtocolParser.parse("m v=1 1700000000".getBytes(StandardCharsets.UTF_8), Precision.SECONDS, NOW);
    assertThat(seconds.points().get(0).timestampNanos()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(String.format(Locale.ROOT, "%d", Long.MAX_VALUE - 1))
        .satisfies(max -> assertThat(parse("m v=1 " + max).get(0).timestampNanos()).isEqualTo(Long.MAX_VALUE - 1));
  }
}
