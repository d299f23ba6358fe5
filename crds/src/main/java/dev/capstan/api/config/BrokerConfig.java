package dev.capstan.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.capstan.api.broker.MessageBrokerSpec.Durability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration a broker pod reads from its ConfigMap ({@code broker.yaml}). The operator
 * renders it from a MessageBroker with every default resolved, so the broker needs no defaults
 * of its own.
 *
 * <p>Broker {@code i} of {@code brokers} is the pod {@code <statefulSetName>-<i>}; it learns
 * its own name from {@code POD_NAME} and finds its peers by putting their names into
 * {@link #advertisedListener}.
 *
 * @param kafkaPort port of the Kafka protocol listener
 * @param adminPort port of /health, /metrics and /status
 * @param brokers how many broker pods the cluster has
 * @param statefulSetName name of the StatefulSet, the prefix of every broker pod's name
 * @param advertisedListener host:port a broker gives Kafka clients for itself, with
 *     {@value #POD_PLACEHOLDER} standing for the pod's name
 * @param defaultPartitions partitions of a topic created without a count
 * @param defaultRetentionTime how long a topic keeps records unless it says otherwise: a
 *     duration such as {@code 7d} or {@code 1h30m}, or {@value #INFINITE}
 * @param defaultRetentionBytes bytes a partition keeps unless the topic says otherwise; absent
 *     means no limit
 * @param durability when an acks=all produce is answered; absent (a configuration rendered before
 *     the setting existed) means {@link Durability#Fsync}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BrokerConfig(
    int kafkaPort,
    int adminPort,
    int brokers,
    String statefulSetName,
    String advertisedListener,
    int defaultPartitions,
    String defaultRetentionTime,
    Long defaultRetentionBytes,
    Durability durability) {

  public static final String FILE = "broker.yaml";
  public static final String POD_PLACEHOLDER = "{pod}";
  public static final String INFINITE = "Infinite";

  private static final DurationText DURATIONS = new DurationText(List.of("ms", "s", "m", "h", "d", "w"));

  /** Whether an acks=all produce waits for an fdatasync of the partition's log. */
  @JsonIgnore
  public boolean syncOnAcksAll() {
    return durability != Durability.PageCache;
  }

  /** The host:port the named broker pod advertises. */
  public String listenerOf(String podName) {
    return advertisedListener.replace(POD_PLACEHOLDER, podName);
  }

  /** The advertised host:port of every broker, in ordinal order. */
  public List<String> peerListeners() {
    List<String> peers = new ArrayList<>(brokers);
    for (int i = 0; i < brokers; i++) {
      peers.add(listenerOf(statefulSetName + "-" + i));
    }
    return peers;
  }

  /**
   * A retention time as Kafka's {@code retention.ms}: {@value #INFINITE} is {@code -1}, as in
   * Kafka; a duration is its milliseconds. Units are {@code ms}, {@code s}, {@code m}, {@code h},
   * {@code d} and {@code w}, and may be combined ({@code 1d12h}).
   *
   * @throws IllegalArgumentException when the text is no such duration or overflows a long
   */
  public static long retentionMillis(String text) {
    if (INFINITE.equals(text)) {
      return -1L;
    }
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty retention time");
    }
    try {
      return DURATIONS.parse(text).orElseThrow(() -> new IllegalArgumentException(
          "invalid retention time '" + text + "': expected a duration such as 7d or " + INFINITE)).toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("retention time '" + text + "' is too long", e);
    }
  }
}
