package dev.capstan.dataplane.broker.log;

/**
 * How a partition log lays out and syncs its files; names follow Kafka's topic configs.
 *
 * @param segmentBytes          roll to a new segment before one would grow past this
 *                              ({@code segment.bytes}); a single larger batch still gets a segment
 * @param segmentMs             roll once the active segment's first batch is this old
 *                              ({@code segment.ms}), measured on the batch timestamps
 * @param indexIntervalBytes    bytes of batches between two index entries ({@code index.interval.bytes})
 * @param flushIntervalMessages fsync after this many records ({@code flush.messages});
 *                              {@link Long#MAX_VALUE} leaves flushing to {@link PartitionLog#flush()}
 * @param preallocateBytes      zeros kept on disk ahead of the active segment's log end, written
 *                              this many bytes at a time (a multiple of 4 KiB, at most 8 MiB), so
 *                              that a sync after an append needs no file-system journal commit;
 *                              0 appends to a growing file (Kafka's {@code preallocate}, in chunks)
 */
public record LogConfig(int segmentBytes, long segmentMs, int indexIntervalBytes, long flushIntervalMessages,
                        int preallocateBytes) {

  /** Chunks of zeros the broker preallocates with: a few ms of sequential writing each. */
  public static final int PREALLOCATE_CHUNK_BYTES = 4 << 20;

  /** Kafka's defaults: 1 GiB segments, weekly roll, an index entry per 4 KiB, no forced flush. */
  public static final LogConfig DEFAULTS =
      new LogConfig(1 << 30, 7L * 24 * 60 * 60 * 1000, 4096, Long.MAX_VALUE);

  /** Without preallocation. */
  public LogConfig(int segmentBytes, long segmentMs, int indexIntervalBytes, long flushIntervalMessages) {
    this(segmentBytes, segmentMs, indexIntervalBytes, flushIntervalMessages, 0);
  }

  /** This config with zeros preallocated {@code bytes} at a time (0: none). */
  public LogConfig withPreallocateBytes(int bytes) {
    return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, flushIntervalMessages, bytes);
  }

  public LogConfig {
    if (segmentBytes < BatchHeader.BATCH_OVERHEAD) {
      throw new IllegalArgumentException("segmentBytes must be at least " + BatchHeader.BATCH_OVERHEAD
          + " (one empty batch), got " + segmentBytes);
    }
    if (segmentMs <= 0) {
      throw new IllegalArgumentException("segmentMs must be positive, got " + segmentMs);
    }
    if (indexIntervalBytes < 0) {
      throw new IllegalArgumentException("indexIntervalBytes must not be negative, got " + indexIntervalBytes);
    }
    if (flushIntervalMessages <= 0) {
      throw new IllegalArgumentException("flushIntervalMessages must be positive, got " + flushIntervalMessages);
    }
    if (preallocateBytes < 0 || preallocateBytes > Preallocation.MAX_CHUNK_BYTES
        || preallocateBytes % Preallocation.ALIGNMENT != 0) {
      throw new IllegalArgumentException("preallocateBytes must be 0 or a multiple of " + Preallocation.ALIGNMENT
          + " up to " + Preallocation.MAX_CHUNK_BYTES + ", got " + preallocateBytes);
    }
  }
}
