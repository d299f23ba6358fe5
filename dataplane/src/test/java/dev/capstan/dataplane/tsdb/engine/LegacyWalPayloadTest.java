package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.wal.WalOptions;
import dev.capstan.dataplane.tsdb.wal.WriteAheadLog;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WAL records written before this version still replay: {@code wal-payload-v1.bin} is the payload
 * the encoder of 2026-11-28 wrote for {@link #expectedPoints()} (series with escaping-relevant
 * characters and none, all four field types, a UTF-8 string), kept as it was written.
 */
class LegacyWalPayloadTest {
  private static final long END = 2_000_000_000_000_000_000L;

  @TempDir Path dir;

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
      points.add(of.with(p));
    }
    return points;
  }

  private static byte[] legacyPayload() throws Exception {
    try (InputStream in = LegacyWalPayloadTest.class.getResourceAsStream("wal-payload-v1.bin")) {
      return in.readAllBytes();
    }
  }

  @Test
  void aVersionOnePayloadDecodesToThePointsItWasWrittenFrom() throws Exception {
    List<SeriesPoint> decoded = WalPayload.decode(legacyPayload());
    List<SeriesPoint> expected = expectedPoints();
    assertThat(decoded).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(decoded.get(i).keyText()).isEqualTo(expected.get(i).keyText());
      assertThat(decoded.get(i).key()).isEqualTo(expected.get(i).key());
      assertThat(decoded.get(i).point()).isEqualTo(expected.get(i).point());
      assertThat(List.copyOf(decoded.get(i).point().fields().keySet()))
          .as("field order").containsExactlyElementsOf(expected.get(i).point().fields().keySet());
    }
  }

  @Test
  void theEncoderStillWritesVersionOneByteForByte() throws Exception {
    // The series-table entries now come from a cache built once per series (Series#walEntry); the
    // bytes must be exactly what the encoder that built them on every record wrote.
    assertThat(WalPayload.encode(expectedPoints())).isEqualTo(legacyPayload());
    assertThat(WalPayload.encode(WalPayload.decode(legacyPayload()))).as("re-encoding decoded series").isEqualTo(legacyPayload());
  }

  @Test
  void aShardReplaysAWalSegmentHoldingTheVersionOneRecord() throws Exception {
    Path shardDir = dir.resolve("0_" + END);
    EngineOptions options = EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO);
    try (WriteAheadLog wal = WriteAheadLog.open(shardDir.resolve(Shard.WAL_DIR), new WalOptions(options.walSegmentBytes(), options.fsync()))) {
      wal.append(List.of(legacyPayload()));
    }
    try (Shard shard = Shard.open(shardDir, 0, END, options)) {
      FieldData value = shard.read("cpu,host=a,region=eu\\ west", "value", Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(value.times()).containsExactly(t(0), t(4), t(6));
      assertThat(((Column.FloatColumn) value.values()).values()).containsExactly(-3.0, 3.0, 6.0);
      FieldData note = shard.read("disk\\ io,k\\,\\==v\\,\\=\\ é", "note", Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(note.times()).containsExactly(t(3));
      assertThat(((Column.StringColumn) note.values()).values()).containsExactly("é \"x\" 3");
      FieldData ok = shard.read("cpu,host=a,region=eu\\ west", "ok", Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(ok.times()).containsExactly(t(0), t(6));
      assertThat(((Column.BooleanColumn) ok.values()).values()).containsExactly(true, true);
      FieldData count = shard.read("bare", "count", Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(count.times()).containsExactly(t(2), t(8));
      assertThat(Arrays.stream(((Column.IntegerColumn) count.values()).values()).boxed().toList()).containsExactly(-14L, -56L);
    }
  }

  private static long t(int i) {
    return 1_700_000_000_000_000_000L + i * 1_000_000_000L;
  }
}
