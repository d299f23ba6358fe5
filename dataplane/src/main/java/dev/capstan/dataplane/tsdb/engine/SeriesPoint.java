package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.util.TreeMap;

/** A point with its series key, computed once per write rather than by every layer. */
record SeriesPoint(SeriesKey key, String keyText, Point point) {

  static SeriesPoint of(Point point) {
    TreeMap<String, String> tags = new TreeMap<>();
    for (Tag tag : point.tags()) {
      tags.put(tag.key(), tag.value());
    }
    SeriesKey key = new SeriesKey(point.measurement(), tags);
    return new SeriesPoint(key, key.text(), point);
  }
}
