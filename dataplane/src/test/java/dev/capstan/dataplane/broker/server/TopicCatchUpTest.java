package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.broker.server.TopicCatchUp.Create;
import dev.capstan.dataplane.broker.server.TopicCatchUp.DeleteHere;
import dev.capstan.dataplane.broker.server.TopicCatchUp.DeleteOnPeer;
import dev.capstan.dataplane.broker.server.TopicCatchUp.Grow;
import dev.capstan.dataplane.broker.server.TopicCatchUp.Plan;
import dev.capstan.dataplane.broker.server.TopicCatchUp.Sides;
import dev.capstan.dataplane.broker.server.TopicCatchUp.Step;
import dev.capstan.dataplane.broker.server.TopicCatchUp.TopicState;
import dev.capstan.dataplane.broker.server.TopicTombstones.Tombstone;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A broker that was down catches up with the topic changes made through its peer meanwhile. */
class TopicCatchUpTest {
  private static final Map<String, String> HOUR = Map.of("retention.ms", "3600000");
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final long AN_HOUR_AGO = NOW.minus(Duration.ofHours(1)).toEpochMilli();
  private static final Uuid A = new Uuid(1, 1);
  private static final Uuid B = new Uuid(2, 2);
  private static final Uuid C = new Uuid(3, 3);
  private static final Uuid OLD = new Uuid(4, 4);
  private static final Uuid NEW = new Uuid(5, 5);
  private static final Uuid INTERNAL = new Uuid(6, 6);

  @TempDir
  Path dir;

