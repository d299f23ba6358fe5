package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's number, duration and time texts. */
class GoFormatTest {

  @ParameterizedTest
  @CsvSource({
      "0, 0", "1, 1", "-2, -2", "1.5, 1.5", "0.1, 0.1", "100, 100", "3618.5, 3618.5",
      "1e20, 100000000000000000000", "1e21, 1e+21", "1.5e300, 1.5e+300", "0.000001, 0.000001",
      "1e-7, 1e-7", "1.25e-10, 1.25e-10", "2.5e-7, 2.5e-7", "123456789.125, 123456789.125",
      "0.30000000000000004, 0.30000000000000004", "-0.5, -0.5"})
  void floatsAsEncodingJson(double value, String text) {
    assertThat(GoFormat.formatFloat(value)).isEqualTo(text);
  }

  @Test
  void floatTextsReadBackExactlyAndAreShortest() {
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      if (!Double.isFinite(d)) {
        continue;
      }
      String text = GoFormat.formatFloat(d);
      assertThat(Double.parseDouble(text)).as(text).isEqualTo(d);
      String digits = text.replaceFirst("e.*", "").replace("-", "").replace(".", "")
          .replaceFirst("^0+", "").replaceFirst("0+$", "");
      assertThat(digits.length()).as(text).isLessThanOrEqualTo(17);
      // Shortest: one significant digit fewer no longer reads back as the same double.
      if (digits.length() > 1) {
        java.math.BigDecimal fewer = new java.math.BigDecimal(text)
            .round(new java.math.MathContext(digits.length() - 1));
        assertThat(fewer.doubleValue()).as(text).isNotEqualTo(d);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
      "0, 0s", "604800000000000, 168h0m0s", "5400000000000, 1h30m0s", "1500000000, 1.5s",
      "500000000, 500ms", "1000, 1µs", "7, 7ns", "86400000000000, 24h0m0s", "90061000000000, 25h1m1s"})
  void durationsAsGo(long nanos, String text) {
    assertThat(Durations.formatGo(nanos)).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({
      "0, 1970-01-01T00:00:00Z", "1767225600000000000, 2026-01-01T00:00:00Z",
      "1767225600100000000, 2026-01-01T00:00:00.1Z", "1767225600000000001, 2026-01-01T00:00:00.000000001Z",
      "-1, 1969-12-31T23:59:59.999999999Z"})
  void timesAsRfc3339Nano(long nanos, String text) {
    assertThat(GoFormat.formatTime(nanos)).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({
      // Go prints Z for a zero offset whatever the zone; minutes of half-hour zones; LMT's seconds dropped.
      "2026-01-15T12:00:00Z, Europe/London, 2026-01-15T12:00:00Z",
      "2026-07-15T12:00:00Z, Europe/London, 2026-07-15T13:00:00+01:00",
      "2026-03-08T08:00:00.5Z, America/Chicago, 2026-03-08T03:00:00.5-05:00",
      "2026-03-08T07:59:59Z, America/Chicago, 2026-03-08T01:59:59-06:00",
      "2026-01-01T00:00:00Z, Asia/Kolkata, 2026-01-01T05:30:00+05:30",
      "1800-01-01T00:00:00Z, America/Chicago, 1799-12-31T18:09:24-05:50"})
  void timesInAZone(String utc, String zone, String text) {
    java.time.Instant i = java.time.Instant.parse(utc);
    long nanos = i.getEpochSecond() * 1_000_000_000L + i.getNano();
    assertThat(GoFormat.formatTime(nanos, java.time.ZoneId.of(zone))).isEqualTo(text);
  }

  @Test
  void defaultShardDurations() {
    long h = Durations.H;
    long d = Durations.D;
    assertThat(QueryExecutor.shardDuration(0, 0)).isEqualTo(7 * d);
    assertThat(QueryExecutor.shardDuration(h, 0)).isEqualTo(h);
    assertThat(QueryExecutor.shardDuration(2 * d - 1, 0)).isEqualTo(h);
    assertThat(QueryExecutor.shardDuration(2 * d, 0)).isEqualTo(d);
    assertThat(QueryExecutor.shardDuration(180 * d - 1, 0)).isEqualTo(d);
    assertThat(QueryExecutor.shardDuration(180 * d, 0)).isEqualTo(7 * d);
    assertThat(QueryExecutor.shardDuration(30 * d, 2 * h)).isEqualTo(2 * h);
  }
}
