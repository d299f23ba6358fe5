package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.wal.WalOptions;
import dev.capstan.dataplane.tsdb.wal.WriteAheadLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WAL records of version 2 number series per segment: a series is defined once per segment and
 * later records name it by number. Every segment must replay on its own, after a torn tail, after
 * older segments were deleted, and after version-1 records in the same segment.
 */
class WalSegmentSeriesTest {
  private static final long END = 2_000_000_000_000_000_000L;
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;

  /** Series "h0".."h{n-1}" of measurement m, one tag list each, as the parser's key cache would share them. */
  private static List<SeriesPoint> series(int n) {
    List<SeriesPoint> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      out.add(SeriesPoint.of(new Point("m", List.of(new Tag("host", "h" + s)), Map.of("_", FieldValue.of(0L)), 0)));
    }
    return out;
  }

  /** A batch of {@code size} points, each of a random one of {@code series}, at times from {@code t}. */
  private static List<SeriesPoint> batch(List<SeriesPoint> series, SplittableRandom random, int size, long t) {
    List<SeriesPoint> points = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      SeriesPoint of = series.get(random.nextInt(series.size()));
      points.add(of.with(new Point("m", of.point().tags(), Map.of("v", FieldValue.of((double) (t + i))), t + i)));
    }
    return points;
  }

  /** series key text → time → value, of what was written. */
  private static void record(TreeMap<String, TreeMap<Long, Double>> written, List<SeriesPoint> points) {
    for (SeriesPoint p : points) {
      written.computeIfAbsent(p.keyText(), k -> new TreeMap<>())
          .put(p.point().timestampNanos(), ((FieldValue.FloatField) p.point().fields().get("v")).value());
    }
  }

  private static TreeMap<String, TreeMap<Long, Double>> readAll(Shard shard, java.util.Collection<String> keys) {
    TreeMap<String, TreeMap<Long, Double>> out = new TreeMap<>();
    for (String key : keys) {
      FieldData data = shard.read(key, "v", Long.MIN_VALUE, Long.MAX_VALUE);
      if (data != null) {
        double[] values = ((Column.FloatColumn) data.values()).values();
        TreeMap<Long, Double> byTime = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
          byTime.put(data.times()[i], values[i]);
        }
        out.put(key, byTime);
      }
    }
    return out;
  }

  private Path shardDir() {
    return dir.resolve("0_" + END);
  }

  private static EngineOptions options() {
    // Small segments so a test spans several; no flush unless asked.
    return EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO).withWalSegmentBytes(16 * 1024)
        .withFlushValues(Long.MAX_VALUE / 2);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(shardDir().resolve(Shard.WAL_DIR))) {
      return files.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
    }
  }

  @Test
  void aSeriesIsDefinedOncePerSegmentAndLaterRecordsNameItByNumber() throws Exception {
    List<SeriesPoint> series = series(50);
    SplittableRandom random = new SplittableRandom(1);
    SegmentSeries segment = new SegmentSeries(1, 0);
    List<SeriesPoint> definitions = new ArrayList<>();
    List<SeriesPoint> first = batch(series, random, 400, T0);
    List<SeriesPoint> second = batch(series, random, 400, T0 + 1000);

    byte[] one = WalPayload.finish(WalPayload.prepare(first), first, segment);
    byte[] two = WalPayload.finish(WalPayload.prepare(second), second, segment);

    assertThat(segment.size()).isEqualTo(50);
    assertThat(two.length).as("no series table: only points and the field name")
        .isEqualTo(1 + 4 + 4 + 4 + 1 + 4 + 400 * (4 + 2 + 4 + 1 + 8 + 8));
    assertThat(two.length).isLessThan(WalPayload.encode(second).length);
    for (var pair : List.of(Map.entry(one, first), Map.entry(two, second))) {
      List<SeriesPoint> decoded = WalPayload.decode(pair.getKey(), definitions, true);
      assertThat(decoded).hasSameSizeAs(pair.getValue());
      for (int i = 0; i < decoded.size(); i++) {
        assertThat(decoded.get(i).keyText()).isEqualTo(pair.getValue().get(i).keyText());
        assertThat(decoded.get(i).point()).isEqualTo(pair.getValue().get(i).point());
      }
    }
    assertThatThrownBy(() -> WalPayload.decode(two)).as("a record naming series of earlier records does not decode alone")
        .isInstanceOf(IOException.class).hasMessageContaining("names series");
  }

  @Test
  void forgettingDefinitionsOfAnUnwrittenRecordDefinesThemAgainNextTime() {
    List<SeriesPoint> series = series(3);
    SegmentSeries segment = new SegmentSeries(7, 5);
    assertThat(segment.define(series.get(0).series())).isEqualTo(5);
    segment.define(series.get(1).series());
    segment.define(series.get(2).series());

    segment.truncate(6);

    assertThat(segment.size()).isEqualTo(6);
    assertThat(segment.numberOf(series.get(0).series())).isEqualTo(5);
    assertThat(segment.numberOf(series.get(1).series())).isEqualTo(-1);
    assertThat(segment.define(series.get(2).series())).isEqualTo(6);
    assertThatThrownBy(() -> segment.truncate(4)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A series remembers its number in the segment that last numbered it; segments of several
   * shards numbering the same series instances in turn, and truncating, must still each answer
   * their own numbers. Seeded random operations against a model of each segment's table.
   */
  @Test
  void segmentsNumberingTheSameSeriesInTurnEachKeepTheirOwnNumbers() {
    List<SeriesPoint> series = series(40);
    SplittableRandom random = new SplittableRandom(5);
    List<SegmentSeries> segments = List.of(new SegmentSeries(1, 0), new SegmentSeries(2, 3), new SegmentSeries(1, 0));
    List<List<Series>> models = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    int[] before = {0, 3, 0};
    int checked = 0;
    for (int op = 0; op < 20_000; op++) {
      int which = random.nextInt(segments.size());
      SegmentSeries segment = segments.get(which);
      List<Series> model = models.get(which);
      if (random.nextInt(200) == 0) {
        int keep = random.nextInt(model.size() + 1);
        segment.truncate(before[which] + keep);
        model.subList(keep, model.size()).clear();
        continue;
      }
      Series s = series.get(random.nextInt(series.size())).series();
      int expected = model.indexOf(s);
      int number = segment.numberOf(s);
      assertThat(number).as("op %d, segment %d", op, which).isEqualTo(expected < 0 ? -1 : before[which] + expected);
      if (number < 0) {
        assertThat(segment.define(s)).isEqualTo(before[which] + model.size());
        model.add(s);
      } else {
        checked++;
      }
      assertThat(segment.size()).isEqualTo(before[which] + model.size());
    }
    assertThat(checked).as("most lookups find a number").isGreaterThan(15_000);
  }

  @Test
  void recordsOverSeveralSegmentsReplayAndEachSegmentReplaysAloneOnceOlderOnesAreDeleted() throws Exception {
    List<SeriesPoint> series = series(120);
    SplittableRandom random = new SplittableRandom(2);
    TreeMap<String, TreeMap<Long, Double>> written = new TreeMap<>();
    long t = T0;
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      for (int b = 0; b < 40; b++, t += 1000) {
        List<SeriesPoint> points = batch(series, random, 60, t);
        shard.write(points, 0);
        record(written, points);
      }
    }
    assertThat(segments()).as("the test spans segments").hasSizeGreaterThan(3);
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      assertThat(readAll(shard, written.keySet())).isEqualTo(written);
      shard.flush(); // its file holds everything; the WAL's older segments are deleted
      for (int b = 0; b < 40; b++, t += 1000) {
        List<SeriesPoint> points = batch(series, random, 60, t);
        shard.write(points, 0);
        record(written, points);
        if (b == 10) {
          shard.flush(); // in the middle of a segment: its later records still name its earlier definitions
        }
      }
    }
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      assertThat(readAll(shard, written.keySet())).isEqualTo(written);
    }
  }

  @Test
  void afterATornTailTheNextRecordsDefineAgainWhatTheLostRecordDefined() throws Exception {
    List<SeriesPoint> series = series(30);
    SplittableRandom random = new SplittableRandom(3);
    TreeMap<String, TreeMap<Long, Double>> written = new TreeMap<>();
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      List<SeriesPoint> early = batch(series.subList(0, 10), random, 20, T0);
      shard.write(early, 0);
      record(written, early);
      // The last record defines series 10..29, and is torn below.
      shard.write(batch(series.subList(10, 30), random, 40, T0 + 1000), 0);
    }
    Path last = segments().get(segments().size() - 1);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(last) - 7);
    }
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      assertThat(readAll(shard, keys(series))).as("the torn record is gone, the rest is there").isEqualTo(written);
      List<SeriesPoint> after = batch(series, random, 200, T0 + 2000);
      shard.write(after, 0);
      record(written, after);
    }
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      assertThat(readAll(shard, keys(series))).isEqualTo(written);
    }
  }

  @Test
  void aSegmentHoldingAVersionOneRecordGoesOnWithVersionTwoRecords() throws Exception {
    byte[] legacy;
    try (InputStream in = LegacyWalPayloadTest.class.getResourceAsStream("wal-payload-v1.bin")) {
      legacy = in.readAllBytes();
    }
    try (WriteAheadLog wal = WriteAheadLog.open(shardDir().resolve(Shard.WAL_DIR),
        new WalOptions(options().walSegmentBytes(), options().fsync()))) {
      wal.append(List.of(legacy));
    }
    List<SeriesPoint> legacyPoints = LegacyWalPayloadTest.expectedPoints();
    SeriesPoint cpu = legacyPoints.get(0);
    long later = T0 + 1_000_000_000_000L;
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      shard.write(List.of(cpu.with(new Point(cpu.point().measurement(), cpu.point().tags(),
          Map.of("value", FieldValue.of(42.0)), later))), 0);
    }
    assertThat(segments()).hasSize(1);
    try (Shard shard = Shard.open(shardDir(), 0, END, options())) {
      FieldData value = shard.read(cpu.keyText(), "value", Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(value.times()).containsExactly(T0, T0 + 4_000_000_000L, T0 + 6_000_000_000L, later);
      assertThat(((Column.FloatColumn) value.values()).values()).containsExactly(-3.0, 3.0, 6.0, 42.0);
    }
  }

  private static List<String> keys(List<SeriesPoint> series) {
    return series.stream().map(SeriesPoint::keyText).toList();
  }
}
