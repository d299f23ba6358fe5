/**
 * A partition's log on disk: segment files holding Kafka v2 record batches exactly as clients sent
 * them (only the base offset is rewritten on append), with sparse offset and time indexes, a flush
 * policy, crash recovery of the active segment and retention that deletes whole segments.
 * {@link dev.capstan.dataplane.broker.log.PartitionLog} is the entry point.
 *
 * <p>Batches are opaque here: the log reads only the v2 header fields it needs (base offset,
 * length, magic, CRC, last offset delta, max timestamp) and never decodes records, so the records
 * section may be compressed or not. Not thread-safe: the broker serializes calls per partition.
 */
package dev.capstan.dataplane.broker.log;
