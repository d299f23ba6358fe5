package dev.capstan.dataplane.tsdb.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Damage the log cannot repair without losing acknowledged writes: a bad record before the last
 * segment, a gap between segments, or a record that went bad after the log was opened.
 */
public final class CorruptWalException extends IOException {
  private final transient Path segment;
  private final long offset;

  CorruptWalException(Path segment, long offset, String reason) {
    super("corrupt write-ahead log segment " + segment + " at byte offset " + offset + ": " + reason);
    this.segment = segment;
    this.offset = offset;
  }

  public Path segment() {
    return segment;
  }

  public long offset() {
    return offset;
  }
}
