package dev.capstan.dataplane.broker.group;

import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import dev.capstan.dataplane.tsdb.wal.Recovery;
import dev.capstan.dataplane.tsdb.wal.WalOptions;
import dev.capstan.dataplane.tsdb.wal.WalRecord;
import dev.capstan.dataplane.tsdb.wal.WriteAheadLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Committed offsets of every group, durable on disk.
 *
 * <p>Every change is one record of a {@link WriteAheadLog} (CRC-32C per record, fsync per append,
 * torn tail cut off on open), so a commit request is atomic: all of its partitions survive a crash
 * or none do. The whole state lives in memory and is rebuilt by replaying the log on open. When
 * the log has grown past {@code compactAfterBytes} and to more than twice the size of the live
 * state, the live state is appended again as a snapshot and the segments before it are deleted.
 * Replaying the kept tail is still correct: records older than the snapshot are overwritten by it,
 * and a key that was deleted before the snapshot has its tombstone after its last put. A snapshot
 * torn by a crash is a prefix of puts of current values, and the old segments are only deleted
 * once it is on disk.
 *
 * <p>Thread-safe: every method is synchronized; a commit's fsync therefore serializes commits of
 * all groups, which is what one log buys.
 */
public final class OffsetStore implements Closeable {

  /** Compact once the log is this large (and more than twice the live state). */
  public static final long DEFAULT_COMPACT_AFTER_BYTES = 64L << 20;

  private static final System.Logger LOG = System.getLogger(OffsetStore.class.getName());
  private static final byte COMMIT = 1;
  private static final byte DELETE_PARTITIONS = 2;
  private static final byte DELETE_GROUP = 3;
  /** Entries per snapshot record, so one record stays far below the WAL's record size limit. */
  private static final int SNAPSHOT_CHUNK = 1000;

  private final WriteAheadLog wal;
  private final long compactAfterBytes;
  private final Map<String, Map<TopicPartition, CommittedOffset>> groups = new HashMap<>();
  private long logBytes;
  private long lastSnapshotBytes;

  private OffsetStore(WriteAheadLog wal, long compactAfterBytes) {
    this.wal = wal;
    this.compactAfterBytes = compactAfterBytes;
  }

  /** Opens (creating if needed) the store in {@code directory} with the default compaction threshold. */
  public static OffsetStore open(Path directory) throws IOException {
    return open(directory, DEFAULT_COMPACT_AFTER_BYTES);
  }

  /**
   * Opens the store, replays its log and compacts it if it has grown too large.
   *
   * @throws IOException if the log is damaged before its last segment or holds a record this code cannot read
   */
  public static OffsetStore open(Path directory, long compactAfterBytes) throws IOException {
    return open(directory, compactAfterBytes, FsyncPolicy.EVERY_BATCH);
  }

  /** Tests that commit thousands of times open with {@link FsyncPolicy#INTERVAL}: same files, no fsync wait. */
  static OffsetStore open(Path directory, long compactAfterBytes, FsyncPolicy fsync) throws IOException {
    if (compactAfterBytes < 1024) {
      throw new IllegalArgumentException("compactAfterBytes must be at least 1024, got " + compactAfterBytes);
    }
    // Segments a quarter of the threshold, so that compaction can free most of the log.
    WriteAheadLog wal = WriteAheadLog.open(directory, new WalOptions(Math.max(compactAfterBytes / 4, 1024), fsync));
    OffsetStore store = new OffsetStore(wal, compactAfterBytes);
    try {
      List<IOException> bad = new ArrayList<>();
      wal.replay(0, record -> {
        try {
          store.apply(record);
        } catch (IOException e) {
          bad.add(e);
        }
      });
      if (!bad.isEmpty()) {
        throw bad.get(0);
      }
      store.logBytes = store.segmentBytes();
      store.maybeCompact();
    } catch (IOException | RuntimeException e) {
      wal.close();
      throw e;
    }
    return store;
  }

  /** What opening the log found and repaired (a torn tail, if any). */
  public Recovery recovery() {
    return wal.recovery();
  }

  /** Stores the offsets of one commit request atomically; on disk when this returns. */
  public synchronized void commit(String groupId, Map<TopicPartition, CommittedOffset> offsets) throws IOException {
    if (offsets.isEmpty()) {
      return;
    }
    append(List.of(encodeCommit(groupId, offsets)));
    groups.computeIfAbsent(groupId, g -> new HashMap<>()).putAll(offsets);
    maybeCompact();
  }

  /** Removes some partitions' offsets of a group (retention expiry); on disk when this returns. */
  public synchronized void delete(String groupId, Collection<TopicPartition> partitions) throws IOException {
    Map<TopicPartition, CommittedOffset> offsets = groups.get(groupId);
    if (offsets == null || partitions.isEmpty()) {
      return;
    }
    append(List.of(encodeDelete(groupId, partitions)));
    partitions.forEach(offsets::remove);
    if (offsets.isEmpty()) {
      groups.remove(groupId);
    }
  }

  /** Removes every offset of a group (DeleteGroups); on disk when this returns. */
  public synchronized void deleteGroup(String groupId) throws IOException {
    if (!groups.containsKey(groupId)) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate(1 + stringSize(groupId));
    buffer.put(DELETE_GROUP);
    putString(buffer, groupId);
    append(List.of(buffer.array()));
    groups.remove(groupId);
  }

