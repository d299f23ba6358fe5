package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A WAL record decodes to the points it was encoded from: series, field order, types, times. */
class WalPayloadTest {

  @Test
  void seededBatchesOfInterleavedSeriesAndMixedFieldsRoundTrip() throws Exception {
    SplittableRandom random = new SplittableRandom(4);
    for (int round = 0; round < 50; round++) {
      int seriesCount = 1 + random.nextInt(300);
      List<SeriesPoint> series = new ArrayList<>();
      for (int s = 0; s < seriesCount; s++) {
        List<Tag> tags = random.nextBoolean() ? List.of() : List.of(new Tag("host", "h" + s), new Tag("rack", "r,=" + s % 7));
        series.add(SeriesPoint.of(new Point(random.nextBoolean() ? "cpu" : "disk io", tags, Map.of("_", FieldValue.of(0L)), 0)));
      }
      List<SeriesPoint> points = new ArrayList<>();
      for (int i = 0, n = random.nextInt(2000) + 1; i < n; i++) {
        // Runs of one series (the usual batch) and jumps between series (many series per batch).
        SeriesPoint of = series.get(random.nextInt(10) < 7 && !points.isEmpty() ? seriesIndexOf(series, points) : random.nextInt(seriesCount));
        Map<String, FieldValue> fields = new LinkedHashMap<>();
        fields.put("value", FieldValue.of(random.nextDouble()));
        if (random.nextInt(3) == 0) {
          fields.put("q", FieldValue.of((long) random.nextInt(256)));
        }
        if (random.nextInt(5) == 0) {
          fields.put("note", FieldValue.of("é \"x\" " + i));
          fields.put("ok", FieldValue.of(random.nextBoolean()));
        }
        Point p = new Point(of.point().measurement(), of.point().tags(), fields, random.nextLong(-1L << 62, 1L << 62));
        points.add(of.with(p));
      }
      List<SeriesPoint> decoded = WalPayload.decode(WalPayload.encode(points));
      assertThat(decoded).hasSameSizeAs(points);
      for (int i = 0; i < points.size(); i++) {
        assertThat(decoded.get(i).keyText()).isEqualTo(points.get(i).keyText());
        assertThat(decoded.get(i).key()).isEqualTo(points.get(i).key());
        assertThat(decoded.get(i).point()).isEqualTo(points.get(i).point());
        assertThat(List.copyOf(decoded.get(i).point().fields().keySet()))
            .as("field order").containsExactlyElementsOf(points.get(i).point().fields().keySet());
      }
    }
  }

  @Test
  void twoInstancesOfOneSeriesInARecordDecodeToTheSameSeries() throws Exception {
    // Concurrent batches can each create a series new to the index; the encoder numbers series by
    // instance, so one record may list the series twice.
    Point a = new Point("cpu", List.of(new Tag("host", "a")), Map.of("value", FieldValue.of(1.0)), 10);
    Point b = new Point("cpu", List.of(new Tag("host", "a")), Map.of("value", FieldValue.of(2.0)), 20);
    List<SeriesPoint> points = List.of(SeriesPoint.of(a), SeriesPoint.of(b), SeriesPoint.of(a));
    assertThat(points.get(0).series()).isNotSameAs(points.get(1).series());
    List<SeriesPoint> decoded = WalPayload.decode(WalPayload.encode(points));
    assertThat(decoded).extracting(SeriesPoint::keyText).containsOnly("cpu,host=a");
    assertThat(decoded).extracting(SeriesPoint::point).containsExactly(a, b, a);
  }

  private static int seriesIndexOf(List<SeriesPoint> series, List<SeriesPoint> points) {
    String last = points.get(points.size() - 1).keyText();
    for (int s = 0; s < series.size(); s++) {
      if (series.get(s).keyText().equals(last)) {
        return s;
      }
    }
    throw new AssertionError(last);
  }
}
