package dev.capstan.dataplane.broker.server;

import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/**
 * Who is who in a cluster of broker pods: broker ids are pod ordinals, each advertising one
 * host:port. Partition leadership is a pure function of the topic name, so every broker agrees on
 * it without talking to the others: partition {@code p} of {@code t} is led by
 * {@code (hash(t) + p) mod brokers}. There is one replica per partition (replication is a later
 * issue).
 *
 * @param selfId   this broker's id (its pod ordinal)
 * @param brokers  the advertised address of every broker, by id
 * @param clusterId Kafka's cluster id, the same on every broker
 */
public record ClusterLayout(int selfId, List<HostPort> brokers, String clusterId) {

  /** A host and port as clients reach them. */
  public record HostPort(String host, int port) {
    /** Parses {@code host:port}; the host may be a name or an IPv4 address. */
    public static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException("advertised listener '" + text + "' is not host:port");
      }
      try {
        return new HostPort(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("advertised listener '" + text + "' has no numeric port");
      }
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public ClusterLayout {
    brokers = List.copyOf(brokers);
    if (selfId < 0 || selfId >= brokers.size()) {
      throw new IllegalArgumentException("broker id " + selfId + " is outside 0.." + (brokers.size() - 1));
    }
  }

  /** A one-broker cluster. */
  public static ClusterLayout single(HostPort self, String clusterId) {
    return new ClusterLayout(0, List.of(self), clusterId);
  }

  /** A stable cluster id derived from a name, in Kafka's base64 Uuid form. */
  public static String clusterIdFor(String name) {
    UUID uuid = UUID.nameUUIDFromBytes(("capstan-cluster:" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits()).toString();
  }

  public int size() {
    return brokers.size();
  }

  public HostPort self() {
    return brokers.get(selfId);
  }

  /** The broker leading partition {@code partition} of {@code topic}. */
  public int leaderOf(String topic, int partition) {
    return Math.floorMod(topic.hashCode() + partition, brokers.size());
  }

  public boolean leads(String topic, int partition) {
    return leaderOf(topic, partition) == selfId;
  }
}
