package dev.capstan.dataplane.tsdb.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A shard's write-ahead log: a directory of segment files, each named by the zero-padded sequence
 * number of its first record and holding records
 * {@code [payload length u32][crc32c u32 of sequence+payload][sequence u64][payload]}, big-endian.
 *
 * <p>Durability: under {@link FsyncPolicy#EVERY_BATCH} a batch is on disk when {@link #append}
 * returns. Independently of the policy, a segment is forced before the log rolls to the next one
 * and the directory is forced after a file is created or deleted, so only the last segment can
 * ever end in a torn write. {@link #open} relies on that: it cuts a bad tail off the last segment
 * (see {@link Recovery}) but refuses, with a {@link CorruptWalException}, any damage earlier in
 * the log, because those records were acknowledged. A bad record in the middle of the last
 * segment is indistinguishable from a torn write there, so it is cut off with everything after it.
 *
 * <p>One thread at a time owns a log and calls its methods, except {@link #syncThrough}: that one
 * may run on other threads while the owner appends, which is how concurrent writers share one
 * fsync (group commit) without holding the owner's lock through it. A lock file keeps a second log, in this process or
 * another, from opening the same directory while one is open.
 * After an I/O error while writing or forcing, the log refuses further writes: whether the failed
 * batch reached the disk is unknown, and only reopening (recovery) can tell.
 */
public final class WriteAheadLog implements Closeable {
  static final int HEADER_BYTES = 16;
  /** A bound on one record, so a damaged length field cannot make recovery allocate gigabytes. */
  public static final int MAX_PAYLOAD_BYTES = 64 << 20;

  private static final System.Logger LOG = System.getLogger(WriteAheadLog.class.getName());
  private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{20})\\.wal");
  private static final long FIRST_SEQUENCE = 1;
  private static final String LOCK_FILE = "LOCK";

  private final Path directory;
  private final WalOptions options;
  /** Segment files by the sequence number of their first record; the last one is active. */
  private final TreeMap<Long, Path> segments;
  private final Recovery recovery;
  private final FileChannel lock;
  private FileChannel active;
  private long activeSize;
  private long nextSequence;
  private boolean unsynced;
  private IOException failure;
  private boolean closed;
  /** Highest sequence number known to be on disk; written under {@link #syncMonitor} or this. */
  private volatile long durableSequence;
  /** Serializes {@link #syncThrough} callers: the first forces, the ones queued behind it usually find their record already durable. */
  private final Object syncMonitor = new Object();

  private WriteAheadLog(Path directory, WalOptions options, FileChannel lock, TreeMap<Long, Path> segments, FileChannel active,
      long activeSize, long nextSequence, Recovery recovery) {
    this.directory = directory;
    this.lock = lock;
    this.options = options;
    this.segments = segments;
    this.active = active;
    this.activeSize = activeSize;
    this.nextSequence = nextSequence;
    this.recovery = recovery;
    this.durableSequence = nextSequence - 1;
  }

  /**
   * Opens the log in {@code directory}, creating it if needed, and recovers: every record is
   * validated, and a torn tail of the last segment is truncated.
   *
   * @throws CorruptWalException if a segment other than the last holds a bad record, or the
   *     segments' sequence numbers do not follow on from each other
   */
  public static WriteAheadLog open(Path directory, WalOptions options) throws IOException {
    Files.createDirectories(directory);
    FileChannel lock = LockFile.acquire(directory.resolve(LOCK_FILE), "write-ahead log " + directory + " is already open");
    try {
      return recover(directory, options, lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static WriteAheadLog recover(Path directory, WalOptions options, FileChannel lock) throws IOException {
    TreeMap<Long, Path> segments = listSegments(directory);
    if (segments.isEmpty()) {
      Path first = createSegment(directory, FIRST_SEQUENCE);
      segments.put(FIRST_SEQUENCE, first);
    }
    long expected = segments.firstKey();
    Optional<Recovery.TornTail> tornTail = Optional.empty();
    long lastSize = 0;
    for (Map.Entry<Long, Path> segment : segments.entrySet()) {
      Path path = segment.getValue();
      boolean last = segment.getKey().equals(segments.lastKey());
      if (segment.getKey() != expected) {
        throw new CorruptWalException(path, 0,
            "segment starts at sequence number " + segment.getKey() + " but the previous one ends before " + expected);
      }
      long size = Files.size(path);
      try (SegmentReader reader = new SegmentReader(path, size, expected)) {
        try {
          while (reader.next() != null) {
            // validating is the point; the records themselves are read by replay()
          }
        } catch (SegmentReader.BadRecordException bad) {
          if (!last) {
            throw new CorruptWalException(path, bad.offset, bad.getMessage());
          }
          tornTail = Optional.of(new Recovery.TornTail(path, bad.offset, size - bad.offset, bad.getMessage()));
        }
        expected = reader.expectedSequence();
        lastSize = reader.offset();
      }
    }
    Path lastPath = segments.lastEntry().getValue();
    FileChannel channel = FileChannel.open(lastPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      if (tornTail.isPresent()) {
        Recovery.TornTail tail = tornTail.get();
        LOG.log(System.Logger.Level.WARNING, () -> "truncating torn tail of " + tail.segment() + " at offset " + tail.offset()
            + ": dropped " + tail.droppedBytes() + " bytes (" + tail.reason() + ")");
        channel.truncate(lastSize);
        // New records will follow at lastSize; the cut must be durable before they are acknowledged.
        channel.force(true);
      }
      channel.position(lastSize);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    Recovery recovery = new Recovery(segments.size(), expected - 1, tornTail);
    return new WriteAheadLog(directory, options, lock, segments, channel, lastSize, expected, recovery);
  }

  /** What {@link #open} found and repaired. */
  public Recovery recovery() {
    return recovery;
  }

  /** Sequence number of the last record appended, 0 if the log never held one. */
  public long lastSequence() {
    return nextSequence - 1;
  }

  /** The segment files, oldest first; the last one is being written. */
  public List<Path> segmentFiles() {
    return List.copyOf(segments.values());
  }

  /**
   * Appends a batch of records, numbered consecutively after {@link #lastSequence()}, to the
   * active segment, first rolling to a new segment if the batch would make it exceed
   * {@link WalOptions#segmentBytes()}. Under {@link FsyncPolicy#EVERY_BATCH} the batch is on
   * disk when this returns.
   *
   * @return the sequence number of the batch's last record ({@link #lastSequence()} for an empty batch)
   */
  public synchronized long append(List<byte[]> payloads) throws IOException {
    long last = appendUnforced(payloads);
    if (options.fsync() == FsyncPolicy.EVERY_BATCH) {
      sync();
    }
    return last;
  }

  /**
   * Appends like {@link #append} but never forces, whatever the policy: the caller must call
   * {@link #syncThrough} with the returned sequence number before it acknowledges the batch.
   * Lets the owner release its own lock before the fsync, so other writers append meanwhile and
   * one force covers them all.
   */
  public synchronized long appendUnforced(List<byte[]> payloads) throws IOException {
    ensureWritable();
    long batchBytes = 0;
    for (byte[] payload : payloads) {
      if (payload.length > MAX_PAYLOAD_BYTES) {
        throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the maximum " + MAX_PAYLOAD_BYTES);
      }
      batchBytes += HEADER_BYTES + payload.length;
    }
    if (payloads.isEmpty()) {
      return lastSequence();
    }
    try {
      if (activeSize > 0 && activeSize + batchBytes > options.segmentBytes()) {
        roll();
      }
      write(payloads, batchBytes);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
    activeSize += batchBytes;
    nextSequence += payloads.size();
    unsynced = true;
    return lastSequence();
  }

  /** The sequence number the active segment's file is named by (the first record it holds or will hold). */
  public synchronized long activeSegment() {
    return segments.lastKey();
  }

  /**
   * Rolls to a new segment now if a record of up to {@code payloadBytes} would not fit in the
   * active one, so that {@link #appendUnforced} of that record will not roll. For payloads that
   * refer to earlier records of their own segment: their writer must know, before it encodes one,
   * which segment it goes to.
   */
  public synchronized void rollIfFull(long payloadBytes) throws IOException {
    ensureWritable();
    if (activeSize > 0 && activeSize + HEADER_BYTES + payloadBytes > options.segmentBytes()) {
      try {
        roll();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }

  /** Forces everything appended so far to disk. */
  public synchronized void sync() throws IOException {
    ensureWritable();
    if (!unsynced) {
      return;
    }
    try {
      // fdatasync: also persists the file length, which is all the metadata an append changes.
      active.force(false);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
    unsynced = false;
    durableSequence = lastSequence();
  }

  /**
   * Returns once every record up to {@code sequence} is on disk (group commit). Thread-safe, and
   * meant to be called without the owner's lock: while one caller forces the active segment,
   * the owner keeps appending, and callers queued behind it find their records covered by that
   * force or pay one force for all of them.
   *
   * @throws IOException if forcing failed; the log then refuses further writes
   */
  public void syncThrough(long sequence) throws IOException {
    if (durableSequence >= sequence) {
      return;
    }
    synchronized (syncMonitor) {
      if (durableSequence >= sequence) {
        return;
      }
      long target;
      FileChannel channel;
      synchronized (this) {
        ensureWritable();
        target = lastSequence();
        channel = active;
      }
      try {
        // The owner may write to the channel meanwhile; FileChannel.force does not wait for that.
        channel.force(false);
      } catch (ClosedChannelException e) {
        // A roll or close forced this segment before closing it; anything else is a failure.
        synchronized (this) {
          if (durableSequence < sequence) {
            IOException failed = new IOException("write-ahead log " + directory + " was closed before record " + sequence + " was forced", e);
            if (!closed) {
              failure = failed;
            }
            throw failed;
          }
        }
        return;
      } catch (IOException e) {
        synchronized (this) {
          failure = e;
        }
        throw e;
      }
      synchronized (this) {
        durableSequence = Math.max(durableSequence, target);
      }
    }
  }

  /**
   * Reads, in order, every record whose sequence number is at least {@code fromSequence} (or from
   * the oldest record kept, if earlier ones were truncated), including appended but unsynced ones.
   *
   * @return how many records were passed to {@code consumer}
   * @throws CorruptWalException if a record was damaged after the log was opened
   */
  public synchronized long replay(long fromSequence, Consumer<WalRecord> consumer) throws IOException {
    long[] delivered = {0};
    replaySegments(fromSequence, (segment, record) -> {
      if (record.sequence() >= fromSequence) {
        consumer.accept(record);
        delivered[0]++;
      }
    });
    return delivered[0];
  }

  /** Receives the records of {@link #replaySegments}, each with the segment it is in. */
  @FunctionalInterface
  public interface SegmentRecordConsumer {
    /** @param segment the sequence number the record's segment is named by, see {@link #activeSegment()} */
    void accept(long segment, WalRecord record);
  }

  /**
   * Reads, in order, every record of every segment that holds a record at or after {@code
   * fromSequence}, from the first record of each such segment: for payloads that refer to earlier
   * records of their own segment, which the consumer then sees first. Records before {@code
   * fromSequence} are the consumer's to skip.
   *
   * @return how many records were passed to {@code consumer}
   * @throws CorruptWalException if a record was damaged after the log was opened
   */
  public synchronized long replaySegments(long fromSequence, SegmentRecordConsumer consumer) throws IOException {
    ensureOpen();
    Long start = segments.floorKey(fromSequence);
    Map<Long, Path> tail = start == null ? segments : segments.tailMap(start, true);
    long delivered = 0;
    for (Map.Entry<Long, Path> segment : tail.entrySet()) {
      Path path = segment.getValue();
      long size = segment.getKey().equals(segments.lastKey()) ? activeSize : Files.size(path);
      try (SegmentReader reader = new SegmentReader(path, size, segment.getKey())) {
        for (WalRecord record = reader.next(); record != null; record = reader.next()) {
          consumer.accept(segment.getKey(), record);
          delivered++;
        }
      } catch (SegmentReader.BadRecordException bad) {
        throw new CorruptWalException(path, bad.offset, bad.getMessage());
      }
    }
    return delivered;
  }

  /**
   * Deletes every segment whose records all have sequence numbers below {@code sequence}; call it
   * once those records are in immutable shard files. The active segment is never deleted.
   *
   * @return how many segment files were deleted
   */
  public synchronized int truncateBefore(long sequence) throws IOException {
    ensureWritable();
    List<Long> obsolete = new ArrayList<>();
    Long next = segments.higherKey(segments.firstKey());
    for (Long first = segments.firstKey(); next != null && next <= sequence; first = next, next = segments.higherKey(next)) {
      obsolete.add(first);
    }
    // Oldest first, so a crash part-way leaves a log without gaps.
    for (Long first : obsolete) {
      Files.delete(segments.remove(first));
    }
    if (!obsolete.isEmpty()) {
      forceDirectory(directory);
    }
    return obsolete.size();
  }

  /** Forces unsynced records to disk and closes the active segment. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        sync();
      }
    } finally {
      closed = true;
      try {
        active.close();
      } finally {
        lock.close();
      }
    }
  }

  private void roll() throws IOException {
    // The finished segment must be complete on disk: open() treats damage there as corruption.
    active.force(false);
    unsynced = false;
    durableSequence = lastSequence();
    Path path = createSegment(directory, nextSequence);
    FileChannel next = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    active.close();
    active = next;
    activeSize = 0;
    segments.put(nextSequence, path);
  }

  private void write(List<byte[]> payloads, long batchBytes) throws IOException {
    ByteBuffer[] buffers = new ByteBuffer[payloads.size() * 2];
    long sequence = nextSequence;
    for (int i = 0; i < payloads.size(); i++, sequence++) {
      byte[] payload = payloads.get(i);
      buffers[2 * i] = ByteBuffer.allocate(HEADER_BYTES)
          .putInt(payload.length)
          .putInt(SegmentReader.checksum(sequence, payload))
          .putLong(sequence)
          .flip();
      buffers[2 * i + 1] = ByteBuffer.wrap(payload);
    }
    long written = 0;
    while (written < batchBytes) {
      written += active.write(buffers);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("write-ahead log " + directory + " is closed");
    }
  }

  private void ensureWritable() throws IOException {
    ensureOpen();
    if (failure != null) {
      throw new IOException("write-ahead log " + directory + " failed earlier and must be reopened to recover", failure);
    }
  }

  private static TreeMap<Long, Path> listSegments(Path directory) throws IOException {
    TreeMap<Long, Path> segments = new TreeMap<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher name = SEGMENT_NAME.matcher(file.getFileName().toString());
        if (name.matches()) {
          segments.put(Long.parseLong(name.group(1)), file);
        }
      }
    }
    return segments;
  }

  static String segmentName(long firstSequence) {
    return String.format("%020d.wal", firstSequence);
  }

  private static Path createSegment(Path directory, long firstSequence) throws IOException {
    Path path = Files.createFile(directory.resolve(segmentName(firstSequence)));
    // Records in the new file are acknowledged only if the file itself survives a power loss.
    forceDirectory(directory);
    return path;
  }

  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
