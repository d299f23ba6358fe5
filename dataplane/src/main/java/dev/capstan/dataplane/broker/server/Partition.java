package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.log.CheckedBatch;
import dev.capstan.dataplane.broker.log.CorruptBatchException;
import dev.capstan.dataplane.broker.log.LogSlice;
import dev.capstan.dataplane.broker.log.OffsetOutOfRangeException;
import dev.capstan.dataplane.broker.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * A partition this broker leads: its log, its idempotent-producer state and the fetches waiting
 * for its next append. Every method holds the partition's monitor: the log is not thread-safe,
 * and producer checks must see the log end offset they are appended at.
 */
final class Partition implements AutoCloseable, GroupCommit.Target {

  /** What a produce to this partition came to. */
  record AppendOutcome(Errors error, String message, long baseOffset, int records, int bytes) {
    static AppendOutcome failed(Errors error, String message) {
      return new AppendOutcome(error, message, -1, 0, 0);
    }
  }

  /** Offsets for ListOffsets: an offset and the timestamp of its record (-1 if not by time). */
  record OffsetAndTimestamp(long offset, long timestamp) {}

  private static final int RECOVERY_READ_BYTES = 1 << 20;

  private final TopicPartition id;
  private final Path dir;
  private final Clock clock;
  private final Set<Runnable> appendWaiters = new CopyOnWriteArraySet<>();
  private final ProducerStates producers = new ProducerStates();
  private PartitionLog log;
  private TopicConfigs.Settings settings;

  private Partition(TopicPartition id, Path dir, Clock clock, TopicConfigs.Settings settings, PartitionLog log) {
    this.id = id;
    this.dir = dir;
    this.clock = clock;
    this.settings = settings;
    this.log = log;
  }

  /** Opens (recovering if needed) the partition's log and rebuilds producer state from its active segment. */
  static Partition open(TopicPartition id, Path dir, TopicConfigs.Settings settings, Clock clock) throws IOException {
    Partition partition = new Partition(id, dir, clock, settings, PartitionLog.open(dir, settings.logConfig(), clock));
    partition.rebuildProducerState();
    return partition;
  }

