package dev.capstan.dataplane.tsdb.engine;

import static dev.capstan.dataplane.tsdb.engine.Data.fields;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A series remembers its buffer in the memtable it was last written to; that shortcut must never
 * put a point in another memtable or in a field buffer the memtable no longer holds.
 */
class MemtableTest {
  private static final List<Tag> HOST_A = List.of(new Tag("host", "a"));

  private static Point point(Map<String, FieldValue> fields, long time) {
    return new Point("cpu", HOST_A, fields, time);
  }

  private static Map<Long, Object> read(Memtable memtable, Series series, String field) {
    FieldData data = memtable.read(series.keyText(), field, Long.MIN_VALUE, Long.MAX_VALUE);
    return data == null ? Map.of() : Data.toMap(data.toBlock());
  }

  @Test
  void oneSeriesWrittenToTwoMemtablesInTurnLandsInEachAsWritten() {
    Series series = Series.of(point(fields("v", FieldValue.of(0.0)), 0));
    Memtable a = new Memtable();
    Memtable b = new Memtable();
    a.add(new SeriesPoint(series, point(fields("v", FieldValue.of(1.0)), 1)));
    b.add(new SeriesPoint(series, point(fields("v", FieldValue.of(2.0)), 2)));
    a.add(new SeriesPoint(series, point(fields("v", FieldValue.of(3.0)), 3)));

    assertThat(read(a, series, "v")).isEqualTo(Map.of(1L, 1.0, 3L, 3.0));
    assertThat(read(b, series, "v")).isEqualTo(Map.of(2L, 2.0));
  }

  @Test
  void twoInstancesOfOneSeriesShareItsBuffer() {
    Series first = Series.of(point(fields("v", FieldValue.of(0.0)), 0));
    Series second = Series.of(point(fields("v", FieldValue.of(0.0)), 0)); // e.g. decoded from the WAL
    Memtable memtable = new Memtable();
    memtable.add(new SeriesPoint(first, point(fields("v", FieldValue.of(1.0)), 1)));
    memtable.add(new SeriesPoint(second, point(fields("v", FieldValue.of(2.0)), 2)));
    memtable.add(new SeriesPoint(first, point(fields("v", FieldValue.of(3.0)), 3)));

    assertThat(read(memtable, first, "v")).isEqualTo(Map.of(1L, 1.0, 2L, 2.0, 3L, 3.0));
  }

  @Test
  void aFieldWhoseTypeChangedAtAnotherPositionIsNotWrittenToItsOldBuffer() {
    Series series = Series.of(point(fields("value", FieldValue.of(0.0)), 0));
    Memtable memtable = new Memtable();
    memtable.add(new SeriesPoint(series, point(fields("value", FieldValue.of(1.0)), 1)));
    // "value" becomes an integer at position 1 (after a dropped measurement): it replaces the floats.
    memtable.add(new SeriesPoint(series, point(fields("x", FieldValue.of(1L), "value", FieldValue.of(2L)), 2)));
    // A float at position 0 again replaces the integers; it must not go to the first float buffer.
    memtable.add(new SeriesPoint(series, point(fields("value", FieldValue.of(3.0)), 3)));

    assertThat(read(memtable, series, "value")).isEqualTo(Map.of(3L, 3.0));
    assertThat(read(memtable, series, "x")).isEqualTo(Map.of(2L, 1L));
  }

  @Test
  void fieldsInAnotherOrderFindTheirOwnBuffers() {
    Series series = Series.of(point(fields("a", FieldValue.of(0.0)), 0));
    Memtable memtable = new Memtable();
    memtable.add(new SeriesPoint(series, point(fields("a", FieldValue.of(1.0), "b", FieldValue.of(10L)), 1)));
    memtable.add(new SeriesPoint(series, point(fields("b", FieldValue.of(20L), "a", FieldValue.of(2.0)), 2)));

    assertThat(read(memtable, series, "a")).isEqualTo(Map.of(1L, 1.0, 2L, 2.0));
    assertThat(read(memtable, series, "b")).isEqualTo(Map.of(1L, 10L, 2L, 20L));
    assertThat(memtable.values()).isEqualTo(4);
  }

  @Test
  void aDetachedMemtableIsNoLongerReferencedByItsSeries() {
    Series series = Series.of(point(fields("v", FieldValue.of(0.0)), 0));
    Memtable memtable = new Memtable();
    memtable.add(new SeriesPoint(series, point(fields("v", FieldValue.of(1.0)), 1)));
    assertThat(series.memtableBuffer()).isNotNull();

    memtable.detachSeries();

    assertThat(series.memtableBuffer()).isNull();
    assertThat(read(memtable, series, "v")).as("its data stays readable until flushed").isEqualTo(Map.of(1L, 1.0));
  }
}
