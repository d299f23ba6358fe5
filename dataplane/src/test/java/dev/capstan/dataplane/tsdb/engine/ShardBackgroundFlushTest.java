package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.store.ReadRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flushes and compactions off the writing thread: while a full memtable is being written to its
 * file, readers see each acknowledged point once with its newest value, and a crash in the middle
 * recovers the points from the WAL.
 */
class ShardBackgroundFlushTest {
  private static final String SERIES = "cpu,host=a";
  private static final long END = 1_000_000_000_000L;

  @TempDir Path dir;

  /** Runs handed-over flushes only when the test says so. */
  private static final class ManualExecutor implements java.util.concurrent.Executor {
    final Queue<Runnable> queued = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      queued.add(task);
    }

    void runAll() {
      while (!queued.isEmpty()) {
        queued.poll().run();
      }
    }
  }

  private static EngineOptions flushEvery(long values) {
    return EngineOptions.defaults().withFlushValues(values).withCompactionFiles(2).withRetentionCheckInterval(Duration.ZERO);
  }

  private static List<SeriesPoint> points(long fromSecond, int count, double value) {
    List<SeriesPoint> points = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      points.add(SeriesPoint.of(Data.cpu("a", value, (fromSecond + i) * Data.SECOND)));
    }
    return points;
  }

  private static TreeMap<Long, Object> expected(TreeMap<Long, Object> model, long fromSecond, int count, double value) {
    for (int i = 0; i < count; i++) {
      model.put((fromSecond + i) * Data.SECOND, value);
    }
    return model;
  }

  private static TreeMap<Long, Object> readAll(Shard shard) {
    FieldData data = shard.read(SERIES, "value", Long.MIN_VALUE, Long.MAX_VALUE);
    return data == null ? new TreeMap<>() : Data.toMap(data.toBlock());
  }

  /** The newest or oldest {@code points} of the model, as a read with that limit must return them. */
  private static TreeMap<Long, Object> ends(TreeMap<Long, Object> model, ReadRequest.Limit limit) {
    TreeMap<Long, Object> kept = new TreeMap<>();
    var entries = limit.newest() ? model.descendingMap().entrySet() : model.entrySet();
    entries.stream().limit(limit.points()).forEach(e -> kept.put(e.getKey(), e.getValue()));
    return kept;
  }

  private static TreeMap<Long, Object> readLimited(Shard shard, ReadRequest.Limit limit) {
    FieldData data = shard.read(SERIES, "value", Long.MIN_VALUE, Long.MAX_VALUE, limit);
    return data == null ? new TreeMap<>() : Data.toMap(data.toBlock());
  }

  @Test
  void aHandedOverMemtableIsPartOfLimitedReads() throws Exception {
    ManualExecutor flusher = new ManualExecutor();
    TreeMap<Long, Object> model = new TreeMap<>();
    try (Shard shard = Shard.open(dir.resolve("0_" + END), 0, END, flushEvery(10), flusher)) {
      shard.write(points(0, 10, 1.0), 0); // handed over, its flush queued, not run
      shard.write(points(9, 2, 2.0), 0); // the memtable: one time shared with the flushing one
      expected(expected(model, 0, 10, 1.0), 9, 2, 2.0);
      for (ReadRequest.Limit limit : new ReadRequest.Limit[] {
          new ReadRequest.Limit(1, true), new ReadRequest.Limit(3, true), ReadRequest.Limit.oldest(1),
          ReadRequest.Limit.oldest(4), new ReadRequest.Limit(20, true)}) {
        assertThat(readLimited(shard, limit)).as("%s", limit).isEqualTo(ends(model, limit));
      }
    }
  }

  @Test
  void aHandedOverMemtableStaysReadableAndNewerWritesWinOverIt() throws Exception {
    ManualExecutor flusher = new ManualExecutor();
    TreeMap<Long, Object> model = new TreeMap<>();
    try (Shard shard = Shard.open(dir.resolve("0_" + END), 0, END, flushEvery(10), flusher)) {
      shard.write(points(0, 10, 1.0), 0); // full: handed over, its flush queued, not run
      expected(model, 0, 10, 1.0);
      assertThat(flusher.queued).hasSize(1);
      assertThat(shard.fileCount()).isZero();
      assertThat(readAll(shard)).isEqualTo(model);

      shard.write(points(5, 4, 2.0), 0); // overwrites times held by the flushing memtable
      expected(model, 5, 4, 2.0);
      assertThat(readAll(shard)).isEqualTo(model);

      flusher.runAll(); // the file replaces the flushing memtable
      assertThat(shard.fileCount()).isEqualTo(1);
      assertThat(readAll(shard)).isEqualTo(model);

      shard.write(points(8, 1, 3.0), 0); // the memtable still wins over the new file
      expected(model, 8, 1, 3.0);
      assertThat(readAll(shard)).isEqualTo(model);
      assertThat(readAll(shard)).hasSize(10);
    }
  }

  @Test
  void aCrashWhileTheFileIsWrittenRecoversEveryPointFromTheWal() throws Exception {
    ManualExecutor neverRuns = new ManualExecutor();
    Path shardDir = dir.resolve("0_" + END);
    TreeMap<Long, Object> model = new TreeMap<>();
    try (Shard shard = Shard.open(shardDir, 0, END, flushEvery(10), neverRuns)) {
      shard.write(points(0, 12, 1.0), 0); // handed over; its file is never finished
      shard.write(points(12, 3, 2.0), 0);
      expected(model, 0, 12, 1.0);
      expected(model, 12, 3, 2.0);
      assertThat(neverRuns.queued).hasSize(1);
      // What the flush leaves when the process dies part-way through writing the file.
      Files.write(shardDir.resolve(ShardFile.fileName(1) + ".tmp"), new byte[] {1, 2, 3});
    } // close, like a crash, flushes nothing: the memtables are lost, the WAL holds them

    try (Shard reopened = Shard.open(shardDir, 0, END, flushEvery(10), Runnable::run)) {
      assertThat(readAll(reopened)).isEqualTo(model);
      assertThat(reopened.fileCount()).isZero();
      try (Stream<Path> entries = Files.list(shardDir)) {
        assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
      }
      reopened.flush();
      assertThat(reopened.fileCount()).isEqualTo(1);
      assertThat(readAll(reopened)).isEqualTo(model);
    }
    try (Shard again = Shard.open(shardDir, 0, END, flushEvery(10), Runnable::run)) {
      assertThat(readAll(again)).isEqualTo(model); // once in the file, not again from the WAL
    }
  }

  @Test
  void concurrentReadersSeeEveryAcknowledgedPointThroughFlushesAndCompactions() throws Exception {
    ExecutorService flusher = Executors.newSingleThreadExecutor();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    int batches = 300;
    int perBatch = 10;
    AtomicLong acknowledged = new AtomicLong();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (Shard shard = Shard.open(dir.resolve("0_" + END), 0, END, flushEvery(40), flusher)) {
      Future<Integer> reads = reader.submit(() -> {
        int checks = 0;
        while (writing.get()) {
          long atLeast = acknowledged.get();
          TreeMap<Long, Object> seen = readAll(shard); // also checks that times strictly ascend
          assertThat((long) seen.size()).as("points read after %d were acknowledged", atLeast).isGreaterThanOrEqualTo(atLeast);
          seen.forEach((time, value) -> assertThat(value).isEqualTo((double) (time / Data.SECOND)));
          checks++;
        }
        return checks;
      });
      int maxFiles = 0;
      for (int b = 0; b < batches; b++) {
        List<SeriesPoint> points = new ArrayList<>();
        for (int i = 0; i < perBatch; i++) {
          long second = (long) b * perBatch + i;
          points.add(SeriesPoint.of(Data.cpu("a", second, second * Data.SECOND)));
        }
        shard.write(points, 0);
        acknowledged.addAndGet(perBatch);
        maxFiles = Math.max(maxFiles, shard.fileCount());
      }
      writing.set(false);
      assertThat(reads.get(30, TimeUnit.SECONDS)).isPositive();
      shard.flush();
      assertThat(readAll(shard)).hasSize(batches * perBatch);
      assertThat(shard.fileCount()).isGreaterThan(0);
      // 75 flushes with a fan-in of 2 climb about seven levels; compactions kept up.
      assertThat(maxFiles).isLessThanOrEqualTo(10);
    } finally {
      flusher.shutdown();
      reader.shutdownNow();
    }
  }
}