  /**
   * Kafka snapshots producer state; we instead rescan the active segment's batch headers, which
   * covers the batches a producer can still be retrying (its last five) in all but a just-rolled
   * log, where a retry is then accepted as new (Kafka's rule for an unknown producer).
   */
  private void rebuildProducerState() throws IOException {
    java.util.List<Long> bases = log.segmentBaseOffsets();
    long offset = bases.get(Math.max(0, bases.size() - 2));
    while (offset < log.logEndOffset()) {
      byte[] chunk = log.read(offset, RECOVERY_READ_BYTES);
      if (chunk.length == 0) {
        break;
      }
      for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(chunk)).batches()) {
        if (batch.hasProducerId() && batch.baseSequence() >= 0) {
          producers.record(batch.producerId(), batch.producerEpoch(),
              new ProducerStates.BatchMeta(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset()));
        }
        offset = batch.nextOffset();
      }
    }
  }

  TopicPartition id() {
    return id;
  }

  /**
   * Appends the batches of one produce request. Each is checked (magic 2, CRC, size, producer
   * sequence) before anything is written, so a refused request writes nothing. Nothing is synced
   * here: acks=all waits for {@link #sync()} through {@link GroupCommit}, outside the monitor.
   */
  synchronized AppendOutcome append(MemoryRecords records) throws IOException {
    java.util.List<MutableRecordBatch> batches = new java.util.ArrayList<>();
    for (MutableRecordBatch batch : records.batches()) {
      batches.add(batch);
    }
    if (batches.isEmpty()) {
      return AppendOutcome.failed(Errors.CORRUPT_MESSAGE, "produce request for " + id + " holds no record batch");
    }
    Long duplicateBase = null;
    // the batches lie back to back in the request's buffer: each is checked (its CRC computed
    // once, here) and later appended as a slice of it, uncopied
    java.util.List<CheckedBatch> checked = new java.util.ArrayList<>(batches.size());
    ByteBuffer request = records.buffer();
    int position = request.position();
    for (MutableRecordBatch batch : batches) {
      if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
        return AppendOutcome.failed(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, "only record batch format v2 is supported");
      }
      ByteBuffer slice = request.duplicate().position(position).limit(position + batch.sizeInBytes());
      position += batch.sizeInBytes();
      try {
        checked.add(CheckedBatch.check(slice));
      } catch (CorruptBatchException e) {
        return AppendOutcome.failed(Errors.CORRUPT_MESSAGE, "record batch for " + id + " is corrupt: " + e.getMessage());
      }
      if (batch.sizeInBytes() > settings.maxMessageBytes()) {
        return AppendOutcome.failed(Errors.MESSAGE_TOO_LARGE, "batch of " + batch.sizeInBytes()
            + " bytes exceeds max.message.bytes " + settings.maxMessageBytes() + " of " + id.topic());
      }
      if (batch.isTransactional() || batch.isControlBatch()) {
        return AppendOutcome.failed(Errors.UNSUPPORTED_VERSION, "transactions are not supported by this broker yet");
      }
      if (batch.hasProducerId() && batch.baseSequence() >= 0) {
        ProducerStates.Verdict verdict =
            producers.check(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence());
        if (verdict instanceof ProducerStates.Verdict.Refuse refuse) {
          return AppendOutcome.failed(refuse.error(), refuse.message());
        }
        if (verdict instanceof ProducerStates.Verdict.Duplicate duplicate) {
          if (batches.size() != 1) {
            return AppendOutcome.failed(Errors.INVALID_RECORD, "a duplicate batch must come alone");
          }
          duplicateBase = duplicate.original().firstOffset();
        }
      }
    }
    if (duplicateBase != null) {
      return new AppendOutcome(Errors.NONE, null, duplicateBase, 0, 0);
    }
    long firstOffset = -1;
    int count = 0;
    int bytes = 0;
    for (int i = 0; i < batches.size(); i++) {
      MutableRecordBatch batch = batches.get(i);
      long base = log.append(checked.get(i));
      if (firstOffset < 0) {
        firstOffset = base;
      }
      int lastOffsetDelta = (int) (batch.lastOffset() - batch.baseOffset());
      if (batch.hasProducerId() && batch.baseSequence() >= 0) {
        producers.record(batch.producerId(), batch.producerEpoch(),
            new ProducerStates.BatchMeta(batch.baseSequence(), batch.lastSequence(), base, base + lastOffsetDelta));
      }
      count += lastOffsetDelta + 1;
      bytes += batch.sizeInBytes();
    }
    for (Runnable waiter : appendWaiters) {
      waiter.run();
    }
    return new AppendOutcome(Errors.NONE, null, firstOffset, count, bytes);
  }

  /** Whole batches from {@code offset}; empty at the log end offset. */
  synchronized byte[] read(long offset, int maxBytes) throws IOException {
    return log.read(offset, maxBytes);
  }

  /**
   * The same batches as {@link #read}, left in the segment file for sending without a copy; the
   * caller owns the slice. Every batch in it is complete and below the log end offset, which is
   * this broker's high watermark (no replication yet).
   *
   * <p>Records are visible before they are fsynced, as in Kafka, and that is deliberate: the
   * durability promise is about acknowledgements (an acks=all producer hears success only after
   * the sync), and a broker process that dies keeps its writes in the page cache; only a machine
   * crash can take back a record a consumer has seen, and that record's producer was never told
   * it was durable. Holding fetches back until the sync would add the sync's time to every
   * end-to-end latency.
   */
  synchronized java.util.Optional<LogSlice> slice(long offset, int maxBytes) throws IOException {
    return log.slice(offset, maxBytes);
  }

  synchronized long logStartOffset() {
    return log.logStartOffset();
  }

  synchronized long logEndOffset() {
    return log.logEndOffset();
  }

  synchronized long sizeInBytes() {
    return log.sizeInBytes();
  }

  synchronized java.util.List<Long> segmentBaseOffsets() {
    return log.segmentBaseOffsets();
  }

  /**
   * The first record whose timestamp is at least {@code timestamp}: the log's time index finds the
   * batch, then the batch's records are decoded for the exact offset, as Kafka answers.
   */
  synchronized java.util.Optional<OffsetAndTimestamp> offsetForTimestamp(long timestamp) throws IOException {
    java.util.OptionalLong batchBase = log.offsetForTimestamp(timestamp);
    if (batchBase.isEmpty()) {
      return java.util.Optional.empty();
    }
    long from = batchBase.getAsLong();
    while (from < log.logEndOffset()) {
      byte[] chunk = log.read(from, 1);
      if (chunk.length == 0) {
        break;
      }
      for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(chunk)).batches()) {
        if (batch.maxTimestamp() >= timestamp) {
          try (CloseableIterator<Record> it = batch.streamingIterator(org.apache.kafka.common.utils.BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
              Record record = it.next();
              if (record.timestamp() >= timestamp) {
                return java.util.Optional.of(new OffsetAndTimestamp(record.offset(), record.timestamp()));
              }
            }
          }
        }
        from = batch.nextOffset();
      }
    }
    return java.util.Optional.empty();
  }

  /** The record with the largest timestamp (the first such), for ListOffsets' max timestamp; a full scan. */
  synchronized java.util.Optional<OffsetAndTimestamp> maxTimestamp() throws IOException {
    long from = log.logStartOffset();
    long bestTimestamp = -1;
    long bestBatch = -1;
    while (from < log.logEndOffset()) {
      byte[] chunk = log.read(from, RECOVERY_READ_BYTES);
      if (chunk.length == 0) {
        break;
      }
      for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(chunk)).batches()) {
        if (batch.maxTimestamp() > bestTimestamp) {
          bestTimestamp = batch.maxTimestamp();
          bestBatch = batch.baseOffset();
        }
        from = batch.nextOffset();
      }
    }
    if (bestBatch < 0) {
      return java.util.Optional.empty();
    }
    for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(log.read(bestBatch, 1))).batches()) {
      try (CloseableIterator<Record> it = batch.streamingIterator(org.apache.kafka.common.utils.BufferSupplier.NO_CACHING)) {
        while (it.hasNext()) {
          Record record = it.next();
          if (record.timestamp() == bestTimestamp) {
            return java.util.Optional.of(new OffsetAndTimestamp(record.offset(), record.timestamp()));
          }
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** Applies new settings; a segment size or age change reopens the log, as the log's config is fixed. */
  synchronized void reconfigure(TopicConfigs.Settings next) throws IOException {
    boolean reopen = !next.logConfig().equals(settings.logConfig());
    settings = next;
    if (reopen) {
      log.close();
      log = PartitionLog.open(dir, next.logConfig(), clock);
    }
  }

  /** Deletes segments past the topic's retention; returns how many went. */
  synchronized int applyRetention(long nowMs) throws IOException {
    return log.deleteOldSegments(nowMs, settings.retentionMs(), settings.retentionBytes());
  }

  /** The log end offset: a sync started now covers every offset below it. */
  @Override
  public synchronized long appendedUpTo() {
    return log.logEndOffset();
  }

  /**
   * Syncs everything appended so far and returns the offset it covers. The fdatasync runs
   * without the partition's monitor, so appends (the next produce requests) go on while the disk
   * works, and several calls may sync at once: each covers the log end it found, and the log's
   * recovery point only grows. A call that finds everything synced returns at once.
   */
  @Override
  public long sync() throws IOException {
    PartitionLog.Flush started;
    synchronized (this) {
      if (log.recoveryPoint() >= log.logEndOffset()) {
        return log.recoveryPoint();
      }
      started = log.startFlush();
    }
    try {
      started.sync();
    } catch (ClosedChannelException e) {
      // the segment closed meanwhile: the log reopened (its close synced it), or a roll synced it
      // and retention took it; syncing the current log covers the rest
      synchronized (this) {
        log.flush();
      }
      return started.endOffset();
    }
    synchronized (this) {
      started.done();
    }
    return started.endOffset();
  }

  void addAppendWaiter(Runnable waiter) {
    appendWaiters.add(waiter);
  }

  void removeAppendWaiter(Runnable waiter) {
    appendWaiters.remove(waiter);
  }

  /** Fetches parked on this partition, waiting for an append. */
  int waitingFetches() {
    return appendWaiters.size();
  }

  static boolean isOutOfRange(Exception e) {
    return e instanceof OffsetOutOfRangeException;
  }

  @Override
  public String toString() {
    return id.toString();
  }

  @Override
  public synchronized void close() throws IOException {
    log.close();
  }
}