  /** A copy of a group's offsets; empty if it has none. */
  public synchronized Map<TopicPartition, CommittedOffset> offsets(String groupId) {
    Map<TopicPartition, CommittedOffset> offsets = groups.get(groupId);
    return offsets == null ? Map.of() : Map.copyOf(offsets);
  }

  /** The groups that hold at least one offset. */
  public synchronized Set<String> groupIds() {
    return Set.copyOf(groups.keySet());
  }

  /** Bytes in the log's segment files; compaction keeps this bounded. */
  public synchronized long logBytes() {
    return logBytes;
  }

  @Override
  public synchronized void close() throws IOException {
    wal.close();
  }

  private void append(List<byte[]> payloads) throws IOException {
    wal.append(payloads);
    for (byte[] payload : payloads) {
      logBytes += payload.length + 16L;
    }
  }

  private void maybeCompact() throws IOException {
    if (logBytes < compactAfterBytes || logBytes <= 2 * lastSnapshotBytes) {
      return;
    }
    long before = logBytes;
    List<byte[]> snapshot = new ArrayList<>();
    for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> group : groups.entrySet()) {
      Map<TopicPartition, CommittedOffset> chunk = new LinkedHashMap<>();
      for (Map.Entry<TopicPartition, CommittedOffset> offset : group.getValue().entrySet()) {
        chunk.put(offset.getKey(), offset.getValue());
        if (chunk.size() == SNAPSHOT_CHUNK) {
          snapshot.add(encodeCommit(group.getKey(), chunk));
          chunk = new LinkedHashMap<>();
        }
      }
      if (!chunk.isEmpty()) {
        snapshot.add(encodeCommit(group.getKey(), chunk));
      }
    }
    long firstSnapshotSequence = wal.lastSequence() + 1;
    append(snapshot);
    lastSnapshotBytes = snapshot.stream().mapToLong(p -> p.length + 16L).sum();
    wal.truncateBefore(firstSnapshotSequence);
    logBytes = segmentBytes();
    long after = logBytes;
    LOG.log(System.Logger.Level.INFO, () -> "compacted consumer offsets log from " + before + " to " + after + " bytes");
  }

  private long segmentBytes() throws IOException {
    long total = 0;
    for (Path segment : wal.segmentFiles()) {
      total += Files.size(segment);
    }
    return total;
  }

  private void apply(WalRecord record) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(record.payload());
    try {
      byte kind = buffer.get();
      String groupId = getString(buffer);
      switch (kind) {
        case COMMIT -> {
          Map<TopicPartition, CommittedOffset> offsets = groups.computeIfAbsent(groupId, g -> new HashMap<>());
          int count = buffer.getInt();
          for (int i = 0; i < count; i++) {
            TopicPartition partition = new TopicPartition(getString(buffer), buffer.getInt());
            offsets.put(partition, new CommittedOffset(buffer.getLong(), buffer.getInt(), getString(buffer), buffer.getLong(),
                buffer.getLong()));
          }
        }
        case DELETE_PARTITIONS -> {
          Map<TopicPartition, CommittedOffset> offsets = groups.getOrDefault(groupId, new HashMap<>());
          int count = buffer.getInt();
          for (int i = 0; i < count; i++) {
            offsets.remove(new TopicPartition(getString(buffer), buffer.getInt()));
          }
          if (offsets.isEmpty()) {
            groups.remove(groupId);
          }
        }
        case DELETE_GROUP -> groups.remove(groupId);
        default -> throw new IOException("consumer offsets log record " + record.sequence() + " has unknown kind " + kind
            + "; was it written by a newer version?");
      }
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new IOException("consumer offsets log record " + record.sequence() + " is malformed despite a valid checksum", e);
    }
  }

  private static byte[] encodeCommit(String groupId, Map<TopicPartition, CommittedOffset> offsets) {
    int size = 1 + stringSize(groupId) + 4;
    for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
      size += stringSize(e.getKey().topic()) + 4 + 8 + 4 + stringSize(e.getValue().metadata()) + 8 + 8;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    buffer.put(COMMIT);
    putString(buffer, groupId);
    buffer.putInt(offsets.size());
    for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
      CommittedOffset offset = e.getValue();
      putString(buffer, e.getKey().topic());
      buffer.putInt(e.getKey().partition());
      buffer.putLong(offset.offset());
      buffer.putInt(offset.leaderEpoch());
      putString(buffer, offset.metadata());
      buffer.putLong(offset.commitTimestampMs());
      buffer.putLong(offset.expireTimestampMs());
    }
    return buffer.array();
  }

  private static byte[] encodeDelete(String groupId, Collection<TopicPartition> partitions) {
    int size = 1 + stringSize(groupId) + 4;
    for (TopicPartition partition : partitions) {
      size += stringSize(partition.topic()) + 4;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    buffer.put(DELETE_PARTITIONS);
    putString(buffer, groupId);
    buffer.putInt(partitions.size());
    for (TopicPartition partition : partitions) {
      putString(buffer, partition.topic());
      buffer.putInt(partition.partition());
    }
    return buffer.array();
  }

  private static int stringSize(String s) {
    return 4 + s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void putString(ByteBuffer buffer, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buffer.putInt(bytes.length);
    buffer.put(bytes);
  }

  private static String getString(ByteBuffer buffer) {
    int length = buffer.getInt();
    if (length < 0 || length > buffer.remaining()) {
      throw new IllegalArgumentException("string length " + length + " exceeds the record");
    }
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