  /** Name, this broker's topics and tombstones, the peer's, the plan; the last flag: both end alike. */
  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("alike", new Sides(Map.of("a", state(A, 2)), List.of(), Map.of("a", state(A, 2)), List.of()),
            plan(List.of()), true),
        Arguments.of("a topic created meanwhile, with its id and overrides",
            new Sides(Map.of(), List.of(), Map.of("orders", new TopicState(NEW, 3, HOUR)), List.of()),
            plan(List.of(new Create("orders", NEW, 3, HOUR))), true),
        Arguments.of("partitions added meanwhile",
            new Sides(Map.of("a", state(A, 2)), List.of(), Map.of("a", state(A, 5)), List.of()),
            plan(List.of(new Grow("a", 5))), true),
        Arguments.of("fewer partitions on the peer: it is the one behind",
            new Sides(Map.of("a", state(A, 5)), List.of(), Map.of("a", state(A, 2)), List.of()),
            plan(List.of()), true),
        Arguments.of("only here and the peer never deleted it: created while the peer was down; kept",
            new Sides(Map.of("new", state(NEW, 1), "a", state(A, 1)), List.of(), Map.of("a", state(A, 1)), List.of()),
            new Plan(List.of(), List.of("new"), List.of(), List.of()), true),
        Arguments.of("other overrides: newer on either side; kept",
            new Sides(Map.of("a", state(A, 1)), List.of(), Map.of("a", new TopicState(A, 1, HOUR)), List.of()),
            new Plan(List.of(), List.of(), List.of("a"), List.of()), false),
        Arguments.of("internal topics are each broker's own",
            new Sides(Map.of("__mine", state(INTERNAL, 1)), List.of(),
                Map.of("__consumer_offsets", state(INTERNAL, 50)), List.of(gone("__mine", INTERNAL))),
            plan(List.of()), false),
        Arguments.of("several, in name order",
            new Sides(Map.of("b", state(B, 1)), List.of(), Map.of("c", state(C, 1), "b", state(B, 2), "a", state(A, 4)),
                List.of()),
            plan(List.of(new Create("a", A, 4, Map.of()), new Grow("b", 2), new Create("c", C, 1, Map.of()))), true),
        Arguments.of("deleted here while the peer was down: not adopted, deleted on the peer",
            new Sides(Map.of(), List.of(gone("gone", OLD)), Map.of("gone", state(OLD, 3)), List.of()),
            plan(List.of(new DeleteOnPeer("gone", OLD))), true),
        Arguments.of("deleted on the peer while this broker was down: deleted here, at the peer's time",
            new Sides(Map.of("gone", state(OLD, 3)), List.of(), Map.of(), List.of(gone("gone", OLD))),
            plan(List.of(new DeleteHere("gone", OLD, AN_HOUR_AGO))), true),
        Arguments.of("deleted on both: nothing to do",
            new Sides(Map.of(), List.of(gone("gone", OLD)), Map.of(), List.of(gone("gone", OLD))),
            plan(List.of()), true),
        Arguments.of("recreated on the peer under the name: the old id's tombstone here does not touch it",
            new Sides(Map.of(), List.of(gone("orders", OLD)), Map.of("orders", state(NEW, 2)), List.of(gone("orders", OLD))),
            plan(List.of(new Create("orders", NEW, 2, Map.of()))), true),
        Arguments.of("deleted and recreated on the peer while this broker was down: old one out, new one in",
            new Sides(Map.of("orders", state(OLD, 1)), List.of(), Map.of("orders", state(NEW, 2)),
                List.of(gone("orders", OLD))),
            plan(List.of(new DeleteHere("orders", OLD, AN_HOUR_AGO), new Create("orders", NEW, 2, Map.of()))), true),
        Arguments.of("deleted and recreated here while the peer was down: its old one goes, the new one stays here",
            new Sides(Map.of("orders", state(NEW, 2)), List.of(gone("orders", OLD)), Map.of("orders", state(OLD, 1)),
                List.of()),
            new Plan(List.of(new DeleteOnPeer("orders", OLD)), List.of("orders"), List.of(), List.of()), true),
        Arguments.of("the peer's tombstone of another id does not delete the topic here",
            new Sides(Map.of("orders", state(NEW, 1)), List.of(), Map.of(), List.of(gone("orders", OLD))),
            new Plan(List.of(), List.of("orders"), List.of(), List.of()), true),
        Arguments.of("an expired tombstone is forgotten: a broker down longer than that brings the topic back",
            new Sides(Map.of(), List.of(new Tombstone("gone", OLD, NOW.minus(TopicTombstones.RETENTION).toEpochMilli())),
                Map.of("gone", state(OLD, 1)), List.of()),
            plan(List.of(new Create("gone", OLD, 1, Map.of()))), true),
        Arguments.of("a tombstone just inside the retention still counts",
            new Sides(Map.of(), List.of(new Tombstone("gone", OLD,
                NOW.minus(TopicTombstones.RETENTION).toEpochMilli() + 1)), Map.of("gone", state(OLD, 1)), List.of()),
            plan(List.of(new DeleteOnPeer("gone", OLD))), true),
        Arguments.of("the same name with other ids and no tombstone: created on both apart; kept",
            new Sides(Map.of("orders", state(OLD, 1)), List.of(), Map.of("orders", state(NEW, 1)), List.of()),
            new Plan(List.of(), List.of(), List.of(), List.of("orders")), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void plan(String what, Sides sides, Plan expected, boolean endAlike) {
    assertThat(TopicCatchUp.plan(sides, NOW)).isEqualTo(expected);
  }

  /**
   * Both brokers catch up from each other, at the same time (both plans from the same lists,
   * applied in either order) or one after the other: every way, they end with the same topics
   * (name, id, partitions) and the same deletions remembered.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void twoBrokersCatchingUpFromEachOtherEndAlike(String what, Sides sides, Plan expected, boolean endAlike) {
    for (String order : List.of("together, this one's plan first", "together, the peer's first",
        "this one first", "the peer first")) {
      SimBroker here = new SimBroker(sides.local(), sides.localTombstones());
      SimBroker peer = new SimBroker(sides.peer(), sides.peerTombstones());
      switch (order) {
        case "together, this one's plan first" -> {
          Plan ours = here.planFrom(peer);
          Plan theirs = peer.planFrom(here);
          here.apply(ours, peer);
          peer.apply(theirs, here);
        }
        case "together, the peer's first" -> {
          Plan ours = here.planFrom(peer);
          Plan theirs = peer.planFrom(here);
          peer.apply(theirs, here);
          here.apply(ours, peer);
        }
        case "this one first" -> {
          here.apply(here.planFrom(peer), peer);
          peer.apply(peer.planFrom(here), here);
        }
        default -> {
          peer.apply(peer.planFrom(here), here);
          here.apply(here.planFrom(peer), peer);
        }
      }
      if (endAlike) {
        assertThat(here.outline()).as(order).isEqualTo(peer.outline());
        // a deletion either remembers holds on both: no id tombstoned on one is a topic on the other
        Set<Uuid> revived = new HashSet<>(here.ids());
        revived.addAll(peer.ids());
        Set<Uuid> deleted = new HashSet<>(here.deletedIds());
        deleted.addAll(peer.deletedIds());
        revived.retainAll(deleted);
        assertThat(revived).as(order).isEmpty();
        // and caught up: neither has anything left to take from the other
        assertThat(here.planFrom(peer).steps()).as(order).isEmpty();
        assertThat(peer.planFrom(here).steps()).as(order).isEmpty();
      }
    }
  }

  /** A broker's topics and tombstones, applying plans as {@link TopicCatchUp#run} and DeleteTopics do. */
  private static final class SimBroker {
    final Map<String, TopicState> topics;
    final List<Tombstone> tombstones;

    SimBroker(Map<String, TopicState> topics, List<Tombstone> tombstones) {
      this.topics = new TreeMap<>(topics);
      this.tombstones = new ArrayList<>(tombstones);
    }

    Plan planFrom(SimBroker peer) {
      return TopicCatchUp.plan(new Sides(topics, tombstones, peer.topics, peer.tombstones), NOW);
    }

    void apply(Plan plan, SimBroker peer) {
      for (Step step : plan.steps()) {
        if (step instanceof Create c) {
          if (!topics.containsKey(c.topic()) && TopicTombstones.of(TopicTombstones.live(tombstones, NOW), c.id()).isEmpty()) {
            topics.put(c.topic(), new TopicState(c.id(), c.partitions(), c.overrides()));
          }
        } else if (step instanceof Grow g) {
          topics.computeIfPresent(g.topic(), (name, t) -> new TopicState(t.id(), Math.max(t.partitions(), g.partitions()),
              t.overrides()));
        } else if (step instanceof DeleteHere d) {
          delete(d.topic(), d.id(), d.deletedAtMs());
        } else {
          DeleteOnPeer d = (DeleteOnPeer) step;
          peer.delete(d.topic(), d.id(), NOW.toEpochMilli());
        }
      }
    }

    void delete(String topic, Uuid id, long atMs) {
      TopicState state = topics.get(topic);
      if (state != null && state.id().equals(id)) {
        topics.remove(topic);
        tombstones.add(new Tombstone(topic, id, atMs));
      }
    }

    Map<String, String> outline() {
      Map<String, String> outline = new TreeMap<>();
      topics.forEach((name, t) -> {
        if (!name.startsWith("__")) {
          outline.put(name, t.id() + "/" + t.partitions());
        }
      });
      return outline;
    }

    Set<Uuid> ids() {
      return topics.values().stream().map(TopicState::id).collect(Collectors.toSet());
    }

    Set<Uuid> deletedIds() {
      return TopicTombstones.live(tombstones, NOW).stream().map(Tombstone::id).collect(Collectors.toSet());
    }
  }

  @Test
  void aBrokerBackFromDowntimeHasTheTopicsCreatedAndGrownMeanwhile() throws Exception {
    List<String> listeners = List.of("127.0.0.1:" + TwoBrokerTest.freePort(), "127.0.0.1:" + TwoBrokerTest.freePort());
    try (TestBroker first = start(0, listeners)) {
      TestBroker second = start(1, listeners);
      try {
        awaitReady(first);
        awaitReady(second);
        createTopic(first, "both", 2, Map.of());
        assertThat(partitions(second, "both")).isEqualTo(2);
      } finally {
        second.close();
      }

      // Broker 1 is down: what broker 0 accepts cannot be forwarded to it.
      createTopic(first, "orders", 3, HOUR);
      CreatePartitionsRequestData grow = new CreatePartitionsRequestData().setTimeoutMs(5_000);
      grow.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("both").setCount(4));
      var grown = (CreatePartitionsResponse) TwoBrokerTest.send(first.server.port(),
          new CreatePartitionsRequest.Builder(grow).build((short) 3));
      assertThat(grown.errorCounts()).containsOnlyKeys(Errors.NONE);

      try (TestBroker back = start(1, listeners)) {
        // Ready means caught up: the catch-up runs before the peer counts as seen.
        awaitReady(back);
        assertThat(partitions(back, "orders")).isEqualTo(3);
        assertThat(partitions(back, "both")).isEqualTo(4);
        assertThat(topicStatus(back, "orders")).containsEntry("configs", HOUR);
      }
    }
  }

