package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

  private final FileChannel file;
  private long[] timestamps;
  private int[] relativeOffsets;
  private int entries;

  private TimeIndex(FileChannel file, long[] timestamps, int[] relativeOffsets, int entries) {
    this.file = file;
    this.timestamps = timestamps;
    this.relativeOffsets = relativeOffsets;
    this.entries = entries;
  }

  static TimeIndex create(Path path) throws IOException {
    FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    return new TimeIndex(file, new long[16], new int[16], 0);
  }

  /**
   * The index stored at {@code path}, or empty when it is missing or malformed: a torn entry,
   * timestamps that do not strictly increase or offsets that go back.
   */
  static Optional<TimeIndex> load(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(path);
    if (bytes.length % ENTRY_BYTES != 0) {
      return Optional.empty();
    }
    int count = bytes.length / ENTRY_BYTES;
    long[] timestamps = new long[Math.max(16, count)];
    int[] relativeOffsets = new int[Math.max(16, count)];
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
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
    FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    file.position(file.size());
    return Optional.of(new TimeIndex(file, timestamps, relativeOffsets, count));
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
    while (entry.hasRemaining()) {
      file.write(entry);
    }
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
    file.force(true);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
