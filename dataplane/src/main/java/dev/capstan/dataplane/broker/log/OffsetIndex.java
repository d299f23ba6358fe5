package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A segment's sparse map from a batch's base offset (relative to the segment's) to its file
 * position, one 8-byte entry (i32 relative offset, i32 position) per {@code indexIntervalBytes}.
 * It is a cache of the log: held in memory, appended to its file, and rebuilt when the file is
 * missing or does not fit the log.
 */
final class OffsetIndex implements AutoCloseable {

  static final int ENTRY_BYTES = 8;

  private final IndexFile file;
  private int[] relativeOffsets;
  private int[] positions;
  private int entries;

  private OffsetIndex(IndexFile file, int[] relativeOffsets, int[] positions, int entries) {
    this.file = file;
    this.relativeOffsets = relativeOffsets;
    this.positions = positions;
    this.entries = entries;
  }

  /** An empty index, replacing whatever was at {@code path}. */
  static OffsetIndex create(Path path) throws IOException {
    return new OffsetIndex(IndexFile.create(path), new int[16], new int[16], 0);
  }

  /**
   * The index stored at {@code path}, or empty when it is missing or malformed: a torn entry,
   * or offsets or positions that do not strictly increase.
   */
  static Optional<OffsetIndex> load(Path path) throws IOException {
    Optional<ByteBuffer> stored = IndexFile.readEntries(path, ENTRY_BYTES);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer buffer = stored.get();
    int count = buffer.remaining() / ENTRY_BYTES;
    int[] relativeOffsets = new int[Math.max(16, count)];
    int[] positions = new int[Math.max(16, count)];
    for (int i = 0; i < count; i++) {
      relativeOffsets[i] = buffer.getInt();
      positions[i] = buffer.getInt();
      boolean increasing = i == 0
          ? relativeOffsets[0] >= 0 && positions[0] >= 0
          : relativeOffsets[i] > relativeOffsets[i - 1] && positions[i] > positions[i - 1];
      if (!increasing) {
        return Optional.empty();
      }
    }
    return Optional.of(new OffsetIndex(IndexFile.openForAppend(path), relativeOffsets, positions, count));
  }

  void append(int relativeOffset, int position) throws IOException {
    if (entries == relativeOffsets.length) {
      relativeOffsets = Arrays.copyOf(relativeOffsets, entries * 2);
      positions = Arrays.copyOf(positions, entries * 2);
    }
    relativeOffsets[entries] = relativeOffset;
    positions[entries] = position;
    entries++;
    ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putInt(relativeOffset).putInt(position).flip();
    file.append(entry);
  }

  /** The position of the last indexed batch starting at or before {@code relativeOffset}, else 0. */
  int floorPosition(long relativeOffset) {
    int low = 0;
    int high = entries - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (relativeOffsets[mid] <= relativeOffset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found < 0 ? 0 : positions[found];
  }

  int entries() {
    return entries;
  }

  int relativeOffsetAt(int entry) {
    return relativeOffsets[entry];
  }

  int positionAt(int entry) {
    return positions[entry];
  }

  void flush() throws IOException {
    file.flush();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
