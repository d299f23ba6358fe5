package dev.capstan.dataplane.tsdb.lineprotocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The strings of one batch, by their bytes: a batch names few measurements, tags and fields many
 * times, so decoding each once and handing out the same instance saves the allocation and, for
 * the engine, the hashing (a String caches its hash) of every repeat. Lives as long as one
 * {@link LineProtocolParser#parse} call; not thread-safe. Series keys are also looked up in, and
 * added to, a {@link SeriesKeyCache} shared across batches when the caller gives one.
 */
final class BatchStrings {
  /** Past this many distinct entries a batch is mostly unique keys; stop remembering new ones. */
  private static final int MAX_ENTRIES = 1 << 16;

  /** A series key's parse: the measurement and the sorted, immutable tag list. */
  record SeriesOfKey(String measurement, List<Tag> tags) {}

  private final Table texts = new Table();
  private final Table series = new Table();
  /** Keys of earlier batches, or null to parse every batch on its own. */
  private final SeriesKeyCache earlier;

  BatchStrings(SeriesKeyCache earlier) {
    this.earlier = earlier;
  }

  /** The UTF-8 text of {@code b[from, to)}, the same instance for the same bytes. */
  String text(byte[] b, int from, int to) {
    int slot = texts.find(b, from, to);
    Object known = texts.value(slot);
    if (known != null) {
      return (String) known;
    }
    String text = new String(b, from, to - from, StandardCharsets.UTF_8);
    texts.put(slot, b, from, to, text);
    return text;
  }

  /** What the series key {@code b[0, keyEnd)} parsed to earlier in this batch, or null. */
  SeriesOfKey series(byte[] b, int keyEnd) {
    // One pass over the key hashes it for both tables (with many series per batch most keys miss
    // this batch's table and are looked up in the shared one too).
    int hash = SeriesKeyCache.hash(b, keyEnd);
    SeriesOfKey known = (SeriesOfKey) series.value(series.find(b, 0, keyEnd, Table.spread(hash)));
    return known != null || earlier == null ? known : earlier.get(b, keyEnd, hash);
  }

  void rememberSeries(byte[] b, int keyEnd, String measurement, List<Tag> tags) {
    series.put(series.find(b, 0, keyEnd), b, 0, keyEnd, new SeriesOfKey(measurement, tags));
    if (earlier != null) {
      earlier.put(b, keyEnd, measurement, tags);
    }
  }

  /** Open addressing over byte-string keys, linear probing; grows at half full. */
  private static final class Table {
    private byte[][] keys = new byte[64][];
    private int[] hashes = new int[64];
    private Object[] values = new Object[64];
    private int size;

    /** The slot holding these bytes, or the empty slot where they would go. */
    int find(byte[] b, int from, int to) {
      return find(b, from, to, hash(b, from, to));
    }

    /** {@link #find(byte[], int, int)} with the bytes' {@link #hash} already computed. */
    int find(byte[] b, int from, int to, int hash) {
      int mask = keys.length - 1;
      for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
        byte[] key = keys[slot];
        if (key == null || (hashes[slot] == hash && Arrays.equals(key, 0, key.length, b, from, to))) {
          return slot;
        }
      }
    }

    Object value(int slot) {
      return values[slot];
    }

    void put(int slot, byte[] b, int from, int to, Object value) {
      if (keys[slot] != null || size >= MAX_ENTRIES) {
        return;
      }
      keys[slot] = Arrays.copyOfRange(b, from, to);
      hashes[slot] = hash(b, from, to);
      values[slot] = value;
      if (++size * 2 > keys.length) {
        grow();
      }
    }

    private void grow() {
      byte[][] oldKeys = keys;
      int[] oldHashes = hashes;
      Object[] oldValues = values;
      keys = new byte[oldKeys.length * 2][];
      hashes = new int[keys.length];
      values = new Object[keys.length];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != null) {
          int slot = oldHashes[i] & mask;
          while (keys[slot] != null) {
            slot = (slot + 1) & mask;
          }
          keys[slot] = oldKeys[i];
          hashes[slot] = oldHashes[i];
          values[slot] = oldValues[i];
        }
      }
    }

    private static int hash(byte[] b, int from, int to) {
      int h = 1;
      for (int i = from; i < to; i++) {
        h = 31 * h + b[i];
      }
      return spread(h);
    }

    /** Mixes the high bits of a polynomial hash into the low ones the table's mask keeps. */
    static int spread(int h) {
      return h ^ (h >>> 16);
    }
  }
}