  /**
   * Three brokers; one is down while a topic is deleted and another is deleted and recreated.
   * Once it is back, and after another broker restarts and catches up from it, the deleted topic
   * is gone everywhere and the recreated one is there everywhere with its new id.
   */
  @Test
  void aTopicDeletedWhileABrokerWasDownStaysGoneEverywhere() throws Exception {
    List<String> listeners = List.of("127.0.0.1:" + TwoBrokerTest.freePort(), "127.0.0.1:" + TwoBrokerTest.freePort(),
        "127.0.0.1:" + TwoBrokerTest.freePort());
    TestBroker[] brokers = new TestBroker[3];
    try {
      for (int id = 0; id < 3; id++) {
        brokers[id] = start(id, listeners);
      }
      for (TestBroker broker : brokers) {
        awaitReady(broker);
      }
      createTopic(brokers[0], "gone", 2, Map.of());
      createTopic(brokers[0], "orders", 1, Map.of());
      Uuid oldOrders = topicId(brokers[0], "orders");
      for (TestBroker broker : brokers) {
        assertThat(topicId(broker, "gone")).isEqualTo(topicId(brokers[0], "gone")); // forwarded with its id
        assertThat(topicId(broker, "orders")).isEqualTo(oldOrders);
      }

      brokers[2].close();
      brokers[2] = null;
      try (Admin admin = brokers[0].admin()) {
        admin.deleteTopics(List.of("gone", "orders")).all().get();
        admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
      }
      Uuid newOrders = topicId(brokers[0], "orders");
      assertThat(newOrders).isNotEqualTo(oldOrders);

      brokers[2] = start(2, listeners); // comes back with "gone" and the old "orders" on its disk
      awaitReady(brokers[2]);
      brokers[0].close(); // and broker 0 restarts, catching up from broker 2 among others
      brokers[0] = null;
      brokers[0] = start(0, listeners);
      awaitReady(brokers[0]);

      for (TestBroker broker : brokers) {
        assertThat(partitions(broker, "gone")).as(broker.bootstrap()).isEqualTo(-1);
        assertThat(topicId(broker, "orders")).as(broker.bootstrap()).isEqualTo(newOrders);
        assertThat(partitions(broker, "orders")).as(broker.bootstrap()).isEqualTo(3);
        try (Admin admin = broker.admin()) {
          assertThat(admin.listTopics().names().get()).as(broker.bootstrap()).contains("orders").doesNotContain("gone");
        }
      }
    } finally {
      for (TestBroker broker : brokers) {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  /**
   * A deletion is forwarded by topic id: a peer that holds another topic of the name (as when it
   * missed a delete and recreate) keeps it. Here each broker gets its own "orders" directly, as
   * a peer would send it, so the two ids differ.
   */
  @Test
  void aForwardedDeletionTouchesOnlyTheSameTopicIdOnThePeer() throws Exception {
    List<String> listeners = List.of("127.0.0.1:" + TwoBrokerTest.freePort(), "127.0.0.1:" + TwoBrokerTest.freePort());
    try (TestBroker first = start(0, listeners); TestBroker second = start(1, listeners)) {
      awaitReady(first);
      awaitReady(second);
      for (TestBroker broker : List.of(first, second)) {
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5_000);
        data.topics().add(PeerForwarder.withTopicId(new CreateTopicsRequestData.CreatableTopic().setName("orders")
            .setNumPartitions(1).setReplicationFactor((short) 1), Uuid.randomUuid()));
        var created = (CreateTopicsResponse) PeerForwarder.send(ClusterLayout.HostPort.parse(broker.bootstrap()),
            new CreateTopicsRequest.Builder(data).build((short) 7), 5_000);
        assertThat(created.errorCounts()).containsOnlyKeys(Errors.NONE);
      }
      Uuid theirs = topicId(second, "orders");
      assertThat(theirs).isNotNull().isNotEqualTo(topicId(first, "orders"));

      try (Admin admin = first.admin()) {
        admin.deleteTopics(List.of("orders")).all().get();
      }
      assertThat(topicId(first, "orders")).isNull();
      assertThat(topicId(second, "orders")).isEqualTo(theirs);
    }
  }

  /** The topic id the broker answers in Metadata, or null when it does not know the topic. */
  private static Uuid topicId(TestBroker broker, String topic) throws Exception {
    MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
    data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
    var response = (MetadataResponse) TwoBrokerTest.send(broker.server.port(), new MetadataRequest(data, (short) 12));
    MetadataResponse.TopicMetadata metadata = response.topicMetadata().iterator().next();
    return metadata.error() == Errors.NONE ? metadata.topicId() : null;
  }

  private TestBroker start(int id, List<String> listeners) throws Exception {
    BrokerServer.Options base = BrokerServer.Options.local(dir.resolve("b" + id));
    int port = Integer.parseInt(listeners.get(id).split(":")[1]);
    return TestBroker.start(new BrokerServer.Options(base.dataDir(), base.bindHost(), port, id, listeners,
        "catch-up", base.retentionMs(), base.retentionBytes(), base.defaultPartitions(), base.autoCreateTopics(),
        base.syncOnAcksAll(), base.maxRequestBytes(), base.retentionCheckMs(), base.flushIntervalMs(),
        base.requestThreads(), base.clock(), base.groupConfig()));
  }

  private static void awaitReady(TestBroker broker) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> broker.server.readiness().detail(), detail -> detail.endsWith("every peer seen"));
  }

