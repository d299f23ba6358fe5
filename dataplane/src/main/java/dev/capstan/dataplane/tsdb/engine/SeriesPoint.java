package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.store.SeriesKey;

/** A point with its series, which is built once per series rather than by every layer. */
record SeriesPoint(Series series, Point point) {

  static SeriesPoint of(Point point) {
    return new SeriesPoint(Series.of(point), point);
  }

  SeriesKey key() {
    return series.key();
  }

  String keyText() {
    return series.keyText();
  }

  /** This point's series with another point of it. */
  SeriesPoint with(Point other) {
    return new SeriesPoint(series, other);
  }
}
