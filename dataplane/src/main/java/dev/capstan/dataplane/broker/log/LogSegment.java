package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code <baseOffset>.log} file of whole batches with its {@code .index} and {@code .timeindex}.
 * Positions are ints: a segment never grows past {@link LogConfig#segmentBytes()}.
 */
final class LogSegment implements AutoCloseable {

  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  static final String TIME_INDEX_SUFFIX = ".timeindex";

  private final long baseOffset;
  private final Path logPath;
  private final FileChannel log;
  private final int indexIntervalBytes;
  private final long createdMs;
  private OffsetIndex offsetIndex;
  private TimeIndex timeIndex;
  private int size;
  private long nextOffset;
  private long maxTimestamp = -1;
  private int relativeOffsetOfMaxTimestamp;
  private long firstBatchMaxTimestamp = -1;
  private int bytesSinceLastIndexEntry;
  /** Zeros ahead of the log end while this segment is active; null when not preallocating. */
  private Preallocation preallocation;

  private LogSegment(long baseOffset, Path logPath, FileChannel log, int indexIntervalBytes, long createdMs)
      throws IOException {
    this.baseOffset = baseOffset;
    this.logPath = logPath;
    this.log = log;
    this.indexIntervalBytes = indexIntervalBytes;
    this.createdMs = createdMs;
    this.size = Math.toIntExact(log.size());
    this.nextOffset = baseOffset;
  }

  static String fileName(long baseOffset, String suffix) {
    return String.format("%020d%s", baseOffset, suffix);
  }

  /**
   * A new, empty segment; files left by an earlier segment at this offset are replaced. With a
   * positive {@code config.preallocateBytes()}, zeros are kept on disk ahead of its log end.
   */
  static LogSegment create(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
    LogSegment segment = create(dir, baseOffset, config.indexIntervalBytes(), nowMs);
    segment.startPreallocating(config);
    return segment;
  }

  private static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes, long nowMs) throws IOException {
    Path logPath = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
    FileChannel log = FileChannel.open(logPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    LogSegment segment = new LogSegment(baseOffset, logPath, log, indexIntervalBytes, nowMs);
    segment.offsetIndex = OffsetIndex.create(segment.sibling(INDEX_SUFFIX));
    segment.timeIndex = TimeIndex.create(segment.sibling(TIME_INDEX_SUFFIX));
    return segment;
  }

  /**
   * Opens a segment that an earlier run finished writing, whose offsets end where the next
   * segment's begin. Its indexes are trusted only if they fit the log; otherwise both are
   * rebuilt by walking the batch headers.
   */
  static LogSegment openInactive(Path dir, long baseOffset, long nextSegmentBaseOffset, int indexIntervalBytes,
                 long nowMs) throws IOException {
    LogSegment segment = open(dir, baseOffset, indexIntervalBytes, nowMs);
    segment.nextOffset = nextSegmentBaseOffset;
    Optional<OffsetIndex> offsets = OffsetIndex.load(segment.sibling(INDEX_SUFFIX));
    Optional<TimeIndex> times = TimeIndex.load(segment.sibling(TIME_INDEX_SUFFIX));
    if (offsets.isPresent() && times.isPresent()
        && segment.fits(offsets.get(), times.get(), nextSegmentBaseOffset)) {
      segment.offsetIndex = offsets.get();
      segment.timeIndex = times.get();
      segment.maxTimestamp = segment.timeIndex.lastTimestamp();
      if (segment.timeIndex.entries() > 0) {
        segment.relativeOffsetOfMaxTimestamp = segment.timeIndex.relativeOffsetAt(segment.timeIndex.entries() - 1);
      }
      return segment;
    }
    offsets.ifPresent(LogSegment::closeQuietly);
    times.ifPresent(LogSegment::closeQuietly);
    segment.rebuild(false);
    segment.onBecomeInactive();
    return segment;
  }

  /**
   * Opens the segment that was active when the log last closed or crashed: validates every batch,
   * truncates at the first torn or corrupt one (or the zeros preallocated past the last one), and
   * rebuilds both indexes from what remains.
   */
  static LogSegment recover(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
    LogSegment segment = open(dir, baseOffset, config.indexIntervalBytes(), nowMs);
    segment.rebuild(true);
    segment.startPreallocating(config);
    return segment;
  }

  private void startPreallocating(LogConfig config) {
    if (config.preallocateBytes() > 0) {
      preallocation = new Preallocation(logPath, config.preallocateBytes(), config.segmentBytes());
    }
  }

  private static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes, long nowMs) throws IOException {
    Path logPath = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
    FileChannel log = FileChannel.open(logPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new LogSegment(baseOffset, logPath, log, indexIntervalBytes, nowMs);
  }

  /** Whether every index entry points at a batch that is really there. */
  private boolean fits(OffsetIndex offsets, TimeIndex times, long nextSegmentBaseOffset) throws IOException {
    for (int i = 0; i < offsets.entries(); i++) {
      BatchHeader header = headerAt(offsets.positionAt(i));
      if (header == null || header.baseOffset() != baseOffset + offsets.relativeOffsetAt(i)) {
        return false;
      }
    }
    if (size > 0 && times.entries() == 0) {
      // the entry written on becoming inactive is missing, so the max timestamp is unknown
      return false;
    }
    for (int i = 0; i < times.entries(); i++) {
      if (baseOffset + times.relativeOffsetAt(i) >= nextSegmentBaseOffset) {
        return false;
      }
    }
    return true;
  }

  /**
   * Walks the batches from the start, indexing each. With {@code validate}, each batch must be
   * complete, magic 2, CRC-correct and continue the offsets; the file is cut before the first
   * that is not, as a crash mid-append leaves such a tail.
   */
  private void rebuild(boolean validate) throws IOException {
    offsetIndex = OffsetIndex.create(sibling(INDEX_SUFFIX));
    timeIndex = TimeIndex.create(sibling(TIME_INDEX_SUFFIX));
    long expectedOffset = baseOffset;
    int position = 0;
    int fileSize = size;
    while (true) {
      BatchHeader header = headerAt(position, fileSize);
      if (header == null || header.sizeInBytes() < BatchHeader.BATCH_OVERHEAD
          || (long) position + header.sizeInBytes() > fileSize) {
        break;
      }
      if (validate) {
        ByteBuffer batch = ByteBuffer.allocate(header.sizeInBytes());
        readFully(batch, position);
        if (BatchHeader.problem(batch.flip()).isPresent() || header.baseOffset() != expectedOffset) {
          break;
        }
      }
      indexBatch(header, position);
      expectedOffset = header.nextOffset();
      position += header.sizeInBytes();
    }
    if (validate) {
      if (position < fileSize) {
        log.truncate(position);
      }
      nextOffset = expectedOffset;
    }
    size = position;
  }

  /**
   * Appends {@code batch} (from its position) with {@code header}'s base offset written over
   * the one it carries, which must be this log's next offset; {@code batch} is not changed.
   */
  void append(BatchHeader header, ByteBuffer batch) throws IOException {
    int position = size;
    ByteBuffer baseOffset = ByteBuffer.allocate(Long.BYTES).putLong(0, header.baseOffset());
    ByteBuffer rest = batch.duplicate();
    rest.position(rest.position() + BatchHeader.BASE_OFFSET_OFFSET + Long.BYTES);
    ByteBuffer[] toWrite = {baseOffset, rest};
    if (preallocation != null) {
      preallocation.awaitRoomFor((long) position + header.sizeInBytes());
    }
    // one gathering write: positional writes take a single buffer. Only appends move the
    // channel's position; reads are positional.
    log.position(position);
    while (rest.hasRemaining()) {
      log.write(toWrite);
    }
    indexBatch(header, position);
    size += header.sizeInBytes();
    nextOffset = header.nextOffset();
    if (preallocation != null) {
      preallocation.appended(size);
    }
  }

  private void indexBatch(BatchHeader header, int position) throws IOException {
    int relativeOffset = Math.toIntExact(header.baseOffset() - baseOffset);
    if (position == 0) {
      firstBatchMaxTimestamp = header.maxTimestamp();
    }
    if (header.maxTimestamp() > maxTimestamp) {
      maxTimestamp = header.maxTimestamp();
      relativeOffsetOfMaxTimestamp = relativeOffset;
    }
    if (bytesSinceLastIndexEntry > indexIntervalBytes) {
      offsetIndex.append(relativeOffset, position);
      timeIndex.maybeAppend(maxTimestamp, relativeOffsetOfMaxTimestamp);
      bytesSinceLastIndexEntry = 0;
    }
    bytesSinceLastIndexEntry += header.sizeInBytes();
  }

  /**
   * Whole batches from the one holding {@code offset}, as many as fit in {@code maxBytes} but
   * at least one, so that a batch larger than the limit still makes progress (as Kafka's fetch).
   * Empty when no batch here holds {@code offset}.
   */
  byte[] read(long offset, int maxBytes) throws IOException {
    BatchRange range = batchRange(offset, maxBytes);
    if (range == null) {
      return new byte[0];
    }
    ByteBuffer out = ByteBuffer.allocate(range.size());
    readFully(out, range.start());
    return out.array();
  }

  /**
   * The same batches as {@link #read}, not read but as a range of a channel of their own, for
   * sending straight from the file; empty when no batch here holds {@code offset}. Only batches
   * appended before the call are covered, so every one is complete.
   */
  Optional<LogSlice> slice(long offset, int maxBytes) throws IOException {
    BatchRange range = batchRange(offset, maxBytes);
    if (range == null) {
      return Optional.empty();
    }
    return Optional.of(new LogSlice(FileChannel.open(logPath, StandardOpenOption.READ), range.start(), range.size()));
  }

  /** Where in the file the batches {@link #read} returns are. */
  private record BatchRange(int start, int size) {}

  /** The batches {@link #read} returns, or null when no batch here holds {@code offset}. */
  private BatchRange batchRange(long offset, int maxBytes) throws IOException {
    int start = positionOfBatchHolding(offset);
    if (start < 0) {
      return null;
    }
    int end = start;
    while (end < size) {
      BatchHeader header = headerAt(end);
      if (end > start && (long) end - start + header.sizeInBytes() > maxBytes) {
        break;
      }
      end += header.sizeInBytes();
    }
    return new BatchRange(start, end - start);
  }

  private int positionOfBatchHolding(long offset) throws IOException {
    int position = offsetIndex.floorPosition(offset - baseOffset);
    while (position < size) {
      BatchHeader header = headerAt(position);
      if (header.lastOffset() >= offset) {
        return header.baseOffset() <= offset ? position : -1;
      }
      position += header.sizeInBytes();
    }
    return -1;
  }

  /** The base offset of the first batch whose max timestamp is at least {@code timestamp}. */
  OptionalLong offsetForTimestamp(long timestamp) throws IOException {
    if (maxTimestamp < timestamp) {
      return OptionalLong.empty();
    }
    int position = offsetIndex.floorPosition(timeIndex.floorRelativeOffset(timestamp));
    while (position < size) {
      BatchHeader header = headerAt(position);
      if (header.maxTimestamp() >= timestamp) {
        return OptionalLong.of(header.baseOffset());
      }
      position += header.sizeInBytes();
    }
    return OptionalLong.empty();
  }

  /** Whether the next batch, of this size and offset span, belongs in a new segment. */
  boolean shouldRoll(int batchBytes, int lastOffsetDelta, LogConfig config, long nowMs) {
    if (size == 0) {
      return false;
    }
    long rollBasisMs = firstBatchMaxTimestamp >= 0 ? firstBatchMaxTimestamp : createdMs;
    return (long) size + batchBytes > config.segmentBytes()
        || nowMs - rollBasisMs >= config.segmentMs()
        || nextOffset + lastOffsetDelta - baseOffset > Integer.MAX_VALUE;
  }

  /**
   * Seals the time index with the segment's max timestamp and syncs the log and both indexes,
   * before the next segment exists: from then on recovery trusts this segment's files as they are.
   */
  void onBecomeInactive() throws IOException {
    cutPreallocated();
    if (maxTimestamp >= 0) {
      timeIndex.maybeAppend(maxTimestamp, relativeOffsetOfMaxTimestamp);
    }
    flushLog();
    offsetIndex.flush();
    timeIndex.flush();
  }

  /**
   * Syncs the batches appended so far. The indexes are not synced: the active segment's are
   * rebuilt from the log when it is recovered, so one fdatasync per flush is enough.
   */
  /**
   * Stops preallocating and cuts the file to its batches: a segment that is not active is opened
   * trusting its file size, so it must not end in zeros.
   */
  private void cutPreallocated() throws IOException {
    if (preallocation != null) {
      preallocation.seal();
      preallocation = null;
      if (log.size() > size) {
        log.truncate(size);
      }
    }
  }

  void flushLog() throws IOException {
    // force(false) is fdatasync: it still syncs the file size, which is all a reader needs
    log.force(false);
  }

  private BatchHeader headerAt(int position) throws IOException {
    return headerAt(position, size);
  }

  /** The header of the batch at {@code position}, or null when fewer header bytes remain. */
  private BatchHeader headerAt(int position, int limit) throws IOException {
    if (position < 0 || (long) position + BatchHeader.FIELDS_END > limit) {
      return null;
    }
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.FIELDS_END);
    readFully(header, position);
    return BatchHeader.read(header.flip());
  }

  private void readFully(ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = log.read(buffer, at);
      if (read < 0) {
        throw new IOException("unexpected end of " + logPath + " at " + at);
      }
      at += read;
    }
  }

  private Path sibling(String suffix) {
    return logPath.resolveSibling(fileName(baseOffset, suffix));
  }

  long baseOffset() {
    return baseOffset;
  }

  long nextOffset() {
    return nextOffset;
  }

  int size() {
    return size;
  }

  /** The largest batch max timestamp in the segment, -1 when none has a timestamp. */
  long maxTimestamp() {
    return maxTimestamp;
  }

  /** Closes the files; an active segment's preallocated zeros are cut off first (recovery would cut them too). */
  @Override
  public void close() throws IOException {
    if (preallocation != null && log.isOpen()) {
      cutPreallocated();
    }
    try (log; OffsetIndex o = offsetIndex; TimeIndex t = timeIndex) {
      // try-with-resources closes all three even if one fails
    }
  }

  /** Deletes the log before its indexes: an index without a log is ignored on open, not the reverse. */
  void delete() throws IOException {
    close();
    Files.deleteIfExists(logPath);
    Files.deleteIfExists(sibling(INDEX_SUFFIX));
    Files.deleteIfExists(sibling(TIME_INDEX_SUFFIX));
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // it is being replaced by a rebuilt index
    }
  }
}
