package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.server.TopicTombstones.Tombstone;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
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
 * <p>Topics are matched by id as well as name: each broker keeps a tombstone (name, id, time) of
 * every topic it deleted in the last {@link TopicTombstones#RETENTION} ({@link TopicTombstones}).
 * Per topic name:
 * <ul>
 *   <li>the peer has a topic whose id this broker has a tombstone for: it was deleted while the
 *       peer was down; not adopted, and the deletion is applied on the peer (DeleteTopics by id);
 *   <li>this broker has a topic whose id the peer has a tombstone for: it was deleted while this
 *       broker was down; deleted here (with the peer's deletion time);
 *   <li>the peer has a topic this broker lacks, not tombstoned: created here, with the peer's id;
 *   <li>both have it with the same id: the larger partition count (partitions are never removed);
 *   <li>a tombstone never touches another id, so a topic recreated under the name is left alone.
 * </ul>
 * Every step is right whichever of the two was down, so two brokers starting together and
 * catching up from each other end alike (tested). What depends on which change came last is
 * logged and left: a topic only this broker has with no tombstone on the peer (created while the
 * peer was down, or deleted longer ago than the tombstones last), the same name with different
 * ids and no tombstone (created on both while they could not reach each other), and topic-level
 * overrides that differ; the operator's MessageTopic resync sets those again. Local steps are
 * never forwarded again.
 *
 * <p>Peers learn each other's tombstones through DescribeConfigs of the peer's BROKER resource,
 * asking for the read-only key {@link PeerForwarder#TOMBSTONES_CONFIG} by name; ids come with
 * Metadata, as for any client. A broker too old to know the key answers without it: no tombstones.
 */
final class TopicCatchUp {
  private static final Logger LOG = LoggerFactory.getLogger(TopicCatchUp.class);

  private TopicCatchUp() {}

  /** A topic as one broker has it. */
  record TopicState(Uuid id, int partitions, Map<String, String> overrides) {
    TopicState {
      overrides = Map.copyOf(overrides);
    }
  }

  /** One change to make, here or on the peer. */
  sealed interface Step permits Create, Grow, DeleteHere, DeleteOnPeer {}

  record Create(String topic, Uuid id, int partitions, Map<String, String> overrides) implements Step {}

  record Grow(String topic, int partitions) implements Step {}

  /** The peer deleted this topic (this id) at {@code deletedAtMs} while this broker was down. */
  record DeleteHere(String topic, Uuid id, long deletedAtMs) implements Step {}

  /** This broker deleted this topic (this id) while the peer was down. */
  record DeleteOnPeer(String topic, Uuid id) implements Step {}

  /** Both brokers' topics by name and remembered deletions, as this broker sees them. */
  record Sides(Map<String, TopicState> local, List<Tombstone> localTombstones, Map<String, TopicState> peer,
               List<Tombstone> peerTombstones) {}

  /**
   * The plan, as a pure function of both brokers' topics and tombstones and of {@code now} (which
   * tombstones have expired). Names starting with {@code __} are a broker's internal topics and
   * its own business.
   *
   * @return the steps in topic-name order, the topics only this broker has, those whose overrides
   *     differ and those whose ids differ
   */
  static Plan plan(Sides sides, Instant now) {
    List<Tombstone> ourDeletions = TopicTombstones.live(sides.localTombstones(), now);
    List<Tombstone> theirDeletions = TopicTombstones.live(sides.peerTombstones(), now);
    List<Step> steps = new ArrayList<>();
    List<String> onlyHere = new ArrayList<>();
    List<String> configsDiffer = new ArrayList<>();
    List<String> idsDiffer = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(sides.local().keySet());
    names.addAll(sides.peer().keySet());
    for (String topic : names) {
      if (topic.startsWith("__")) {
        continue;
      }
      TopicState ours = sides.local().get(topic);
      TopicState theirs = sides.peer().get(topic);
      if (ours != null) {
        Optional<Tombstone> deleted = TopicTombstones.of(theirDeletions, ours.id());
        if (deleted.isPresent()) {
          steps.add(new DeleteHere(topic, ours.id(), deleted.get().deletedAtMs()));
          ours = null;
        }
      }
      if (theirs != null && TopicTombstones.of(ourDeletions, theirs.id()).isPresent()) {
        steps.add(new DeleteOnPeer(topic, theirs.id()));
        theirs = null;
      }
      if (theirs == null) {
        if (ours != null) {
          onlyHere.add(topic);
        }
      } else if (ours == null) {
        steps.add(new Create(topic, theirs.id(), theirs.partitions(), theirs.overrides()));
      } else if (!ours.id().equals(theirs.id())) {
        idsDiffer.add(topic);
      } else {
        if (theirs.partitions() > ours.partitions()) {
          steps.add(new Grow(topic, theirs.partitions()));
        }
        if (!Objects.equals(theirs.overrides(), ours.overrides())) {
          configsDiffer.add(topic);
        }
      }
    }
    return new Plan(steps, onlyHere, configsDiffer, idsDiffer);
  }

  record Plan(List<Step> steps, List<String> onlyHere, List<String> configsDiffer, List<String> idsDiffer) {
    Plan {
      steps = List.copyOf(steps);
      onlyHere = List.copyOf(onlyHere);
      configsDiffer = List.copyOf(configsDiffer);
      idsDiffer = List.copyOf(idsDiffer);
    }
  }

  /**
   * Asks {@code peer} for its topics and tombstones and applies the plan: local steps to
   * {@code topics}, deletions the peer missed by DeleteTopics to the peer.
   *
   * @throws IOException when the peer does not answer, or a step cannot be stored; the caller
   *     tries again later
   */
  static Plan run(TopicRegistry topics, int peerId, ClusterLayout.HostPort peer, int timeoutMs) throws IOException {
    Map<String, TopicState> local = new TreeMap<>();
    for (TopicRegistry.TopicMeta meta : topics.all()) {
      local.put(meta.name(), new TopicState(meta.uuid(), meta.partitions(), meta.configs()));
    }
    List<Tombstone> localTombstones = topics.liveTombstones();
    Map<String, TopicState> peerTopics = peerTopics(peer, timeoutMs);
    List<Tombstone> peerTombstones = peerTombstones(peer, peerId, timeoutMs);
    Plan plan = plan(new Sides(local, localTombstones, peerTopics, peerTombstones), topics.clock().instant());
    for (Step step : plan.steps()) {
      try {
        if (step instanceof Create c) {
          topics.create(c.topic(), c.partitions(), (short) 1, c.overrides(), c.id());
        } else if (step instanceof Grow g) {
          topics.addPartitions(g.topic(), g.partitions());
        } else if (step instanceof DeleteHere d) {
          topics.delete(d.topic(), d.id(), d.deletedAtMs());
        } else {
          deleteOnPeer(peer, (DeleteOnPeer) step, timeoutMs);
        }
      } catch (ApiException e) {
        // A client or another peer changed the topic since the lists were taken; what it did stands.
        LOG.info("Catching up from broker {}: {} not applied: {}", peerId, step, e.getMessage());
        continue;
      }
      LOG.info("Caught up from broker {}: {}", peerId, step);
    }
    if (!plan.onlyHere().isEmpty()) {
      LOG.warn("Topics {} exist here but not on broker {} at {}, which has no record of deleting them: created"
          + " while that broker was down, or deleted over {} ago; left as they are", plan.onlyHere(), peerId, peer,
          TopicTombstones.RETENTION);
    }
    if (!plan.idsDiffer().isEmpty()) {
      LOG.warn("Topics {} have other topic ids here than on broker {} at {} (created on both while they could not"
          + " reach each other); left as they are", plan.idsDiffer(), peerId, peer);
    }
    if (!plan.configsDiffer().isEmpty()) {
      LOG.warn("Topics {} have other topic-level overrides here than on broker {} at {}; left as they are",
          plan.configsDiffer(), peerId, peer);
    }
    return plan;
  }

  /** Deletes, by id, on the peer a topic this broker deleted while the peer was down. */
  private static void deleteOnPeer(ClusterLayout.HostPort peer, DeleteOnPeer step, int timeoutMs) throws IOException {
    DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(timeoutMs);
    data.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setTopicId(step.id()));
    var response = (DeleteTopicsResponse) PeerForwarder.send(peer,
        new DeleteTopicsRequest.Builder(data).build((short) 6), timeoutMs);
    for (var result : response.data().responses()) {
      Errors error = Errors.forCode(result.errorCode());
      if (error != Errors.NONE && error != Errors.UNKNOWN_TOPIC_ID) {
        throw new IOException("peer " + peer + " answered " + error + " deleting topic " + step.topic());
      }
    }
  }

  private static List<Tombstone> peerTombstones(ClusterLayout.HostPort peer, int peerId, int timeoutMs)
      throws IOException {
    DescribeConfigsRequestData request = new DescribeConfigsRequestData();
    request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
        .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(Integer.toString(peerId))
        .setConfigurationKeys(List.of(PeerForwarder.TOMBSTONES_CONFIG)));
    var response = (DescribeConfigsResponse) PeerForwarder.send(peer,
        new DescribeConfigsRequest.Builder(request).build((short) 4), timeoutMs);
    for (DescribeConfigsResponseData.DescribeConfigsResult result : response.data().results()) {
      if (result.errorCode() != Errors.NONE.code()) {
        throw new IOException("peer " + peer + " answered " + Errors.forCode(result.errorCode())
            + " describing its configs: " + result.errorMessage());
      }
      for (var config : result.configs()) {
        if (PeerForwarder.TOMBSTONES_CONFIG.equals(config.name())) {
          try {
            return TopicTombstones.fromConfigValue(config.value());
          } catch (IllegalArgumentException e) {
            throw new IOException("peer " + peer + " sent tombstones this broker cannot read: " + e.getMessage(), e);
          }
        }
      }
    }
    return List.of();
  }

  private static Map<String, TopicState> peerTopics(ClusterLayout.HostPort peer, int timeoutMs) throws IOException {
    var metadata = (MetadataResponse) PeerForwarder.send(peer,
        MetadataRequest.Builder.allTopics().build((short) 12), timeoutMs);
    Map<String, Integer> partitions = new TreeMap<>();
    Map<String, Uuid> ids = new TreeMap<>();
    for (MetadataResponse.TopicMetadata topic : metadata.topicMetadata()) {
      if (topic.error() != Errors.NONE) {
        throw new IOException("peer " + peer + " answered " + topic.error() + " for topic " + topic.topic());
      }
      partitions.put(topic.topic(), topic.partitionMetadata().size());
      ids.put(topic.topic(), topic.topicId());
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
        result.put(described.resourceName(), new TopicState(ids.get(described.resourceName()), count, overrides));
      }
    }
    return result;
  }
}
