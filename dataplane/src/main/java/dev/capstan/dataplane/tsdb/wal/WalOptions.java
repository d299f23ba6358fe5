package dev.capstan.dataplane.tsdb.wal;

/**
 * How a {@link WriteAheadLog} writes.
 *
 * @param segmentBytes size at which the log starts a new segment file; a batch never spans two
 *     segments, so one large batch can make a segment bigger than this
 * @param fsync when appends are forced to disk
 */
public record WalOptions(long segmentBytes, FsyncPolicy fsync) {
  /** Large enough that rolls are rare, small enough that retention frees space in useful steps. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

  public WalOptions {
    if (segmentBytes < WriteAheadLog.HEADER_BYTES) {
      throw new IllegalArgumentException("segmentBytes must be at least " + WriteAheadLog.HEADER_BYTES + ", was " + segmentBytes);
    }
    if (fsync == null) {
      throw new IllegalArgumentException("fsync policy is required");
    }
  }

  public static WalOptions defaults() {
    return new WalOptions(DEFAULT_SEGMENT_BYTES, FsyncPolicy.EVERY_BATCH);
  }
}
