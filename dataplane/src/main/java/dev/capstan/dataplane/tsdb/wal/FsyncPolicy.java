package dev.capstan.dataplane.tsdb.wal;

/** When {@link WriteAheadLog#append} forces its batch to disk. */
public enum FsyncPolicy {
  /**
   * Every {@code append} returns only after its batch is on disk, so the caller may acknowledge
   * the write as soon as {@code append} returns. Group commit comes from batching: the server
   * collects concurrent writes into one batch and pays one fsync for all of them.
   */
  EVERY_BATCH,
  /**
   * {@code append} only writes to the page cache; the owner calls {@link WriteAheadLog#sync()} on
   * its own schedule (a timer in the server, or never in a benchmark). A write acknowledged before
   * the next {@code sync} survives a process crash but not a power loss.
   */
  INTERVAL
}
