package dev.capstan.dataplane.tsdb.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The series a WAL segment's version-2 records have defined, by Series instance, with their
 * numbers in that segment (see {@link WalPayload}). Belongs to one segment: a new segment starts
 * a new one. Two instances of one series (say one decoded from the WAL and one a write built) get
 * two numbers, which decode to equal series. Not thread-safe: the shard's write lock guards it.
 */
final class SegmentSeries {
  private final long segment;
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
    int mask = keys.length - 1;
    for (int slot = slotOf(series, mask); ; slot = (slot + 1) & mask) {
      Series key = keys[slot];
      if (key == series) {
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
    return number;
  }

  /** Forgets the series defined after the segment held {@code size} of them: their record was not written. */
  void truncate(int size) {
    if (size < before || size > size()) {
      throw new IllegalArgumentException("size " + size + " outside [" + before + ", " + size() + "]");
    }
    rebuild(keys.length, size - before);
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
