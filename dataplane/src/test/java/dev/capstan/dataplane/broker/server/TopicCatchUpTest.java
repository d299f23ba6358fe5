package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.broker.server.TopicCatchUp.Create;
import dev.capstan.dataplane.broker.server.TopicCatchUp.Grow;
import dev.capstan.dataplane.broker.server.TopicCatchUp.Plan;
import dev.capstan.dataplane.broker.server.TopicCatchUp.TopicState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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

  @TempDir
  Path dir;

  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("alike", Map.of("a", state(2)), Map.of("a", state(2)), new Plan(List.of(), List.of(), List.of())),
        Arguments.of("a topic created meanwhile, with its overrides", Map.of(),
            Map.of("orders", new TopicState(3, HOUR)),
            new Plan(List.of(new Create("orders", 3, HOUR)), List.of(), List.of())),
        Arguments.of("partitions added meanwhile", Map.of("a", state(2)), Map.of("a", state(5)),
            new Plan(List.of(new Grow("a", 5)), List.of(), List.of())),
        Arguments.of("fewer partitions on the peer: it is the one behind", Map.of("a", state(5)), Map.of("a", state(2)),
            new Plan(List.of(), List.of(), List.of())),
        Arguments.of("only here: deleted meanwhile, or created while the peer was down; kept",
            Map.of("gone", state(1), "a", state(1)), Map.of("a", state(1)),
            new Plan(List.of(), List.of("gone"), List.of())),
        Arguments.of("other overrides: newer on either side; kept", Map.of("a", state(1)),
            Map.of("a", new TopicState(1, HOUR)), new Plan(List.of(), List.of(), List.of("a"))),
        Arguments.of("internal topics are each broker's own", Map.of("__mine", state(1)),
            Map.of("__consumer_offsets", state(50)), new Plan(List.of(), List.of(), List.of())),
        Arguments.of("several, in name order", Map.of("b", state(1)),
            Map.of("c", state(1), "b", state(2), "a", state(4)),
            new Plan(List.of(new Create("a", 4, Map.of()), new Grow("b", 2), new Create("c", 1, Map.of())),
                List.of(), List.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void plan(String what, Map<String, TopicState> local, Map<String, TopicState> peer, Plan expected) {
    assertThat(TopicCatchUp.plan(local, peer)).isEqualTo(expected);
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

  private static TopicState state(int partitions) {
    return new TopicState(partitions, Map.of());
  }
}
