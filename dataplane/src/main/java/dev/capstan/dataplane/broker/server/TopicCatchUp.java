package dev.capstan.dataplane.broker.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting broker takes from a peer it sees for the first time: the topic changes it
 * missed while it was down, which {@link PeerForwarder} could not hand it.
 *
 * <p>It adopts only what is right whichever of the two was down: topics it lacks (the union of
 * both lists) and partitions it lacks (the larger count; partitions are never removed). Both
 * commute, so two brokers starting together and catching up from each other end alike. What
 * depends on which change came last is logged and left: a topic only this broker has was either
 * deleted while it was down or created while the peer was (deleting it would lose data in the
 * second case), and topic-level overrides that differ may be newer on either side; the operator's
 * MessageTopic resync sets those again. Steps are applied here only, never forwarded again.
 *
 * <p>The price of the union: a topic deleted through broker A while broker B was down stays on
 * B, and comes back on A (empty) when A later restarts and catches up from B. Telling that apart
 * from a topic created while A was down needs a record of deletions with their time, which
 * brokers do not keep yet.
 */
final class TopicCatchUp {
  private static final Logger LOG = LoggerFactory.getLogger(TopicCatchUp.class);

  private TopicCatchUp() {}

  /** A topic as one broker has it. */
  record TopicState(int partitions, Map<String, String> overrides) {
    TopicState {
      overrides = Map.copyOf(overrides);
    }
  }

  /** One change to make locally. */
  sealed interface Step permits Create, Grow {}

  record Create(String topic, int partitions, Map<String, String> overrides) implements Step {}

  record Grow(String topic, int partitions) implements Step {}

  /**
   * The plan, as a pure function of both topic lists. Names starting with {@code __} are a
   * broker's internal topics and its own business.
   *
   * @return the steps in topic-name order, the topics only this broker has and those whose
   *     overrides differ
   */
  static Plan plan(Map<String, TopicState> local, Map<String, TopicState> peer) {
    List<Step> steps = new ArrayList<>();
    List<String> configsDiffer = new ArrayList<>();
    for (var entry : new TreeMap<>(peer).entrySet()) {
      String topic = entry.getKey();
      TopicState theirs = entry.getValue();
      TopicState ours = local.get(topic);
      if (topic.startsWith("__")) {
        continue;
      }
      if (ours == null) {
        steps.add(new Create(topic, theirs.partitions(), theirs.overrides()));
        continue;
      }
      if (theirs.partitions() > ours.partitions()) {
        steps.add(new Grow(topic, theirs.partitions()));
      }
      if (!Objects.equals(theirs.overrides(), ours.overrides())) {
        configsDiffer.add(topic);
      }
    }
    List<String> onlyHere = local.keySet().stream()
        .filter(topic -> !topic.startsWith("__") && !peer.containsKey(topic))
        .sorted()
        .toList();
    return new Plan(steps, onlyHere, configsDiffer);
  }

  record Plan(List<Step> steps, List<String> onlyHere, List<String> configsDiffer) {}

  /**
   * Asks {@code peer} for its topics and applies the plan to {@code topics}.
   *
   * @throws IOException when the peer does not answer, or a step cannot be stored; the caller
   *     tries again later
   */
  static Plan run(TopicRegistry topics, int peerId, ClusterLayout.HostPort peer, int timeoutMs) throws IOException {
    Map<String, TopicState> local = new TreeMap<>();
    for (TopicRegistry.TopicMeta meta : topics.all()) {
      local.put(meta.name(), new TopicState(meta.partitions(), meta.configs()));
    }
    Plan plan = plan(local, peerTopics(peer, timeoutMs));
    for (Step step : plan.steps()) {
      if (step instanceof Create c) {
        topics.create(c.topic(), c.partitions(), (short) 1, c.overrides());
      } else {
        Grow g = (Grow) step;
        topics.addPartitions(g.topic(), g.partitions());
      }
      LOG.info("Caught up from broker {}: {}", peerId, step);
    }
    if (!plan.onlyHere().isEmpty()) {
      LOG.warn("Topics {} exist here but not on broker {} at {}: deleted while this broker was down, or created"
          + " while that one was; left as they are", plan.onlyHere(), peerId, peer);
    }
    if (!plan.configsDiffer().isEmpty()) {
      LOG.warn("Topics {} have other topic-level overrides here than on broker {} at {}; left as they are",
          plan.configsDiffer(), peerId, peer);
    }
    return plan;
  }

  private static Map<String, TopicState> peerTopics(ClusterLayout.HostPort peer, int timeoutMs) throws IOException {
    var metadata = (MetadataResponse) PeerForwarder.send(peer,
        MetadataRequest.Builder.allTopics().build((short) 12), timeoutMs);
    Map<String, Integer> partitions = new TreeMap<>();
    for (MetadataResponse.TopicMetadata topic : metadata.topicMetadata()) {
      if (topic.error() != Errors.NONE) {
        throw new IOException("peer " + peer + " answered " + topic.error() + " for topic " + topic.topic());
      }
      partitions.put(topic.topic(), topic.partitionMetadata().size());
    }
    Map<String, TopicState> result = new TreeMap<>();
    if (partitions.isEmpty()) {
      return result;
    }
    DescribeConfigsRequestData request = new DescribeConfigsRequestData();
    partitions.keySet().forEach(name -> request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(name)));
    var configs = (DescribeConfigsResponse) PeerForwarder.send(peer,
        new DescribeConfigsRequest.Builder(request).build((short) 4), timeoutMs);
    for (DescribeConfigsResponseData.DescribeConfigsResult described : configs.data().results()) {
      if (described.errorCode() != Errors.NONE.code()) {
        // Deleted between the two requests; the next catch-up, or the forwarder, settles it.
        partitions.remove(described.resourceName());
        continue;
      }
      Map<String, String> overrides = new TreeMap<>();
      for (var config : described.configs()) {
        if (config.configSource() == DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id()) {
          overrides.put(config.name(), config.value());
        }
      }
      Integer count = partitions.get(described.resourceName());
      if (count != null) {
        result.put(described.resourceName(), new TopicState(count, overrides));
      }
    }
    return result;
  }
}
