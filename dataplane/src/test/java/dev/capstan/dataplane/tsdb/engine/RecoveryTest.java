package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.testing.ManualClock;
import static dev.capstan.dataplane.tsdb.engine.Data.SECOND;
import static dev.capstan.dataplane.tsdb.engine.Data.T0;
import static dev.capstan.dataplane.tsdb.engine.Data.cpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening finds what the last run left: a WAL to replay, a torn WAL tail, damaged or leftover files. */
class RecoveryTest {
  private static final String DB = "db";
  private static final EngineOptions OPTIONS = EngineOptions.defaults().withRetentionCheckInterval(Duration.ZERO);

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.ofEpochSecond(0, T0));

  private TsdbEngine open(EngineOptions options) throws IOException {
    return TsdbEngine.open(dir, options, clock);
  }

  private static List<Point> batch(int b) {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      points.add(cpu("a", b * 10 + i, T0 + (b * 5L + i) * SECOND));
    }
    return points;
  }

  private TreeMap<Long, Object> values(TsdbEngine engine) {
    var all = Data.readAll(engine, DB, null, "cpu", List.of("value"));
    return all.isEmpty() ? new TreeMap<>() : all.get("cpu,host=a").get("value");
  }

  @Test
  void unflushedWritesAreReplayedFromTheWalAndATornTailIsCutOff() throws Exception {
    try (TsdbEngine engine = open(OPTIONS)) {
      engine.createDatabase(DB);
      for (int b = 0; b < 3; b++) {
        engine.write(DB, null, batch(b));
      }
    }
    Path segment = only(walSegments());
    long intact = Files.size(segment);
    // A write that was in progress when the process died: half a record.
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7}));
    }
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThat(values(engine)).hasSize(15);
      assertThat(Files.size(segment)).as("torn tail truncated").isEqualTo(intact);
      engine.write(DB, null, batch(3));
    }
    // Cut into the last record: that batch was never acknowledged, the others are intact.
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(segment) - 3);
    }
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThat(values(engine)).hasSize(15).containsEntry(T0 + 14 * SECOND, 24.0).doesNotContainKey(T0 + 15 * SECOND);
    }
  }

  @Test
  void flushedDataIsNotReplayedTwiceAndSurvivesRestart() throws Exception {
    try (TsdbEngine engine = open(OPTIONS.withFlushValues(7))) {
      engine.createDatabase(DB);
      for (int b = 0; b < 6; b++) {
        engine.write(DB, null, batch(b));
      }
      // An overwrite after the flush must win after replay, too.
      engine.write(DB, null, List.of(cpu("a", -1, T0)));
    }
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThat(values(engine)).hasSize(30).containsEntry(T0, -1.0).containsEntry(T0 + 29 * SECOND, 54.0);
    }
  }

  @Test
  void aShardNobodyWritesToForTenMinutesIsFlushedSoItsMemoryAndWalCanGo() throws Exception {
    try (TsdbEngine engine = open(OPTIONS)) {
      engine.createDatabase(DB);
      engine.write(DB, null, batch(0));
      clock.advance(TsdbEngine.COLD_AFTER.minusSeconds(1));
      assertThat(engine.flushColdShards()).isZero();
      clock.advance(Duration.ofSeconds(2));
      assertThat(engine.flushColdShards()).isEqualTo(1);
      assertThat(engine.fileCounts(DB, "autogen").values()).containsExactly(1);
      assertThat(engine.flushColdShards()).as("nothing left to flush").isZero();
      assertThat(values(engine)).hasSize(5);
    }
  }

  @Test
  void aDamagedFileFooterStopsOpenWithItsName() throws Exception {
    Path file = writeOneFile();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(file) - 5);
    }
    assertThatThrownBy(() -> open(OPTIONS)).isInstanceOf(CorruptShardFileException.class)
        .hasMessageContaining("corrupt shard file " + file).hasMessageContaining("footer");
  }

  @Test
  void aFlippedBitInABlockFailsTheReadClearlyInsteadOfReturningWrongData() throws Exception {
    Path file = writeOneFile();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, 12);
      b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
      ch.write(b, 12);
    }
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThatThrownBy(() -> values(engine)).isInstanceOf(StoreException.class)
          .hasMessageContaining("corrupt shard file " + file).hasMessageContaining("checksum mismatch");
    }
  }

  @Test
  void filesACompactionReplacedAreRemovedIfACrashLeftThem() throws Exception {
    Path shardDir;
    List<Path> inputs;
    Path aside = Files.createDirectories(dir.getParent().resolve(dir.getFileName() + "-aside"));
    try (TsdbEngine engine = open(OPTIONS.withFlushValues(5).withCompactionFiles(10))) {
      engine.createDatabase(DB);
      for (int b = 0; b < 3; b++) {
        engine.write(DB, null, batch(b));
      }
      Path written = only(groupDirs());
      // Full memtables are flushed in the background; the last one may still be on its way.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tsf(written)).hasSize(3));
      shardDir = written;
      inputs = tsf(shardDir);
      for (Path p : inputs) {
        Files.copy(p, aside.resolve(p.getFileName()));
      }
      engine.flushAndCompact();
      assertThat(tsf(shardDir)).hasSize(1);
    }
    // As if the process died after renaming the compacted file but before deleting its inputs.
    for (Path p : inputs) {
      Files.copy(aside.resolve(p.getFileName()), p);
    }
    Files.writeString(shardDir.resolve("0000000000000009.tsf.tmp"), "half a flush");
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThat(values(engine)).hasSize(15);
      assertThat(tsf(shardDir)).hasSize(1);
      assertThat(shardDir.resolve("0000000000000009.tsf.tmp")).doesNotExist();
    }
  }

  @Test
  void aShardGroupWhoseDeletionWasInterruptedIsFinishedOffNotServed() throws Exception {
    Path file = writeOneFile();
    Path group = file.getParent();
    // As if retention crashed after the atomic rename that starts a deletion.
    Path doomed = group.resolveSibling(Fs.DELETING_PREFIX + group.getFileName());
    Files.move(group, doomed);
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThat(values(engine)).isEmpty();
      assertThat(doomed).doesNotExist();
    }
  }

  @Test
  void aSecondEngineCannotOpenTheSameDirectory() throws Exception {
    try (TsdbEngine engine = open(OPTIONS)) {
      assertThatThrownBy(() -> open(OPTIONS)).isInstanceOf(IOException.class).hasMessageContaining("in use");
    }
  }

  private Path writeOneFile() throws IOException {
    try (TsdbEngine engine = open(OPTIONS)) {
      engine.createDatabase(DB);
      engine.write(DB, null, batch(0));
      engine.flushAndCompact();
      assertThat(values(engine)).isEqualTo(new TreeMap<>(Map.of(T0, 0.0, T0 + SECOND, 1.0, T0 + 2 * SECOND, 2.0,
          T0 + 3 * SECOND, 3.0, T0 + 4 * SECOND, 4.0)));
    }
    return only(tsf(only(groupDirs())));
  }

  private List<Path> groupDirs() throws IOException {
    return list(dir.resolve("data").resolve(DB).resolve("autogen"));
  }

  private List<Path> walSegments() throws IOException {
    return list(only(groupDirs()).resolve("wal")).stream().filter(p -> p.toString().endsWith(".wal")).toList();
  }

  private static List<Path> tsf(Path shardDir) throws IOException {
    return list(shardDir).stream().filter(p -> p.toString().endsWith(".tsf")).toList();
  }

  private static List<Path> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  private static Path only(List<Path> paths) {
    assertThat(paths).hasSize(1);
    return paths.get(0);
  }
}
