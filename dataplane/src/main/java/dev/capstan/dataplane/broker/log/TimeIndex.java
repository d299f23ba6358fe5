package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A segment's sparse map from a timestamp to the first batch whose max timestamp reached it: one
 * 12-byte entry (i64 timestamp, i32 relative base offset), added only when the segment's max
 * timestamp grew. Every batch before an entry's batch therefore has a smaller max timestamp, so a
 * search may start at the entry. The entry written when a segment stops being active holds the
 * segment's max timestamp, which retention reads after a restart.
 */
final class TimeIndex implements AutoCloseable {

  static final int ENTRY_BYTES = 12;

  private final IndexFile file;
  private long[] timestamps;
  private int[] relativeOffsets;
  private int entries;

  private TimeIndex(IndexFile file, long[] timestamps, int[] relativeOffsets, int entries) {
    this.file = file;
    this.timestamps = timestamps;
    this.relativeOffsets = relativeOffsets;
    this.entries = entries;
  }

  static TimeIndex create(Path path) throws IOException {
    return new TimeIndex(IndexFile.create(path), new long[16], new int[16], 0);
  }

  /**
   * The index stored at {@code path}, or empty when it is missing or malformed: a torn entry,
   * timestamps that do not strictly increase or offsets that go back.
   */
  static Optional<TimeIndex> load(Path path) throws IOException {
    Optional<ByteBuffer> stored = IndexFile.readEntries(path, ENTRY_BYTES);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer buffer = stored.get();
    int count = buffer.remaining() / ENTRY_BYTES;
    long[] timestamps = new long[Math.max(16, count)];
    int[] relativeOffsets = new int[Math.max(16, count)];
    for (int i = 0; i < count; i++) {
      timestamps[i] = buffer.getLong();
      relativeOffsets[i] = buffer.getInt();
      boolean ordered = i == 0
          ? relativeOffsets[0] >= 0
          : timestamps[i] > timestamps[i - 1] && relativeOffsets[i] >= relativeOffsets[i - 1];
      if (!ordered) {
        return Optional.empty();
      }
    }
    return Optional.of(new TimeIndex(IndexFile.openForAppend(path), timestamps, relativeOffsets, count));
  }

  /** Adds an entry unless {@code timestamp} is not above the last one (the index only grows). */
  void maybeAppend(long timestamp, int relativeOffset) throws IOException {
    if (entries > 0 && timestamp <= timestamps[entries - 1]) {
      return;
    }
    if (entries == timestamps.length) {
      timestamps = Arrays.copyOf(timestamps, entries * 2);
      relativeOffsets = Arrays.copyOf(relativeOffsets, entries * 2);
    }
    timestamps[entries] = timestamp;
    relativeOffsets[entries] = relativeOffset;
    entries++;
    ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putLong(timestamp).putInt(relativeOffset).flip();
    file.append(entry);
  }

  /** The relative offset of the last entry with a timestamp at or below {@code timestamp}, else 0. */
  int floorRelativeOffset(long timestamp) {
    int low = 0;
    int high = entries - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (timestamps[mid] <= timestamp) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found < 0 ? 0 : relativeOffsets[found];
  }

  int entries() {
    return entries;
  }

  long timestampAt(int entry) {
    return timestamps[entry];
  }

  int relativeOffsetAt(int entry) {
    return relativeOffsets[entry];
  }

  /** The largest timestamp indexed, or -1 when there is none. */
  long lastTimestamp() {
    return entries == 0 ? -1 : timestamps[entries - 1];
  }

  void flush() throws IOException {
    file.flush();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
