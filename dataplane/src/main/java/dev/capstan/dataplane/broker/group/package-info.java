/**
 * The broker's consumer-group coordinator, classic protocol (Kafka's group membership before
 * KIP-848): groups move Empty → PreparingRebalance → CompletingRebalance → Stable (→ Dead when
 * deleted); members join, the first becomes leader and assigns partitions through SyncGroup, and
 * heartbeats keep them in. {@link dev.capstan.dataplane.broker.group.GroupCoordinator} is the entry
 * point; it speaks kafka-clients' message data classes so the network server only decodes and
 * encodes. Committed offsets live in {@link dev.capstan.dataplane.broker.group.OffsetStore}, a
 * write-ahead log on disk; group membership is kept in memory only, as a Kafka coordinator
 * failover also makes members rejoin.
 *
 * <p>The package reads no wall clock and starts no thread: the server drives time through
 * {@link dev.capstan.dataplane.broker.group.GroupCoordinator#tick()}.
 */
package dev.capstan.dataplane.broker.group;
