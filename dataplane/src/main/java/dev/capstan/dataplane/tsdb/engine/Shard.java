package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import dev.capstan.dataplane.tsdb.wal.WalOptions;
import dev.capstan.dataplane.tsdb.wal.WriteAheadLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * The data of one shard group, {@code [start, end)}: a WAL, the memtable it feeds, and immutable
 * files. One read-write lock per shard: writes and the short hand-overs of flushes and compactions
 * take it exclusively, reads share it, so a read never sees a file being replaced and readers of
 * one shard do not wait for each other. The WAL's fsync is not under the lock: concurrent writers
 * share it (group commit).
 *
 * <p>Flushes and compactions run on the {@code flusher} executor, not on the writing thread: a
 * full memtable is handed over (it becomes the immutable {@code flushing} memtable and a new one
 * takes writes), its file is written without the lock, and the file replaces the flushing
 * memtable in one step under the lock, so a reader sees each point exactly once: in the memtable,
 * the flushing memtable or a file. Until then the WAL keeps the flushing memtable's records; a
 * crash while its file is written leaves a {@code .tmp} that opening deletes, and the WAL replay
 * restores the points. One flushing memtable at a time: a writer that fills the next one before
 * the previous file is written waits (back-pressure, bounding memory to two memtables). The
 * {@code maintenance} lock serializes whatever changes the file list (flush, compaction, delete,
 * close), so a compaction's inputs stay the newest files while it writes its output unlocked.
 */
final class Shard implements Closeable {
  private static final System.Logger LOG = System.getLogger(Shard.class.getName());
  static final String WAL_DIR = "wal";

  private final Path directory;
  private final long start;
  private final long end;
  private final EngineOptions options;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Signalled (under the write lock) when the flushing memtable became a file or the flush failed. */
  private final Condition handedOver = lock.writeLock().newCondition();
  /** Held while the file list is being changed outside the write lock; taken before {@link #lock}. */
  private final ReentrantLock maintenance = new ReentrantLock();
  private final Executor flusher;
  private final WriteAheadLog wal;
  private Memtable memtable = new Memtable();
  /** The series the WAL's active segment has defined; written under the write lock. */
  private SegmentSeries walSeries;
  /** A full memtable whose file is being written, or null; immutable, newer than every file. */
  private Memtable flushing;
  /** The last WAL record in {@link #flushing}. */
  private long flushingSequence;
  /** Why the last background flush failed; writes are refused until a flush succeeds. */
  private IOException flushFailure;
  private boolean closed;
  /** Oldest generation first: later files win where times collide. */
  private final List<ShardFile> files = new ArrayList<>();
  private long nextGeneration;
  /** Clock time of the last write, for flushing shards that went cold. */
  private volatile long lastWriteNanos;

  private Shard(Path directory, long start, long end, EngineOptions options, WriteAheadLog wal, Executor flusher) {
    this.directory = directory;
    this.start = start;
    this.end = end;
    this.options = options;
    this.wal = wal;
    this.flusher = flusher;
  }

  /** Opens a shard that flushes and compacts on the writing thread (tests, tools). */
  static Shard open(Path directory, long start, long end, EngineOptions options) throws IOException {
    return open(directory, start, end, options, Runnable::run);
  }

