package dev.capstan.dataplane.tsdb.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineProtocolWriterTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void writesCanonicalLine() {
    Map<String, FieldValue> fields = new LinkedHashMap<>();
    fields.put("f l=d", FieldValue.of(1.5));
    fields.put("n\"", FieldValue.of(-3L));
    fields.put("b", FieldValue.of(true));
    fields.put("s", FieldValue.of("say \"hi\" C:\\ a,b=c"));
    Point point = new Point("c,p u=\"", List.of(new Tag("z", "1"), new Tag("a b", "x,y=z\"")), fields, 42);

    assertThat(LineProtocolWriter.format(point))
        .isEqualTo(
            "c\\,p\\ u\\=\\\",a\\ b=x\\,y\\=z\",z=1"
                + " f\\ l\\=d=1.5,n\\\"=-3i,b=true,s=\"say \\\"hi\\\" C:\\\\ a,b=c\" 42");
  }

  @Test
  void refusesNamesEndingInBackslash() {
    Point point = new Point("cpu\\", List.of(), Map.of("v", FieldValue.of(1L)), 1);

    assertThatThrownBy(() -> LineProtocolWriter.format(point))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("measurement 'cpu\\' ends in a backslash");
  }

  @Test
  void parseOfFormatIsIdentityForRandomPointsWithNastyCharacters() {
    RandomPoints random = new RandomPoints(new SplittableRandom(20261127L), false);
    for (int n = 0; n < 20_000; n++) {
      Point point = random.point();
      String line = LineProtocolWriter.format(point);

      ParseResult result =
          LineProtocolParser.parse(line.getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW);

      assertThat(result.errors()).as(line).isEmpty();
      assertThat(result.points()).as(line).containsExactly(point);
      assertThat(LineProtocolWriter.format(result.points().get(0))).isEqualTo(line);
    }
  }

  @Test
  void batchOfFormattedPointsParsesBackInOrder() {
    RandomPoints random = new RandomPoints(new SplittableRandom(7L), false);
    for (int n = 0; n < 500; n++) {
      List<Point> points = java.util.stream.IntStream.range(0, 1 + n % 20).mapToObj(i -> random.point()).toList();
      String lineBreak = n % 2 == 0 ? "\n" : "\r\n";
      StringBuilder batch = new StringBuilder();
      points.forEach(p -> batch.append(LineProtocolWriter.format(p)).append(lineBreak));

      ParseResult result =
          LineProtocolParser.parse(batch.toString().getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW);

      assertThat(result.errors()).as(batch.toString()).isEmpty();
      for (int i = 0; i < points.size(); i++) {
        assertThat(result.points().get(i)).as(LineProtocolWriter.format(points.get(i))).isEqualTo(points.get(i));
      }
      assertThat(result.points()).hasSameSizeAs(points);
    }
  }
}
