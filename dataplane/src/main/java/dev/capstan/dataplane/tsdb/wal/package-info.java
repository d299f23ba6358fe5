/**
 * The write-ahead log of a TSDB shard: opaque byte-array records, checksummed with CRC-32C and
 * numbered by sequence, in size-bounded segment files. A write is acknowledged once
 * {@link dev.capstan.dataplane.tsdb.wal.WriteAheadLog#append} has returned under
 * {@link dev.capstan.dataplane.tsdb.wal.FsyncPolicy#EVERY_BATCH}; opening the log replays nothing
 * itself but validates every record and truncates a torn tail, so the engine can then
 * {@link dev.capstan.dataplane.tsdb.wal.WriteAheadLog#replay} what is not yet in its shard files
 * and {@link dev.capstan.dataplane.tsdb.wal.WriteAheadLog#truncateBefore} what is.
 */
package dev.capstan.dataplane.tsdb.wal;
