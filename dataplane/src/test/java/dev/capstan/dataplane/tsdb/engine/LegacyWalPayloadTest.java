package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Holder of the points the kept version-1 WAL payload was written from (filled in below). */
class LegacyWalPayloadTest {
  static List<SeriesPoint> expectedPoints() {
    List<SeriesPoint> series = List.of(
        SeriesPoint.of(new Point("cpu", List.of(new Tag("host", "a"), new Tag("region", "eu west")), Map.of("_", FieldValue.of(0L)), 0)),
        SeriesPoint.of(new Point("disk io", List.of(new Tag("k,=", "v,= é")), Map.of("_", FieldValue.of(0L)), 0)),
        SeriesPoint.of(new Point("bare", List.of(), Map.of("_", FieldValue.of(0L)), 0)));
    List<SeriesPoint> points = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      SeriesPoint of = series.get(i % 3 == 2 ? 2 : i % 2);
      Map<String, FieldValue> fields = new LinkedHashMap<>();
      fields.put("value", FieldValue.of(i * 1.5 - 3));
      if (i % 2 == 0) {
        fields.put("count", FieldValue.of((long) i * -7));
      }
      if (i % 3 == 0) {
        fields.put("note", FieldValue.of("é \"x\" " + i));
        fields.put("ok", FieldValue.of(i % 2 == 0));
      }
      Point p = new Point(of.point().measurement(), of.point().tags(), fields, 1_700_000_000_000_000_000L + i * 1_000_000_000L);
      points.add(new SeriesPoint(of.key(), of.keyText(), p));
    }
    return points;
  }
}
