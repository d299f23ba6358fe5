package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShardGroupsTest {
  /** Expected values from influxd 1.6.7's SHOW SHARDS for the same points. */
  @ParameterizedTest
  @CsvSource({
      "2001-09-09T01:46:40Z, P7D, 2001-09-03T00:00:00Z, 2001-09-10T00:00:00Z",
      "2026-11-27T23:42:00Z, PT1H, 2026-11-27T23:00:00Z, 2026-11-28T00:00:00Z",
      "2026-11-27T23:42:00Z, P1D, 2026-11-27T00:00:00Z, 2026-11-28T00:00:00Z",
      "1969-12-31T23:59:59Z, PT1H, 1969-12-31T23:00:00Z, 1970-01-01T00:00:00Z",
  })
  void groupsStartWhereInfluxdStartsThem(Instant time, Duration duration, Instant start, Instant end) {
    long s = ShardGroups.start(nanos(time), duration);
    assertThat(s).isEqualTo(nanos(start));
    assertThat(ShardGroups.end(s, duration)).isEqualTo(nanos(end));
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
