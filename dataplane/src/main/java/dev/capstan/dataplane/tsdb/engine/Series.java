package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.util.TreeMap;

/**
 * A series as the write path carries it, built once per series and shared by all its points: its
 * key, the key's text and its entry in a WAL record's series table. Every WAL record lists the
 * series of its points; encoding measurement and tags again for each record was a fifth of the
 * WAL's cost, and with thousands of series per batch most of it. Immutable but for a cache of
 * where the series' points go in a memtable ({@link #memtableBuffer()}).
 */
final class Series {
  private final SeriesKey key;
  private final String keyText;
  private final byte[] walEntry;
  /** {@code walEntry.length}, here so sizing a WAL record does not load every series' entry (a cache miss apiece). */
  private final int walEntryBytes;
  /**
   * This series' buffer in the memtable it was last written to, so a write appends there without
   * looking the series up (with thousands of series per batch, a hash lookup per point that
   * missed the CPU cache). Only {@link Memtable} reads and writes it, under its shard's lock;
   * writers of different shards may race on it, which is harmless: the buffer's fields are final,
   * so a racy read sees it whole, and its memtable is checked on every use.
   */
  private Memtable.SeriesBuffer memtableBuffer;
  /**
   * This series' number in the WAL segment that last numbered it: that {@link SegmentSeries}' id
   * in the high 32 bits, the number in the low ones, 0 for none. One volatile long so that
   * writers of different shards racing on it (each under its own shard's lock) can never pair
   * one segment's id with another's number; reads cost a plain load.
   */
  private volatile long walNumber;

  private Series(SeriesKey key, String keyText, byte[] walEntry) {
    this.key = key;
    this.keyText = keyText;
    this.walEntry = walEntry;
    this.walEntryBytes = walEntry.length;
  }

  /** The series of a point (its measurement and tags). */
  static Series of(Point point) {
    TreeMap<String, String> tags = new TreeMap<>();
    for (Tag tag : point.tags()) {
      tags.put(tag.key(), tag.value());
    }
    SeriesKey key = new SeriesKey(point.measurement(), tags);
    return new Series(key, key.text(), WalPayload.seriesEntry(point.measurement(), point.tags()));
  }

  /** A series decoded from a WAL record, with the entry bytes it was decoded from. */
  static Series decoded(SeriesKey key, byte[] walEntry) {
    return new Series(key, key.text(), walEntry);
  }

  SeriesKey key() {
    return key;
  }

  /** influxd's key text, see {@link SeriesKey#text()}; the memtable's and index's key. */
  String keyText() {
    return keyText;
  }

  Memtable.SeriesBuffer memtableBuffer() {
    return memtableBuffer;
  }

  void memtableBuffer(Memtable.SeriesBuffer buffer) {
    memtableBuffer = buffer;
  }

  /** See {@link #walNumber}; only {@link SegmentSeries} reads and writes it. */
  long walNumber() {
    return walNumber;
  }

  void walNumber(long idAndNumber) {
    walNumber = idAndNumber;
  }

  int walEntryBytes() {
    return walEntryBytes;
  }

  /** Not copied: callers only write it out. */
  byte[] walEntry() {
    return walEntry;
  }
}
