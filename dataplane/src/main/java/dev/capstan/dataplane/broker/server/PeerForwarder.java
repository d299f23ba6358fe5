package dev.capstan.dataplane.broker.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
 * Topic ids are derived from names, so peers agree on them without being told.
 *
 * <p>A peer that is down when the change is made misses it; the receiving broker logs that peer.
 * When the peer starts again it catches up the topics and partitions it lacks from the brokers it
 * sees ({@link TopicCatchUp}); a deletion or a config change it missed stays missed until the
 * change is made again (a later issue, with replication).
 */
final class PeerForwarder {

  /** The client id of forwarded requests; a request carrying it is never forwarded again. */
  static final String CLIENT_ID = "capstan-peer-forward";

  private static final Logger LOG = LoggerFactory.getLogger(PeerForwarder.class);
  private static final int TIMEOUT_MS = 5_000;

  private final ClusterLayout layout;

  PeerForwarder(ClusterLayout layout) {
    this.layout = layout;
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