  /**
   * Opens (or creates) a shard: loads its files, drops crash leftovers, replays the WAL's
   * unflushed records. Full memtables are flushed, and files compacted, by tasks run on {@code
   * flusher}; one that rejects the task gets the work done on the writing thread.
   */
  static Shard open(Path directory, long start, long end, EngineOptions options, Executor flusher) throws IOException {
    Fs.createDirectoriesDurably(directory);
    List<Path> candidates = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().endsWith(".tmp")) {
          Files.delete(p); // a flush or compaction that did not finish; its inputs are intact
        } else if (ShardFile.generationOf(p) >= 0) {
          candidates.add(p);
        }
      }
    }
    candidates.sort(null);
    List<ShardFile> loaded = new ArrayList<>();
    try {
      for (Path p : candidates) {
        loaded.add(ShardFile.open(p));
      }
    } catch (IOException | RuntimeException e) {
      closeAll(loaded);
      throw e;
    }
    Set<Long> replaced = new HashSet<>();
    long maxGeneration = 0;
    for (ShardFile f : loaded) {
      replaced.addAll(f.replaces());
      maxGeneration = Math.max(maxGeneration, f.generation());
    }
    List<ShardFile> live = new ArrayList<>();
    for (ShardFile f : loaded) {
      if (replaced.contains(f.generation())) {
        // A compaction finished writing its output but crashed before deleting this input.
        f.close();
        Files.delete(f.path());
        LOG.log(System.Logger.Level.INFO, () -> "removed compacted-away file " + f.path());
      } else {
        live.add(f);
      }
    }
    for (long g : replaced) {
      maxGeneration = Math.max(maxGeneration, g);
    }
    WriteAheadLog wal;
    try {
      wal = WriteAheadLog.open(directory.resolve(WAL_DIR), new WalOptions(options.walSegmentBytes(), options.fsync()));
    } catch (IOException | RuntimeException e) {
      closeAll(live);
      throw e;
    }
    Shard shard = new Shard(directory, start, end, options, wal, flusher);
    shard.files.addAll(live);
    shard.nextGeneration = maxGeneration + 1;
    try {
      shard.replay(shard.flushedSequence() + 1);
    } catch (IOException | RuntimeException e) {
      shard.close();
      throw e;
    }
    return shard;
  }

  /**
   * Replays the records from {@code from} into the memtable. Their segments are read from their
   * first record, whose series definitions later records may use; and the active segment's
   * definitions so far are where this shard's next records go on numbering.
   */
  private void replay(long from) throws IOException {
    long[] segment = {-1};
    List<List<SeriesPoint>> definitions = new ArrayList<>(List.of(new ArrayList<>()));
    wal.replaySegments(from, (inSegment, record) -> {
      if (inSegment != segment[0]) {
        segment[0] = inSegment;
        definitions.set(0, new ArrayList<>());
      }
      try {
        boolean unflushed = record.sequence() >= from;
        for (SeriesPoint point : WalPayload.decode(record.payload(), definitions.get(0), unflushed)) {
          memtable.add(point);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("WAL record " + record.sequence() + " of " + directory, e);
      }
    });
    long active = wal.activeSegment();
    walSeries = new SegmentSeries(active, segment[0] == active ? definitions.get(0).size() : 0);
  }

  private long flushedSequence() {
    long flushed = 0;
    for (ShardFile f : files) {
      flushed = Math.max(flushed, f.walSequence());
    }
    return flushed;
  }

  long start() {
    return start;
  }

  long end() {
    return end;
  }

  Path directory() {
    return directory;
  }

  boolean overlaps(long min, long max) {
    return start <= max && end > min;
  }

  /** Appends the points to the WAL (durable per the fsync policy), then makes them readable. */
  void write(List<SeriesPoint> points, long nowNanos) throws IOException {
    // Encoding the points needs no lock, and is most of the WAL's cost; numbering their series
    // in the segment the record goes to does (finish, below).
    WalPayload.Prepared prepared = WalPayload.prepare(points);
    if (prepared.maxBytes() > WriteAheadLog.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("a write of " + points.size() + " points makes a WAL record of up to "
          + prepared.maxBytes() + " bytes, more than the maximum " + WriteAheadLog.MAX_PAYLOAD_BYTES);
    }
    long sequence;
    boolean handOver = false;
    IOException failed;
    lock.writeLock().lock();
    try {
      // A failed flush refuses this write (the disk is in trouble) and is tried again.
      failed = flushFailure;
      flushFailure = null;
      if (failed == null) {
        lastWriteNanos = nowNanos;
        sequence = appendLocked(prepared, points);
        for (SeriesPoint point : points) {
          memtable.add(point);
        }
        if (memtable.values() >= options.flushValues() || memtable.approximateBytes() >= options.flushBytes()) {
          // Back-pressure: the previous memtable must be in its file before this one is handed
          // over. Awaiting releases the lock, so readers and the flusher's hand-over proceed.
          while (flushing != null && flushFailure == null && !closed) {
            handedOver.awaitUninterruptibly();
          }
          if (flushing == null && !closed) {
            handOverLocked();
            handOver = true;
          }
        }
      } else {
        sequence = -1;
      }
    } finally {
      lock.writeLock().unlock();
    }
    if (failed != null) {
      flushSoon();
      throw new IOException("flushing shard " + directory + " failed, so writes to it are refused until a flush succeeds: "
          + failed.getMessage(), failed);
    }
    if (handOver) {
      flushSoon();
    }
    // Group commit: forced after the lock is released, so concurrent writers append meanwhile
    // and share a force. The write is acknowledged (this returns) only once its record is on
    // disk; readers may see it a moment earlier, as they would see a write whose
    // acknowledgement is still on the wire.
    if (options.fsync() == FsyncPolicy.EVERY_BATCH) {
      wal.syncThrough(sequence);
    }
  }

  /** Finishes the record for the segment it goes to and appends it; the caller holds the write lock. */
  private long appendLocked(WalPayload.Prepared prepared, List<SeriesPoint> points) throws IOException {
    // Rolling first if the record might not fit, so the segment it is numbered for is the one it lands in.
    wal.rollIfFull(prepared.maxBytes());
    if (walSeries.segment() != wal.activeSegment()) {
      walSeries = new SegmentSeries(wal.activeSegment(), 0);
    }
    int definedBefore = walSeries.size();
    try {
      return wal.appendUnforced(List.of(WalPayload.finish(prepared, points, walSeries)));
    } catch (IOException | RuntimeException e) {
      // Later records must not name series only this unwritten one defined. (After an I/O error
      // the log refuses writes until it is reopened, and reopening counts what reached the disk.)
      walSeries.truncate(definedBefore);
      throw e;
    }
  }

  /** The points of one series field in {@code [min, max]} across files and memtable; null if none. */
  FieldData read(String seriesText, String field, long min, long max) {
    lock.readLock().lock();
    try {
      FieldData merged = null;
      for (ShardFile f : files) {
        merged = FieldData.merge(merged, f.read(seriesText, field, min, max));
      }
      if (flushing != null) {
        merged = FieldData.merge(merged, flushing.read(seriesText, field, min, max));
      }
      return FieldData.merge(merged, memtable.read(seriesText, field, min, max));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The {@code limit} newest or oldest points of one series field in {@code [min, max]}; null if
   * none. Sources are taken newest first (memtable, the memtable being flushed, then files by
   * falling generation), each read from the limit's end; an older source is skipped once the
   * points in hand beyond its edge fill the limit. Keeping only {@code limit} points after each merge is exact: a point the limit
   * drops has {@code limit} points beyond it already, and older sources can only add more.
   */
  FieldData read(String seriesText, String field, long min, long max, ReadRequest.Limit limit) {
    lock.readLock().lock();
    try {
      FieldData kept = memtable.read(seriesText, field, min, max);
      kept = kept == null ? null : kept.keep(limit);
      if (flushing != null) {
        FieldData merged = FieldData.merge(flushing.read(seriesText, field, min, max), kept);
        kept = merged == null ? null : merged.keep(limit);
      }
      for (int i = files.size() - 1; i >= 0; i--) {
        ShardFile f = files.get(i);
        Long edge = f.edgeTime(seriesText, field, limit.newest());
        if (edge == null || (kept != null && kept.fills(limit, limit.newest() ? Math.min(edge, max) : Math.max(edge, min)))) {
          continue;
        }
        FieldData older = f.read(seriesText, field, min, max, limit);
        // The newer source wins where times collide, whichever end the limit keeps.
        FieldData merged = FieldData.merge(older, kept);
        kept = merged == null ? null : merged.keep(limit);
      }
      return kept;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Writes the flushing memtable, if any, and then the memtable to files; returns once they are. */
  void flush() throws IOException {
    maintenance.lock();
    try {
      flushAllMaintained();
    } finally {
      maintenance.unlock();
    }
  }

  /** Merges every file of the shard into one. */
  void compact() throws IOException {
    maintenance.lock();
    try {
      compactMaintained(filesSnapshot());
    } finally {
      maintenance.unlock();
    }
  }

  /**
   * Flushes the memtable if nothing was written since {@code idleSinceNanos}: a shard group
   * that time has moved past would otherwise hold its memtable (and WAL) until a restart.
   *
   * @return whether it flushed
   */
  boolean flushIfColdSince(long idleSinceNanos) throws IOException {
    maintenance.lock();
    try {
      lock.readLock().lock();
      try {
        if (closed || memtable.isEmpty() || lastWriteNanos > idleSinceNanos) {
          return false;
        }
      } finally {
        lock.readLock().unlock();
      }
      flushAllMaintained();
      compactNewestMaintained();
      return true;
    } finally {
      maintenance.unlock();
    }
  }

  void sync() throws IOException {
    lock.writeLock().lock();
    try {
      wal.sync();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Makes the memtable the flushing one; the caller holds the write lock and saw no flushing memtable. */
  private void handOverLocked() {
    flushing = memtable;
    flushing.detachSeries();
    flushingSequence = wal.lastSequence();
    memtable = new Memtable();
  }

  private void flushSoon() {
    try {
      flusher.execute(this::flushInBackground);
    } catch (RejectedExecutionException e) {
      flushInBackground(); // the engine is closing: its executor no longer takes work
    }
  }

  /** The flusher's task: the flushing memtable into a file, then the tiered compaction. */
  private void flushInBackground() {
    maintenance.lock();
    try {
      writeFlushingMaintained();
      compactNewestMaintained();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "flushing shard " + directory + " failed; writes to it are refused until a flush"
          + " succeeds (the WAL keeps the points): " + e.getMessage());
      lock.writeLock().lock();
      try {
        flushFailure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        handedOver.signalAll();
      } finally {
        lock.writeLock().unlock();
      }
    } finally {
      maintenance.unlock();
    }
  }

  /** Flushes the flushing memtable, then hands over and flushes the memtable; the caller holds {@link #maintenance}. */
  private void flushAllMaintained() throws IOException {
    writeFlushingMaintained();
    lock.writeLock().lock();
    try {
      if (closed || memtable.isEmpty()) {
        return;
      }
      handOverLocked();
    } finally {
      lock.writeLock().unlock();
    }
    writeFlushingMaintained();
  }

  /**
   * Writes the flushing memtable to a new file without the lock (it is immutable; readers go on
   * reading it), then swaps the file in for it under the lock. The caller holds {@link #maintenance}.
   */
  private void writeFlushingMaintained() throws IOException {
    Memtable full;
    long sequence;
    long generation;
    lock.writeLock().lock();
    try {
      if (flushing == null || closed) {
        return;
      }
      full = flushing;
      sequence = flushingSequence;
      generation = nextGeneration++;
    } finally {
      lock.writeLock().unlock();
    }
    ShardFile file = ShardFile.write(directory.resolve(ShardFile.fileName(generation)), sequence, 0, Set.of(),
        full.sortedSeries(), options.pointsPerBlock());
    lock.writeLock().lock();
    try {
      files.add(file);
      flushing = null;
      flushFailure = null;
      handedOver.signalAll();
      // Records up to `sequence` are in the file now; whole segments below it can go.
      wal.truncateBefore(sequence + 1);
    } finally {
      lock.writeLock().unlock();
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "flushed " + full.values() + " values to " + file.path() + " (" + file.sizeBytes()
        + " bytes)");
  }

  private List<ShardFile> filesSnapshot() {
    lock.readLock().lock();
    try {
      return List.copyOf(files);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Tiered compaction: while the newest files include {@code compactionFiles} of one level,
   * they are merged into one file a level up — like carrying in a counter — so each point is
   * rewritten about log(files) times, not on every compaction, and the file count stays small.
   * Only a run of the newest files is ever merged: the output is then newer than every file it
   * does not replace, which keeps "later file wins" true.
   */
  private void compactNewestMaintained() throws IOException {
    while (true) {
      List<ShardFile> files = filesSnapshot();
      if (files.isEmpty()) {
        return;
      }
      int level = files.get(files.size() - 1).level();
      int from = files.size();
      while (from > 0 && files.get(from - 1).level() == level) {
        from--;
      }
      if (files.size() - from < options.compactionFiles()) {
        return;
      }
      compactMaintained(List.copyOf(files.subList(from, files.size())));
    }
  }

  /**
   * Merges {@code inputs}, the newest files, into one, the newest value winning per series field
   * and time. Series are merged and written one at a time, so memory is bounded by the largest
   * series, not the shard. The output is written without the lock (the inputs are immutable and
   * stay readable) and replaces them under it; the caller holds {@link #maintenance}, so nothing
   * else changes the file list meanwhile.
   */
  private void compactMaintained(List<ShardFile> inputs) throws IOException {
    if (inputs.size() < 2) {
      return;
    }
    long generation;
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      generation = nextGeneration++;
    } finally {
      lock.writeLock().unlock();
    }
    Set<Long> replaced = new HashSet<>();
    long sequence = 0;
    TreeSet<String> seriesTexts = new TreeSet<>();
    for (ShardFile f : inputs) {
      replaced.add(f.generation());
      replaced.addAll(f.replaces());
      sequence = Math.max(sequence, f.walSequence());
      seriesTexts.addAll(f.index().keySet());
    }
    Iterable<ShardFile.SeriesData> merged = () -> seriesTexts.stream().map(text -> {
      ShardFile.SeriesData result = null;
      for (ShardFile f : inputs) { // oldest first, so newer values replace older ones
        if (!f.index().containsKey(text)) {
          continue;
        }
        ShardFile.SeriesData data = f.readSeries(text);
        if (result == null) {
          result = new ShardFile.SeriesData(data.key(), new TreeMap<>(data.fields()));
        } else {
          SortedMap<String, FieldData> fields = result.fields();
          data.fields().forEach((field, points) -> fields.merge(field, points, FieldData::merge));
        }
      }
      return result;
    }).iterator();
    int level = inputs.stream().mapToInt(ShardFile::level).max().orElse(0) + 1;
    ShardFile output = ShardFile.write(directory.resolve(ShardFile.fileName(generation)), sequence, level, replaced, merged,
        options.pointsPerBlock());
    lock.writeLock().lock();
    try {
      replaceFiles(inputs, output);
    } finally {
      lock.writeLock().unlock();
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "compacted " + inputs.size() + " files of " + directory + " into " + output.path());
  }

  private void replaceFiles(List<ShardFile> inputs, ShardFile output) throws IOException {
    files.removeAll(inputs);
    files.add(output);
    for (ShardFile f : inputs) {
      f.close();
      Files.deleteIfExists(f.path());
    }
    Fs.forceDirectory(directory);
  }

  /**
   * Deletes the points of the given series in {@code [min, max]}. The memtable is flushed first,
   * then every file holding such points is rewritten without them (same generation, atomic
   * replace). Rewriting rather than tombstoning keeps reads and compactions free of tombstone
   * logic and frees the space at once; deletes are rare, so their cost is acceptable. A crash
   * part-way leaves some files rewritten and others not: the delete was not acknowledged.
   */
  void delete(Set<String> seriesTexts, long min, long max) throws IOException {
    if (!overlaps(min, max)) {
      return;
    }
    maintenance.lock();
    lock.writeLock().lock();
    try {
      // Under both locks, so no write lands between the flush and the rewrite.
      if (flushing != null) {
        writeFlushingLocked();
      }
      if (!memtable.isEmpty()) {
        handOverLocked();
        writeFlushingLocked();
      }
      for (int i = 0; i < files.size(); i++) {
        ShardFile f = files.get(i);
        if (!f.overlaps(min, max) || seriesTexts.stream().noneMatch(f.index()::containsKey)) {
          continue;
        }
        Iterable<ShardFile.SeriesData> kept = () -> f.index().keySet().stream().map(seriesText -> {
          ShardFile.SeriesData data = f.readSeries(seriesText);
          if (!seriesTexts.contains(seriesText)) {
            return data;
          }
          SortedMap<String, FieldData> fields = new TreeMap<>();
          data.fields().forEach((field, points) -> fields.put(field, without(points, min, max)));
          return new ShardFile.SeriesData(data.key(), fields);
        }).iterator();
        // Written beside the old file and renamed over it; the old one is read (through its open
        // channel) until the new one is whole.
        ShardFile rewritten = ShardFile.write(f.path(), f.walSequence(), f.level(), f.replaces(), kept, options.pointsPerBlock());
        f.close();
        files.set(i, rewritten);
      }
    } finally {
      lock.writeLock().unlock();
      maintenance.unlock();
    }
  }

  /** {@link #writeFlushingMaintained} for a caller that holds both locks (a delete). */
  private void writeFlushingLocked() throws IOException {
    long sequence = flushingSequence;
    ShardFile file = ShardFile.write(directory.resolve(ShardFile.fileName(nextGeneration++)), sequence, 0, Set.of(),
        flushing.sortedSeries(), options.pointsPerBlock());
    files.add(file);
    flushing = null;
    flushFailure = null;
    handedOver.signalAll();
    wal.truncateBefore(sequence + 1);
  }

  private static FieldData without(FieldData points, long min, long max) {
    FieldData before = min == Long.MIN_VALUE ? null : points.clip(Long.MIN_VALUE, min - 1);
    FieldData after = max == Long.MAX_VALUE ? null : points.clip(max + 1, Long.MAX_VALUE);
    FieldData result = FieldData.merge(before, after);
    return result == null ? points.slice(0, 0) : result;
  }

  /** Every (series, field, type) the shard holds, for the series index. */
  void describe(Memtable.SeriesCatalogSink sink) {
    lock.readLock().lock();
    try {
      for (ShardFile f : files) {
        f.index().forEach((text, series) -> series.fields().forEach((field, entry) -> sink.accept(text, series.key(), field,
            entry.type())));
      }
      if (flushing != null) {
        flushing.describe(sink);
      }
      memtable.describe(sink);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Bytes of the shard's files (not its WAL). */
  long fileBytes() {
    lock.readLock().lock();
    try {
      return files.stream().mapToLong(ShardFile::sizeBytes).sum();
    } finally {
      lock.readLock().unlock();
    }
  }

  int fileCount() {
    lock.readLock().lock();
    try {
      return files.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() throws IOException {
    // A flush or compaction in progress finishes first; one queued after this finds the shard closed.
    maintenance.lock();
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      memtable.detachSeries();
      handedOver.signalAll();
      try {
        wal.close();
      } finally {
        closeAll(files);
        files.clear();
      }
    } finally {
      lock.writeLock().unlock();
      maintenance.unlock();
    }
  }

  private static void closeAll(List<ShardFile> files) throws IOException {
    IOException first = null;
    for (ShardFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

}
