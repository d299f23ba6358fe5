/**
 * The TSDB storage engine behind {@link dev.capstan.dataplane.tsdb.store.TsdbStore}:
 * {@link dev.capstan.dataplane.tsdb.engine.TsdbEngine} keeps InfluxDB 1.x databases and
 * retention policies in shard groups aligned to each policy's shard-group duration. A shard is a
 * WAL ({@code tsdb.wal}), an in-memory buffer read immediately, and immutable columnar files of
 * {@code tsdb.codec} blocks with a checksummed index; small files are compacted into one. The
 * last write wins for a duplicate series, field and time, across the buffer and every file.
 * Retention drops whole shard groups.
 */
package dev.capstan.dataplane.tsdb.engine;
