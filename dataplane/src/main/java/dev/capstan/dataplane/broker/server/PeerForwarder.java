package dev.capstan.dataplane.broker.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps topic metadata alike on every broker of a cluster, the simple way: each broker stores
 * topics locally, and the broker that accepts a topic change (CreateTopics, DeleteTopics,
 * CreatePartitions, IncrementalAlterConfigs, or a Metadata auto-create) sends the same request to
 * every peer, marked with {@link #CLIENT_ID} so the peer applies it without forwarding again.
 * A created topic gets a random id on the broker that accepts it, which the forwarded CreateTopics
 * carries as the config {@link #TOPIC_ID_CONFIG}: Kafka's CreateTopics has no id field (there the
 * controller picks ids), and the id is what tells a topic recreated under a name from the deleted
 * one ({@link TopicTombstones}).
 *
 * <p>A peer that is down when the change is made misses it; the receiving broker logs that peer.
 * When the peer starts again it catches up from the brokers it sees ({@link TopicCatchUp}): the
 * topics and partitions it lacks, and the deletions it missed; a config change it missed stays
 * missed until the change is made again (a later issue, with replication).
 */
final class PeerForwarder {

  /** The client id of forwarded requests; a request carrying it is never forwarded again. */
  static final String CLIENT_ID = "capstan-peer-forward";

  /**
   * The config entry of a forwarded CreateTopics that names the topic's id; honoured only from a
   * peer ({@link #CLIENT_ID}), an unknown config from anyone else.
   */
  static final String TOPIC_ID_CONFIG = "capstan.topic.id";

  /**
   * The read-only broker config through which a peer hands out its tombstones
   * ({@link TopicTombstones#toConfigValue}); DescribeConfigs answers it only when asked for by
   * name, so kafka-configs listings do not show it.
   */
  static final String TOMBSTONES_CONFIG = "capstan.deleted.topics";

  private static final Logger LOG = LoggerFactory.getLogger(PeerForwarder.class);
  private static final int TIMEOUT_MS = 5_000;

  private final ClusterLayout layout;

  PeerForwarder(ClusterLayout layout) {
    this.layout = layout;
  }

  /** {@code topic} with its id as {@link #TOPIC_ID_CONFIG}, for a peer. */
  static CreateTopicsRequestData.CreatableTopic withTopicId(CreateTopicsRequestData.CreatableTopic topic, Uuid id) {
    topic.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(TOPIC_ID_CONFIG)
        .setValue(id.toString()));
    return topic;
  }

  boolean hasPeers() {
    return layout.size() > 1;
  }

  /** Sends {@code request} to every other broker; returns the peers that could not be reached. */
  List<Integer> forward(AbstractRequest request) {
    List<Integer> failed = new ArrayList<>();
    for (int id = 0; id < layout.size(); id++) {
      if (id == layout.selfId()) {
        continue;
      }
      ClusterLayout.HostPort peer = layout.brokers().get(id);
      try {
        AbstractResponse response = send(peer, request, TIMEOUT_MS);
        LOG.debug("Forwarded {} to broker {}: {}", request.apiKey(), id, response.errorCounts());
      } catch (IOException | RuntimeException e) {
        failed.add(id);
        LOG.warn("Could not forward {} to broker {} at {}: {}; it misses this topic change", request.apiKey(), id,
            peer, e.toString());
      }
    }
    return failed;
  }

  /** One request to a peer on a connection of its own, marked as from a peer; the peer's answer. */
  static AbstractResponse send(ClusterLayout.HostPort peer, AbstractRequest request, int timeoutMs) throws IOException {
    RequestHeader header = new RequestHeader(request.apiKey(), request.version(), CLIENT_ID, 1);
    ByteBuffer frame = request.serializeWithHeader(header);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(peer.host(), peer.port()), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(frame.remaining());
      out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      return AbstractResponse.parseResponse(ByteBuffer.wrap(bytes), header);
    }
  }
}
