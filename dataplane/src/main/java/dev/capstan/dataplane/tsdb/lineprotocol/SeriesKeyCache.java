package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Series keys (the bytes before the first unescaped space of a line) parsed by earlier batches,
 * with what they parsed to. A batch of 5,000 points over 10,000 series names each series once,
 * so the parser's per-batch table never hits and every line paid for a full key parse, fresh
 * strings and, in the engine, hashing them again; this cache, shared by the batches of one node,
 * answers them from the raw bytes. Thread-safe. It stops taking new keys when full: a node with
 * more series than that parses the rest as before, it never evicts (no churn under high
 * cardinality). It holds only parse results, so nothing the engine drops can go stale here.
 */
public final class SeriesKeyCache {
  /** Enough for the series of a large node; about 200 bytes each with short keys. */
  public static final int DEFAULT_MAX_ENTRIES = 1 << 16;

  private final ConcurrentHashMap<Key, BatchStrings.SeriesOfKey> seen = new ConcurrentHashMap<>();
  private final int maxEntries;

  public SeriesKeyCache(int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries must not be negative, was " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /** Keys held; at most the maximum given. */
  public int size() {
    return seen.size();
  }

  /** What {@code b[0, keyEnd)} parsed to, given the bytes' {@link #hash}. */
  BatchStrings.SeriesOfKey get(byte[] b, int keyEnd, int hash) {
    return seen.get(new Key(b, keyEnd, hash));
  }

  /** The hash of {@code b[0, length)} the cache files keys under. */
  static int hash(byte[] b, int length) {
    int h = 1;
    for (int i = 0; i < length; i++) {
      h = 31 * h + b[i];
    }
    return h;
  }

  void put(byte[] b, int keyEnd, String measurement, List<Tag> tags) {
    // size() is a sum over counters, not exact under races: a few entries past the bound are harmless.
    if (seen.size() < maxEntries) {
      seen.putIfAbsent(new Key(Arrays.copyOf(b, keyEnd), keyEnd, hash(b, keyEnd)), new BatchStrings.SeriesOfKey(measurement, tags));
    }
  }

  /** The bytes {@code [0, length)} of an array: a lookup wraps the line without copying it. */
  private static final class Key {
    private final byte[] bytes;
    private final int length;
    private final int hash;

    Key(byte[] bytes, int length, int hash) {
      this.bytes = bytes;
      this.length = length;
      this.hash = hash;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key other && hash == other.hash
          && Arrays.equals(bytes, 0, length, other.bytes, 0, other.length);
    }
  }
}
