package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A partition's log: a directory of segments named by the offset of their first batch, the last
 * one active. Appends assign offsets; reads return whole batches; retention removes whole
 * segments from the front, which is what moves the log start offset.
 *
 * <p>Opening recovers from a crash: the active segment is validated batch by batch and cut at
 * the first torn or corrupt batch, and its indexes are rebuilt; an older segment's index is
 * rebuilt only if it is missing or does not fit its log.
 */
public final class PartitionLog implements AutoCloseable {

  private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|index|timeindex)");

  private final Path dir;
  private final LogConfig config;
  private final Clock clock;
  private final TreeMap<Long, LogSegment> segments;
  private long recoveryPoint;
  private long unflushedMessages;

  private PartitionLog(Path dir, LogConfig config, Clock clock, TreeMap<Long, LogSegment> segments) {
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.segments = segments;
    this.recoveryPoint = active().nextOffset();
  }

  /** Opens the log in {@code dir}, creating the directory and a first segment at offset 0 if needed. */
  public static PartitionLog open(Path dir, LogConfig config, Clock clock) throws IOException {
    Files.createDirectories(dir);
    long nowMs = clock.millis();
    TreeMap<Long, List<String>> filesByBase = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(file -> {
        Matcher name = SEGMENT_FILE.matcher(file.getFileName().toString());
        if (name.matches()) {
          filesByBase.computeIfAbsent(Long.parseLong(name.group(1)), base -> new ArrayList<>())
              .add(name.group(2));
        }
      });
    }
    List<Long> bases = new ArrayList<>();
    for (Map.Entry<Long, List<String>> entry : filesByBase.entrySet()) {
      if (entry.getValue().contains("log")) {
        bases.add(entry.getKey());
      } else {
        // indexes whose log was deleted by retention just before a crash
        Files.deleteIfExists(dir.resolve(LogSegment.fileName(entry.getKey(), LogSegment.INDEX_SUFFIX)));
        Files.deleteIfExists(dir.resolve(LogSegment.fileName(entry.getKey(), LogSegment.TIME_INDEX_SUFFIX)));
      }
    }
    TreeMap<Long, LogSegment> segments = new TreeMap<>();
    try {
      for (int i = 0; i < bases.size(); i++) {
        long base = bases.get(i);
        LogSegment segment = i + 1 < bases.size()
            ? LogSegment.openInactive(dir, base, bases.get(i + 1), config.indexIntervalBytes(), nowMs)
            : LogSegment.recover(dir, base, config, nowMs);
        segments.put(base, segment);
      }
      if (segments.isEmpty()) {
        segments.put(0L, LogSegment.create(dir, 0, config, nowMs));
      }
      // the recovery point starts at the log end, so what a killed process left in the page
      // cache must be on disk first: a producer's retry of such a batch is answered as a
      // duplicate, durable, without another sync (cheap when nothing is dirty)
      segments.lastEntry().getValue().flushLog();
    } catch (IOException | RuntimeException e) {
      for (LogSegment segment : segments.values()) {
        try {
          segment.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return new PartitionLog(dir, config, clock, segments);
  }

  /**
   * Appends one v2 batch as the client sent it, with its base offset set to the log end offset
   * (the CRC starts after the base offset, so it stays valid). The caller's array is not changed.
   *
   * @return the offset assigned to the batch's first record
   * @throws CorruptBatchException if the bytes are not exactly one valid v2 batch
   */
  public long append(byte[] batchV2) throws IOException {
    return append(ByteBuffer.wrap(batchV2));
  }

  /**
   * Appends the v2 batch between {@code batchV2}'s position and limit, as {@link #append(byte[])};
   * neither its bytes nor its position change: the assigned base offset goes to the file in place
   * of the sent one, so a produce request's buffer is written without being copied first.
   */
  public long append(ByteBuffer batchV2) throws IOException {
    return append(CheckedBatch.check(batchV2));
  }

  /** Appends a batch checked beforehand, as {@link #append(ByteBuffer)} without checking it again. */
  public long append(CheckedBatch checked) throws IOException {
    ByteBuffer batch = checked.bytes();
    BatchHeader sent = checked.header();
    long baseOffset = logEndOffset();
    if (active().shouldRoll(sent.sizeInBytes(), sent.lastOffsetDelta(), config, clock.millis())) {
      roll();
    }
    BatchHeader assigned = new BatchHeader(baseOffset, sent.sizeInBytes(), sent.lastOffsetDelta(), sent.maxTimestamp());
    active().append(assigned, batch);
    unflushedMessages += sent.lastOffsetDelta() + 1L;
    if (unflushedMessages >= config.flushIntervalMessages()) {
      flush();
    }
    return baseOffset;
  }

  private void roll() throws IOException {
    LogSegment previous = active();
    previous.onBecomeInactive();
    long base = previous.nextOffset();
    segments.put(base, LogSegment.create(dir, base, config, clock.millis()));
  }

  /**
   * Whole batches starting with the one that holds {@code fromOffset}, up to {@code maxBytes}
   * but never fewer than one batch, all from one segment (the next read continues after them).
   * Empty at the log end offset.
   *
   * @throws OffsetOutOfRangeException below the log start offset or beyond the log end offset
   */
  public byte[] read(long fromOffset, int maxBytes) throws IOException {
    if (fromOffset < logStartOffset() || fromOffset > logEndOffset()) {
      throw new OffsetOutOfRangeException(fromOffset, logStartOffset(), logEndOffset());
    }
    for (LogSegment segment : segments.tailMap(segments.floorKey(fromOffset), true).values()) {
      byte[] batches = segment.read(fromOffset, maxBytes);
      if (batches.length > 0) {
        return batches;
      }
    }
    return new byte[0];
  }

  /**
   * The batches {@link #read} would return, as a range of the segment file with a channel of its
   * own for sending without copying through the heap (see {@link LogSlice}); empty at the log end
   * offset.
   *
   * @throws OffsetOutOfRangeException below the log start offset or beyond the log end offset
   */
  public Optional<LogSlice> slice(long fromOffset, int maxBytes) throws IOException {
    if (fromOffset < logStartOffset() || fromOffset > logEndOffset()) {
      throw new OffsetOutOfRangeException(fromOffset, logStartOffset(), logEndOffset());
    }
    for (LogSegment segment : segments.tailMap(segments.floorKey(fromOffset), true).values()) {
      Optional<LogSlice> slice = segment.slice(fromOffset, maxBytes);
      if (slice.isPresent()) {
        return slice;
      }
    }
    return Optional.empty();
  }

  /**
   * The base offset of the first batch whose max timestamp is at least {@code timestamp}, or
   * empty when there is none. Records are not decoded, so this is a batch boundary, which may
   * precede the first matching record within that batch.
   */
  public OptionalLong offsetForTimestamp(long timestamp) throws IOException {
    for (LogSegment segment : segments.values()) {
      OptionalLong offset = segment.offsetForTimestamp(timestamp);
      if (offset.isPresent()) {
        return offset;
      }
    }
    return OptionalLong.empty();
  }

  /** Syncs everything appended so far to disk. */
  public void flush() throws IOException {
    active().flushLog();
    recoveryPoint = logEndOffset();
    unflushedMessages = 0;
  }

  /**
   * A flush split in two so that its fdatasync can run while the log takes more appends: the log
   * is not thread-safe, so its owner calls {@link #startFlush()} and {@link Flush#done()} under
   * its lock and {@link Flush#sync()} without it. Holding the lock through an fdatasync (several
   * ms) would stall every append, and so every produce request, behind the disk.
   *
   * <p>The sync covers everything appended before {@code startFlush}: older segments were synced
   * when they were rolled, and a sync of the segment that was active covers its appends even if
   * it has been rolled since. If that segment was closed meanwhile (the log reopened, or
   * retention took it after a roll), {@code sync} throws {@link
   * java.nio.channels.ClosedChannelException} and the owner syncs with {@link #flush()} instead.
   */
  public Flush startFlush() {
    unflushedMessages = 0;
    return new Flush(this, active(), logEndOffset());
  }

  /** One started flush: {@link #sync()} without the lock, then {@link #done()} with it. */
  public static final class Flush {
    private final PartitionLog log;
    private final LogSegment segment;
    private final long endOffset;

    private Flush(PartitionLog log, LogSegment segment, long endOffset) {
      this.log = log;
      this.segment = segment;
      this.endOffset = endOffset;
    }

    /** fdatasyncs the segment that was active at the start; safe beside appends and reads. */
    public void sync() throws IOException {
      segment.flushLog();
    }

    /** Records that offsets below the start's log end are on disk. */
    public void done() {
      log.recoveryPoint = Math.max(log.recoveryPoint, endOffset);
    }

    /** The log end offset when the flush started: the sync covers every offset below it. */
    public long endOffset() {
      return endOffset;
    }
  }

  /**
   * Applies retention, oldest segment first, never touching the active one: a segment goes when
   * its newest batch is more than {@code retentionMs} older than {@code nowMs}, or when the log
   * stays at least {@code retentionBytes} long without it (Kafka's rule: the log keeps at least
   * retention.bytes, so it can exceed it by up to one segment). A negative limit disables that rule.
   *
   * @return how many segments were deleted
   */
  public int deleteOldSegments(long nowMs, long retentionMs, long retentionBytes) throws IOException {
    long excessBytes = retentionBytes < 0 ? Long.MIN_VALUE : sizeInBytes() - retentionBytes;
    int deleted = 0;
    while (segments.size() > 1) {
      LogSegment oldest = segments.firstEntry().getValue();
      boolean expired = retentionMs >= 0 && nowMs - oldest.maxTimestamp() > retentionMs;
      boolean oversized = retentionBytes >= 0 && excessBytes - oldest.size() >= 0;
      if (!expired && !oversized) {
        break;
      }
      segments.pollFirstEntry();
      oldest.delete();
      if (retentionBytes >= 0) {
        excessBytes -= oldest.size();
      }
      deleted++;
    }
    recoveryPoint = Math.max(recoveryPoint, logStartOffset());
    return deleted;
  }

  /** The first offset still in the log. */
  public long logStartOffset() {
    return segments.firstKey();
  }

  /** The offset the next appended record gets. */
  public long logEndOffset() {
    return active().nextOffset();
  }

  /** Offsets below this are synced to disk and survive a crash. */
  public long recoveryPoint() {
    return recoveryPoint;
  }

  /** The base offsets of the segments, oldest first; the last is the active segment. */
  public List<Long> segmentBaseOffsets() {
    return List.copyOf(segments.keySet());
  }

  /** Bytes of batches across all segments, indexes not counted. */
  public long sizeInBytes() {
    long total = 0;
    for (LogSegment segment : segments.values()) {
      total += segment.size();
    }
    return total;
  }

  private LogSegment active() {
    return segments.lastEntry().getValue();
  }

  /** Syncs and closes every file. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    try {
      flush();
    } catch (IOException e) {
      failure = e;
    }
    for (LogSegment segment : segments.values()) {
      try {
        segment.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
