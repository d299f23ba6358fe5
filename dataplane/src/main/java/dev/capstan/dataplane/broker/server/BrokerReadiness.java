package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.server.AdminServer.Health;
import java.time.Duration;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * When a broker pod should get client traffic: what {@code /readyz} answers and the StatefulSet's
 * readiness probe asks. A Kafka user takes a broker for up when it is registered with its cluster
 * and its listener serves; for a Capstan broker that is:
 *
 * <ol>
 *   <li>its partition logs are recovered and its Kafka listener answers requests (until then
 *       the listener may accept connections but has nothing to serve them with);
 *   <li>in a layout of several brokers, every peer has answered a Kafka request at least once
 *       since this broker started, and this broker has caught up from it the topics and
 *       partitions it missed while down ({@link TopicCatchUp}). Until then clients could see
 *       different topics on different brokers, and a topic change made through this broker
 *       could not reach that peer.
 * </ol>
 *
 * <p>A peer that does not answer within {@link #DEFAULT_PEER_WAIT} stops holding this broker
 * back: it still serves its own partitions, and a peer that is gone for good (a pod that cannot
 * be scheduled) must not keep every restarted broker out of service. It is then ready, and says
 * which peers it never saw. Once every peer has been seen, a peer going away later changes
 * nothing: readiness is about this broker, not about the cluster.
 */
public final class BrokerReadiness {
  /** How long a starting broker waits for peers it has never seen before it is ready without them. */
  public static final Duration DEFAULT_PEER_WAIT = Duration.ofSeconds(60);

  private BrokerReadiness() {}

  /**
   * The answer of {@code /readyz}.
   *
   * @param partitions the partitions this broker leads, recovered
   * @param unseenPeers the peers, by id, that never answered since this broker started
   * @param waited how long this broker has been serving
   * @param peerWait how long unseen peers hold it back
   */
  public static Health of(int partitions, SortedMap<Integer, ClusterLayout.HostPort> unseenPeers, Duration waited,
      Duration peerWait) {
    String served = "listener serving, " + partitions + (partitions == 1 ? " partition" : " partitions") + " recovered";
    if (unseenPeers.isEmpty()) {
      return new Health(true, "ready: " + served + ", every peer seen");
    }
    String peers = unseenPeers.entrySet().stream()
        .map(e -> "broker " + e.getKey() + " at " + e.getValue())
        .collect(Collectors.joining(", "));
    if (waited.compareTo(peerWait) >= 0) {
      return new Health(true, "ready: " + served + "; never saw " + peers + " within " + peerWait.toSeconds()
          + "s, serving without them");
    }
    return new Health(false, "waiting for " + peers + " to answer (" + waited.toSeconds() + "s of "
        + peerWait.toSeconds() + "s); " + served);
  }

  /** The answer while the data directory is opened and the partition logs recovered. */
  public static Health recovering() {
    return new Health(false, "recovering partition logs");
  }
}
