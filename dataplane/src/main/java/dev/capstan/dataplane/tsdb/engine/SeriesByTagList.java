package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import java.util.List;

/**
 * Indexed series by the instance of the tag list a point names them with. The parser hands out
 * one tag list per series key and, through its key cache, the same list in every batch, so the
 * list's identity finds the series with no hashing of tags: with 10,000 series a batch of 5,000
 * points has 5,000 distinct series, and hashing each point's tags (a record hash per tag, through
 * method handles) to look it up by value was an eighth of a write's CPU.
 *
 * <p>A cache in front of {@link SeriesIndex#indexed}: it holds only series already in the index,
 * and a miss just means the slower lookup by value. Several lists may name one series (lists
 * parsed before the key cache knew the key), and one list may serve several measurements (the
 * shared empty list), so an entry matches by list identity and measurement. It stops taking
 * entries when full, as the parser's key cache does, so lists that are not reused cannot make it
 * grow without bound. Reads take no lock: they see an immutable table published through a
 * volatile field; writers copy it, once per batch of additions.
 */
final class SeriesByTagList {
  private final int maxEntries;
  private volatile Table table = new Table(new Object[16], new String[16], new Series[16], 0);

  /** Measurements beside the lists, so a match needs no load from the series (a cache miss apiece with many series). */
  private record Table(Object[] lists, String[] measurements, Series[] series, int size) {}

  SeriesByTagList(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** The series whose points name {@code measurement} and this very tag list, or null. */
  Series get(String measurement, List<Tag> tags) {
    Table t = table;
    Object[] lists = t.lists;
    int mask = lists.length - 1;
    for (int slot = slotOf(tags, mask); ; slot = (slot + 1) & mask) {
      Object list = lists[slot];
      if (list == null) {
        return null;
      }
      if (list == tags) {
        String known = t.measurements[slot];
        if (known == measurement || known.equals(measurement)) {
          return t.series[slot];
        }
      }
    }
  }

  /**
   * Adds the series of these tag lists ({@code tags.get(i)} names {@code series.get(i)}), each
   * already in the index; lists already known, and everything past the maximum, are skipped.
   */
  synchronized void addAll(List<List<Tag>> tags, List<Series> series) {
    Table t = table;
    int room = maxEntries - t.size;
    if (tags.isEmpty() || room <= 0) {
      return;
    }
    int wanted = t.size + Math.min(room, tags.size());
    int capacity = t.lists.length;
    while (wanted * 2 > capacity) {
      capacity *= 2;
    }
    Object[] lists = new Object[capacity];
    String[] measurements = new String[capacity];
    Series[] values = new Series[capacity];
    int mask = capacity - 1;
    for (int i = 0; i < t.lists.length; i++) {
      if (t.lists[i] != null) {
        int slot = slotOf(t.lists[i], mask);
        while (lists[slot] != null) {
          slot = (slot + 1) & mask;
        }
        lists[slot] = t.lists[i];
        measurements[slot] = t.measurements[i];
        values[slot] = t.series[i];
      }
    }
    int size = t.size;
    for (int i = 0; i < tags.size() && size < maxEntries; i++) {
      List<Tag> list = tags.get(i);
      Series s = series.get(i);
      int slot = slotOf(list, mask);
      boolean known = false;
      while (lists[slot] != null) {
        if (lists[slot] == list && measurements[slot].equals(s.key().measurement())) {
          known = true;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (!known) {
        lists[slot] = list;
        measurements[slot] = s.key().measurement();
        values[slot] = s;
        size++;
      }
    }
    table = new Table(lists, measurements, values, size);
  }

  /** Entries held; at most the maximum given. */
  int size() {
    return table.size;
  }

  private static int slotOf(Object list, int mask) {
    return (System.identityHashCode(list) * 0x9E3779B9) & mask;
  }
}
