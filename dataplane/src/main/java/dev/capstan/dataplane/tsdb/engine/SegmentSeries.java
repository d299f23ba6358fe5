package dev.capstan.dataplane.tsdb.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The series a WAL segment's version-2 records have defined, by Series instance, with their
 * numbers in that segment (see {@link WalPayload}). Belongs to one segment: a new segment starts
 * a new one. Two instances of one series (say one decoded from the WAL and one a write built) get
 * two numbers, which decode to equal series. Not thread-safe: the shard's write lock guards it.
 *
 * <p>A series also remembers its number in the last segment that numbered it ({@link
 * Series#walNumber()}), so a write finds it without probing this table: with thousands of series
 * per batch, the probe was a cache miss or two per point under the shard's lock. The table stays
 * the truth; the series' copy is only a shortcut, checked against this instance's {@link #id}.
 */
final class SegmentSeries {
  /** Ids of instances, unique within the process; 0 is never one (a series' "no number"). */
  private static final AtomicInteger IDS = new AtomicInteger();

  private final long segment;
  /**
   * Tells this instance's numbers apart in {@link Series#walNumber()}. Ids wrap only after 2^32
   * instances (one per WAL segment a shard opens, 16 MiB apiece by default), which no process lives to see.
   */
  private final int id = nextId();
  /** Numbers below this were defined by records written before the log was last opened. */
  private final int before;
  /** The series this instance defined, numbered from {@link #before}. */
  private final List<Series> defined = new ArrayList<>();
  private Series[] keys = new Series[64];
  private int[] numbers = new int[64];

  /**
   * @param segment the segment's name, {@link dev.capstan.dataplane.tsdb.wal.WriteAheadLog#activeSegment()}
   * @param alreadyDefined how many series the segment's records define already (found when replaying it)
   */
  SegmentSeries(long segment, int alreadyDefined) {
    this.segment = segment;
    this.before = alreadyDefined;
  }

  long segment() {
    return segment;
  }

  /** How many series the segment defines, counting those of its records before this instance. */
  int size() {
    return before + defined.size();
  }

  /** The number of this series instance in the segment, or -1 if this instance has not defined it. */
  int numberOf(Series series) {
    long remembered = series.walNumber();
    if ((int) (remembered >>> 32) == id) {
      return (int) remembered;
    }
    int mask = keys.length - 1;
    for (int slot = slotOf(series, mask); ; slot = (slot + 1) & mask) {
      Series key = keys[slot];
      if (key == series) {
        // Another segment (of another shard) numbered the series since; take it back.
        series.walNumber(numbered(numbers[slot]));
        return numbers[slot];
      }
      if (key == null) {
        return -1;
      }
    }
  }

  /** Defines a series {@link #numberOf} does not know; returns its number. */
  int define(Series series) {
    int number = size();
    defined.add(series);
    if (defined.size() * 2 > keys.length) {
      rebuild(keys.length * 2, defined.size());
    } else {
      insert(series, number);
    }
    series.walNumber(numbered(number));
    return number;
  }

  /** Forgets the series defined after the segment held {@code size} of them: their record was not written. */
  void truncate(int size) {
    if (size < before || size > size()) {
      throw new IllegalArgumentException("size " + size + " outside [" + before + ", " + size() + "]");
    }
    for (Series forgotten : defined.subList(size - before, defined.size())) {
      if ((int) (forgotten.walNumber() >>> 32) == id) {
        forgotten.walNumber(0);
      }
    }
    rebuild(keys.length, size - before);
  }

  /** This instance's id and a number, as a series remembers them. */
  private long numbered(int number) {
    return (long) id << 32 | (number & 0xFFFF_FFFFL);
  }

  private static int nextId() {
    int id;
    do {
      id = IDS.incrementAndGet();
    } while (id == 0);
    return id;
  }

  private void rebuild(int capacity, int keep) {
    defined.subList(keep, defined.size()).clear();
    keys = new Series[capacity];
    numbers = new int[capacity];
    for (int i = 0; i < defined.size(); i++) {
      insert(defined.get(i), before + i);
    }
  }

  private void insert(Series series, int number) {
    int mask = keys.length - 1;
    int slot = slotOf(series, mask);
    while (keys[slot] != null) {
      slot = (slot + 1) & mask;
    }
    keys[slot] = series;
    numbers[slot] = number;
  }

  private static int slotOf(Series series, int mask) {
    return (System.identityHashCode(series) * 0x9E3779B9) & mask;
  }
}
