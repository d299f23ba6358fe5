package dev.capstan.dataplane.broker.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;

/**
 * The idempotent-producer bookkeeping of one partition, as Kafka's ProducerStateManager keeps it:
 * per producer id the current epoch and the last five batches' sequence ranges with the offsets
 * they got, so that a retried batch is answered with its original offsets instead of being
 * written twice, and a gap in sequences is refused. Pure: the caller appends and then records.
 */
final class ProducerStates {

  /** Kafka keeps this many batches per producer; a client has at most this many in flight. */
  static final int CACHED_BATCHES = 5;

  /** The sequences and offsets of one appended batch. */
  record BatchMeta(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {}

  /** What to do with an incoming batch. */
  sealed interface Verdict {
    /** Write it. */
    record Append() implements Verdict {}

    /** Already written: answer with these offsets, write nothing. */
    record Duplicate(BatchMeta original) implements Verdict {}

    /** Refuse it with this error. */
    record Refuse(Errors error, String message) implements Verdict {}
  }

  private static final class Entry {
    short epoch;
    final Deque<BatchMeta> batches = new ArrayDeque<>();
  }

  private final Map<Long, Entry> producers = new HashMap<>();

  /** Judges a batch of {@code producerId} (non-negative) before it is appended. */
  Verdict check(long producerId, short epoch, int firstSeq, int lastSeq) {
    Entry entry = producers.get(producerId);
    if (entry == null) {
      // Unknown producer (new, or its state is older than what we rebuilt): Kafka accepts any
      // sequence here, since it cannot tell a gap from a state it no longer has.
      return new Verdict.Append();
    }
    if (epoch < entry.epoch) {
      return new Verdict.Refuse(Errors.INVALID_PRODUCER_EPOCH, "Epoch of producer " + producerId + " is " + epoch
          + ", which is smaller than the last seen epoch " + entry.epoch);
    }
    if (epoch > entry.epoch) {
      return firstSeq == 0
          ? new Verdict.Append()
          : new Verdict.Refuse(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Invalid sequence number for new epoch of producer "
              + producerId + ": " + epoch + " (request epoch), " + firstSeq + " (seq. number), expected 0");
    }
    for (BatchMeta batch : entry.batches) {
      if (batch.firstSeq() == firstSeq && batch.lastSeq() == lastSeq) {
        return new Verdict.Duplicate(batch);
      }
    }
    int lastSeen = entry.batches.isEmpty() ? -1 : entry.batches.peekLast().lastSeq();
    if (lastSeen == -1 || inSequence(lastSeen, firstSeq)) {
      return new Verdict.Append();
    }
    return new Verdict.Refuse(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Out of order sequence number for producer "
        + producerId + " at offset " + batchOffsetHint(entry) + ": " + firstSeq + " (incoming seq. number), "
        + lastSeen + " (current end sequence number)");
  }

  private static long batchOffsetHint(Entry entry) {
    return entry.batches.isEmpty() ? -1 : entry.batches.peekLast().lastOffset() + 1;
  }

  /** Remembers an appended (or, on recovery, a found) batch. */
  void record(long producerId, short epoch, BatchMeta batch) {
    Entry entry = producers.computeIfAbsent(producerId, id -> new Entry());
    if (epoch != entry.epoch) {
      entry.batches.clear();
      entry.epoch = epoch;
    }
    entry.batches.addLast(batch);
    while (entry.batches.size() > CACHED_BATCHES) {
      entry.batches.removeFirst();
    }
  }

  int size() {
    return producers.size();
  }

  /** Sequences wrap from Integer.MAX_VALUE to 0, as in Kafka. */
  static boolean inSequence(int lastSeq, int nextSeq) {
    return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
  }
}
