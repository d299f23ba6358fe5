package dev.capstan.dataplane.tsdb.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeriesKeyCacheTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static ParseResult parse(String batch, SeriesKeyCache cache) {
    return LineProtocolParser.parse(batch.getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW, cache);
  }

  @Test
  void seededRandomBatchesParseTheSameWithAndWithoutTheCacheOfEarlierBatches() {
    SplittableRandom random = new SplittableRandom(7L);
    RandomPoints points = new RandomPoints(random, false);
    List<Point> series = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      series.add(points.point());
    }
    SeriesKeyCache cache = new SeriesKeyCache(SeriesKeyCache.DEFAULT_MAX_ENTRIES);
    for (int batch = 0; batch < 40; batch++) {
      StringBuilder text = new StringBuilder();
      for (int line = 0; line < 30; line++) {
        Point p = random.nextInt(4) == 0 ? points.point() : series.get(random.nextInt(series.size()));
        text.append(LineProtocolWriter.format(p)).append('\n');
        if (random.nextInt(10) == 0) {
          text.append("bad,line=1 value=\n"); // a refused line with a key among good ones
        }
      }
      ParseResult alone = parse(text.toString(), null);
      ParseResult cached = parse(text.toString(), cache);

      assertThat(cached).as("batch %d", batch).isEqualTo(alone);
    }
    assertThat(cache.size()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void aKeySeenInAnEarlierBatchGivesTheSameMeasurementAndTagInstances() {
    SeriesKeyCache cache = new SeriesKeyCache(10);
    Point first = parse("cpu,host=a,region=eu value=1 1\n", cache).points().get(0);
    Point second = parse("cpu,host=a,region=eu value=2 2\n", cache).points().get(0);
    Point uncached = parse("cpu,host=a,region=eu value=2 2\n", null).points().get(0);

    assertThat(second.measurement()).isSameAs(first.measurement());
    assertThat(second.tags()).isSameAs(first.tags());
    assertThat(uncached.tags()).isNotSameAs(first.tags()).isEqualTo(first.tags());
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void escapedKeysAreKeyedByTheirRawBytes() {
    SeriesKeyCache cache = new SeriesKeyCache(10);
    parse("m\\ x,t=a\\,b value=1 1\n", cache);
    Point escaped = parse("m\\ x,t=a\\,b value=1 1\n", cache).points().get(0);
    Point other = parse("m\\ x,t=a\\ b value=1 1\n", cache).points().get(0);

    assertThat(escaped.measurement()).isEqualTo("m x");
    assertThat(escaped.tags()).containsExactly(new Tag("t", "a,b"));
    assertThat(other.tags()).containsExactly(new Tag("t", "a b"));
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void aFullCacheTakesNoNewKeysButStillAnswersTheOnesItHas() {
    SeriesKeyCache cache = new SeriesKeyCache(2);
    Point a = parse("m,k=a v=1 1\nm,k=b v=1 1\nm,k=c v=1 1\n", cache).points().get(0);

    assertThat(cache.size()).isEqualTo(2);
    assertThat(parse("m,k=a v=2 2\n", cache).points().get(0).tags()).isSameAs(a.tags());
    assertThat(parse("m,k=c v=2 2\nm,k=d v=2 2\n", cache).points()).extracting(Point::tags)
        .containsExactly(List.of(new Tag("k", "c")), List.of(new Tag("k", "d")));
    assertThat(cache.size()).isEqualTo(2);
    assertThatThrownBy(() -> new SeriesKeyCache(-1)).hasMessage("maxEntries must not be negative, was -1");
  }
}
