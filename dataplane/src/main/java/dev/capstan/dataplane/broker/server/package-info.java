/**
 * The broker server: the Kafka wire protocol on Netty, answered with kafka-clients' own request,
 * response and message classes, in front of {@code broker.log} partition logs.
 * {@link dev.capstan.dataplane.broker.server.BrokerServer} is the entry point.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>Durability: acks=all is acknowledged after fsync (shared between concurrent requests by
 *       {@code GroupCommit}); acks=1 after the write, synced within the flush interval.</li>
 *   <li>Several brokers: broker ids are pod ordinals; partition {@code p} of topic {@code t} is led
 *       by broker {@code (t.hashCode() + p) mod brokers}, with one replica (replication is a later
 *       issue); the other brokers answer Produce/Fetch for it with NOT_LEADER_OR_FOLLOWER. Topic
 *       metadata is stored by every broker; a topic change is applied by the broker that gets it
 *       and forwarded to the peers ({@code PeerForwarder}); a peer that is down then misses it and
 *       catches up when it starts ({@code TopicCatchUp}). A topic's id is random per creation and
 *       forwarded with it, so all brokers agree on it and a recreated topic is told apart from the
 *       deleted one, of which every broker keeps a tombstone for 7 days ({@code TopicTombstones}).</li>
 *   <li>Not supported yet: transactions, compaction, DeleteRecords, OffsetForLeaderEpoch, fetch
 *       sessions (every Fetch is answered sessionless, session id 0), KIP-848 groups, SASL/TLS.</li>
 * </ul>
 */
package dev.capstan.dataplane.broker.server;
