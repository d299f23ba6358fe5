package dev.capstan.dataplane.tsdb.wal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What opening a log found.
 *
 * @param segments segment files in the log after recovery
 * @param lastSequence sequence number of the last intact record, 0 if the log never held one
 * @param tornTail the incomplete end of the last segment that was cut off, if any
 */
public record Recovery(int segments, long lastSequence, Optional<TornTail> tornTail) {
  /**
   * The end of the last segment dropped on open: a write that was in progress when the process
   * died, so it was never acknowledged under {@link FsyncPolicy#EVERY_BATCH}.
   *
   * @param segment the file that was truncated
   * @param offset its new length: where the first bad record began
   * @param droppedBytes how many bytes were cut off
   * @param reason why the record at {@code offset} was rejected
   */
  public record TornTail(Path segment, long offset, long droppedBytes, String reason) {}

  public long droppedBytes() {
    return tornTail.map(TornTail::droppedBytes).orElse(0L);
  }
}