  private static void createTopic(TestBroker broker, String name, int partitions, Map<String, String> configs)
      throws Exception {
    CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5_000);
    CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
        .setName(name).setNumPartitions(partitions).setReplicationFactor((short) 1);
    configs.forEach((key, value) -> topic.configs().add(
        new CreateTopicsRequestData.CreatableTopicConfig().setName(key).setValue(value)));
    data.topics().add(topic);
    var response = (CreateTopicsResponse) TwoBrokerTest.send(broker.server.port(),
        new CreateTopicsRequest.Builder(data).build((short) 7));
    assertThat(response.errorCounts()).containsOnlyKeys(Errors.NONE);
  }

  /** The partition count the broker answers in Metadata, or -1 when it does not know the topic. */
  private static int partitions(TestBroker broker, String topic) throws Exception {
    MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
    data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
    var response = (MetadataResponse) TwoBrokerTest.send(broker.server.port(), new MetadataRequest(data, (short) 12));
    MetadataResponse.TopicMetadata metadata = response.topicMetadata().iterator().next();
    return metadata.error() == Errors.NONE ? metadata.partitionMetadata().size() : -1;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> topicStatus(TestBroker broker, String topic) {
    return ((List<Map<String, Object>>) broker.server.status().get("topics")).stream()
        .filter(t -> topic.equals(t.get("name")))
        .findFirst()
        .orElseThrow();
  }

  private static TopicState state(Uuid id, int partitions) {
    return new TopicState(id, partitions, Map.of());
  }

  private static Tombstone gone(String topic, Uuid id) {
    return new Tombstone(topic, id, AN_HOUR_AGO);
  }

  private static Plan plan(List<Step> steps) {
    return new Plan(steps, List.of(), List.of(), List.of());
  }
}
