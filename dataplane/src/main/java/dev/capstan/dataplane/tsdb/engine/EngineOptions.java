package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import java.time.Duration;

/**
 * How a {@link TsdbEngine} trades durability, memory and disk.
 *
 * @param fsync when a shard's WAL forces writes to disk; {@link FsyncPolicy#EVERY_BATCH} (the
 *     default) acknowledges a write only once it is on disk
 * @param fsyncInterval under {@link FsyncPolicy#INTERVAL}, how often every WAL is forced
 * @param walSegmentBytes WAL segment size; flushed segments are deleted whole, so smaller
 *     segments free space sooner
 * @param flushValues a shard's memtable is flushed to a file once it holds this many field values
 * @param flushBytes ... or roughly this many bytes of heap
 * @param compactionFiles once the newest files of a shard include this many of one level (flushed
 *     files are level 0), they are merged into one file of the next level
 * @param pointsPerBlock points per block in files; smaller blocks let time-bounded reads skip
 *     more, larger ones compress better
 * @param retentionCheckInterval how often the background check drops expired shard groups;
 *     {@link Duration#ZERO} disables the background check (tests call enforceRetention)
 */
public record EngineOptions(
    FsyncPolicy fsync,
    Duration fsyncInterval,
    long walSegmentBytes,
    long flushValues,
    long flushBytes,
    int compactionFiles,
    int pointsPerBlock,
    Duration retentionCheckInterval) {

  public EngineOptions {
    if (fsync == null || fsyncInterval == null || retentionCheckInterval == null) {
      throw new IllegalArgumentException("fsync policy and intervals are required");
    }
    if (fsync == FsyncPolicy.INTERVAL && (fsyncInterval.isZero() || fsyncInterval.isNegative())) {
      throw new IllegalArgumentException("fsyncInterval must be positive with the INTERVAL fsync policy");
    }
    if (walSegmentBytes < 1024 || flushValues < 1 || flushBytes < 1 || compactionFiles < 2) {
      throw new IllegalArgumentException("walSegmentBytes >= 1024, flush thresholds >= 1 and compactionFiles >= 2 required");
    }
    if (pointsPerBlock < 1 || pointsPerBlock > dev.capstan.dataplane.tsdb.codec.Block.MAX_POINTS) {
      throw new IllegalArgumentException("pointsPerBlock must be in [1, Block.MAX_POINTS]");
    }
    if (retentionCheckInterval.isNegative()) {
      throw new IllegalArgumentException("retentionCheckInterval must not be negative");
    }
  }

  /** influxd-like defaults: fsync every batch, 30 min retention checks (as influxd's check-interval). */
  public static EngineOptions defaults() {
    return new EngineOptions(FsyncPolicy.EVERY_BATCH, Duration.ofSeconds(1), 16L << 20, 1_000_000, 64L << 20, 4, 1000,
        Duration.ofMinutes(30));
  }

  public EngineOptions withFlushValues(long values) {
    return new EngineOptions(fsync, fsyncInterval, walSegmentBytes, values, flushBytes, compactionFiles, pointsPerBlock,
        retentionCheckInterval);
  }

  public EngineOptions withCompactionFiles(int files) {
    return new EngineOptions(fsync, fsyncInterval, walSegmentBytes, flushValues, flushBytes, files, pointsPerBlock,
        retentionCheckInterval);
  }

  public EngineOptions withRetentionCheckInterval(Duration interval) {
    return new EngineOptions(fsync, fsyncInterval, walSegmentBytes, flushValues, flushBytes, compactionFiles, pointsPerBlock,
        interval);
  }

  public EngineOptions withFsync(FsyncPolicy policy, Duration interval) {
    return new EngineOptions(policy, interval, walSegmentBytes, flushValues, flushBytes, compactionFiles, pointsPerBlock,
        retentionCheckInterval);
  }

  public EngineOptions withWalSegmentBytes(long bytes) {
    return new EngineOptions(fsync, fsyncInterval, bytes, flushValues, flushBytes, compactionFiles, pointsPerBlock,
        retentionCheckInterval);
  }
}
