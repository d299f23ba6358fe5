package dev.capstan.dataplane.broker.group;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OffsetCommit/OffsetFetch rules, retention, restart and the admin APIs. */
class GroupOffsetsTest {

  private static final long RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
  private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

  /** The broker knows one topic id, for "orders". */
  private static final TopicIds ORDERS_ONLY = new TopicIds() {
    @Override
    public Optional<String> name(Uuid topicId) {
      return topicId.equals(ORDERS_ID) ? Optional.of("orders") : Optional.empty();
    }

    @Override
    public Optional<Uuid> id(String topicName) {
      return topicName.equals("orders") ? Optional.of(ORDERS_ID) : Optional.empty();
    }
  };

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock(1_700_000_000_000L);
  private OffsetStore store;
  private GroupCoordinator coordinator;
  private Consumers group;

  @BeforeEach
  void open() throws IOException {
    store = OffsetStore.open(dir);
    coordinator = newCoordinator();
    group = new Consumers(coordinator, "payments");
  }

  private GroupCoordinator newCoordinator() {
    return new GroupCoordinator(GroupConfig.DEFAULTS.withInitialRebalanceDelayMs(0), store, ORDERS_ONLY, clock);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private record Member(String id, int generation) {}

  /** One consumer with a stable generation in "payments". */
  private Member stableMember() {
    String id = group.memberIdFor("consumer-a");
    var join = group.join(id, "consumer-a");
    coordinator.tick();
    int generation = join.join().generationId();
    group.sync(id, generation, List.of(id + "=orders-0-1")).join();
    return new Member(id, generation);
  }

  private static OffsetCommitRequestData commitRequest(String groupId, String memberId, int generation, Object... topicPartitionOffset) {
    OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
        .setGenerationIdOrMemberEpoch(generation);
    for (int i = 0; i < topicPartitionOffset.length; i += 3) {
      String topic = (String) topicPartitionOffset[i];
      OffsetCommitRequestTopic t = request.topics().stream().filter(x -> x.name().equals(topic)).findFirst().orElseGet(() -> {
        OffsetCommitRequestTopic created = new OffsetCommitRequestTopic().setName(topic);
        request.topics().add(created);
        return created;
      });
      t.partitions().add(new OffsetCommitRequestPartition().setPartitionIndex((Integer) topicPartitionOffset[i + 1])
          .setCommittedOffset((Long) topicPartitionOffset[i + 2]).setCommittedLeaderEpoch(4).setCommittedMetadata("m"));
    }
    return request;
  }

  private static List<Errors> errors(OffsetCommitResponseData response) {
    List<Errors> errors = new ArrayList<>();
    response.topics().forEach(t -> t.partitions().forEach(p -> errors.add(Errors.forCode(p.errorCode()))));
    return errors;
  }

  private Map<String, Long> fetchV8(String groupId, String topic, Integer... partitions) {
    OffsetFetchRequestData request = new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup()
        .setGroupId(groupId).setTopics(List.of(new OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(partitions))))));
    OffsetFetchResponseGroup result = coordinator.fetchOffsets(request, (short) 8).groups().get(0);
    assertThat(result.errorCode()).isZero();
    Map<String, Long> offsets = new java.util.TreeMap<>();
    result.topics().forEach(t -> t.partitions().forEach(p -> offsets.put(t.name() + "-" + p.partitionIndex(), p.committedOffset())));
    return offsets;
  }

  private List<ListedGroup> list(List<String> states, List<String> types) {
    return coordinator.listGroups(new ListGroupsRequestData().setStatesFilter(states).setTypesFilter(types), (short) 5).groups();
  }

  @Test
  void aMemberCommitsAndFetchesItsOffsets() {
    Member m = stableMember();
    var response = coordinator.commitOffsets(commitRequest("payments", m.id(), m.generation(), "orders", 0, 42L, "orders", 1, 7L),
        (short) 9);
    assertThat(errors(response)).containsExactly(Errors.NONE, Errors.NONE);
    assertThat(fetchV8("payments", "orders", 0, 1, 2)).isEqualTo(Map.of("orders-0", 42L, "orders-1", 7L, "orders-2", -1L));

    OffsetFetchResponseData v7 = coordinator.fetchOffsets(new OffsetFetchRequestData().setGroupId("payments")
        .setTopics(List.of(new OffsetFetchRequestTopic().setName("orders").setPartitionIndexes(List.of(0)))), (short) 7);
    assertThat(v7.errorCode()).isZero();
    var p0 = v7.topics().get(0).partitions().get(0);
    assertThat(p0.committedOffset()).isEqualTo(42L);
    assertThat(p0.committedLeaderEpoch()).isEqualTo(4);
    assertThat(p0.metadata()).isEqualTo("m");
  }

  @Test
  void fetchingEveryTopicOfSeveralGroupsAtOnce() {
    coordinator.commitOffsets(commitRequest("g1", "", -1, "orders", 1, 5L, "audit", 0, 9L), (short) 9);
    OffsetFetchRequestData request = new OffsetFetchRequestData().setGroups(List.of(
        new OffsetFetchRequestGroup().setGroupId("g1").setTopics(null),
        new OffsetFetchRequestGroup().setGroupId("never-seen").setTopics(null)));
    OffsetFetchResponseData response = coordinator.fetchOffsets(request, (short) 9);
    assertThat(response.groups()).extracting(OffsetFetchResponseGroup::groupId).containsExactly("g1", "never-seen");
    assertThat(response.groups().get(0).topics()).extracting(t -> t.name()).containsExactly("audit", "orders");
    assertThat(response.groups().get(0).topics().get(1).partitions()).extracting(OffsetFetchResponsePartitions::committedOffset)
        .containsExactly(5L);
    assertThat(response.groups().get(1).topics()).isEmpty();
    assertThat(response.groups().get(1).errorCode()).isZero();
  }

  @Test
  void v10NamesTopicsById() {
    OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1)
        .setTopics(List.of(
            new OffsetCommitRequestTopic().setTopicId(ORDERS_ID).setPartitions(List.of(
                new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(11))),
            new OffsetCommitRequestTopic().setTopicId(Uuid.randomUuid()).setPartitions(List.of(
                new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(12)))));
    OffsetCommitResponseData response = coordinator.commitOffsets(request, (short) 10);
    assertThat(response.topics().get(0).topicId()).isEqualTo(ORDERS_ID);
    assertThat(errors(response)).containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_ID);

    OffsetFetchResponseData fetched = coordinator.fetchOffsets(new OffsetFetchRequestData().setGroups(List.of(
        new OffsetFetchRequestGroup().setGroupId("g").setTopics(List.of(
            new OffsetFetchRequestTopics().setTopicId(ORDERS_ID).setPartitionIndexes(List.of(0)))))), (short) 10);
    var topic = fetched.groups().get(0).topics().get(0);
    assertThat(topic.topicId()).isEqualTo(ORDERS_ID);
    assertThat(topic.partitions().get(0).committedOffset()).isEqualTo(11L);
    assertThat(fetchV8("g", "orders", 0)).as("stored by name").containsEntry("orders-0", 11L);
  }

  @Test
  void commitsFromAStaleGenerationOrAStrangerAreRejected() {
    Member m = stableMember();
    assertThat(errors(coordinator.commitOffsets(commitRequest("payments", m.id(), m.generation() + 1, "orders", 0, 1L), (short) 9)))
        .containsExactly(Errors.ILLEGAL_GENERATION);
    assertThat(errors(coordinator.commitOffsets(commitRequest("payments", "stranger", m.generation(), "orders", 0, 1L), (short) 9)))
        .containsExactly(Errors.UNKNOWN_MEMBER_ID);
    assertThat(errors(coordinator.commitOffsets(commitRequest("payments", "", -1, "orders", 0, 1L), (short) 9)))
        .as("no generation while the group has members").containsExactly(Errors.UNKNOWN_MEMBER_ID);
    assertThat(fetchV8("payments", "orders", 0)).containsEntry("orders-0", -1L);
  }

  @Test
  void aCommitBetweenJoinAndSyncIsToldToWait() {
    String id = group.memberIdFor("consumer-a");
    var join = group.join(id, "consumer-a");
    coordinator.tick();
    var response = coordinator.commitOffsets(commitRequest("payments", id, join.join().generationId(), "orders", 0, 1L), (short) 9);
    assertThat(errors(response)).containsExactly(Errors.REBALANCE_IN_PROGRESS);
  }

  @ParameterizedTest(name = "v{0}: {1}")
  @CsvSource({"8, ILLEGAL_GENERATION", "9, GROUP_ID_NOT_FOUND"})
  void aCommitWithAGenerationToAGroupThatDoesNotExist(short version, Errors expected) {
    assertThat(errors(coordinator.commitOffsets(commitRequest("ghost", "m-1", 3, "orders", 0, 1L), version)))
        .containsExactly(expected);
  }

  @Test
  void anyoneMayCommitWithoutGenerationToAnEmptyGroup() {
    var response = coordinator.commitOffsets(commitRequest("tool", "", -1, "orders", 0, 100L), (short) 9);
    assertThat(errors(response)).containsExactly(Errors.NONE);
    assertThat(list(List.of(), List.of())).singleElement().satisfies(g -> {
      assertThat(g.groupId()).isEqualTo("tool");
      assertThat(g.groupState()).isEqualTo("Empty");
      assertThat(g.protocolType()).isEmpty();
    });
    Member m = stableMember();
    group.leave(m.id());
    assertThat(errors(coordinator.commitOffsets(commitRequest("payments", "", -1, "orders", 0, 5L), (short) 9)))
        .as("the admin client resetting offsets of an empty consumer group").containsExactly(Errors.NONE);
  }

  @Test
  void tooLargeMetadataIsRejectedPerPartition() {
    OffsetCommitRequestData request = commitRequest("g", "", -1, "orders", 0, 1L, "orders", 1, 2L);
    request.topics().get(0).partitions().get(1).setCommittedMetadata("x".repeat(4097));
    assertThat(errors(coordinator.commitOffsets(request, (short) 9))).containsExactly(Errors.NONE, Errors.OFFSET_METADATA_TOO_LARGE);
    assertThat(fetchV8("g", "orders", 0, 1)).isEqualTo(Map.of("orders-0", 1L, "orders-1", -1L));
  }

  @Test
  void offsetsAndGroupsSurviveARestart() throws IOException {
    Member m = stableMember();
    coordinator.commitOffsets(commitRequest("payments", m.id(), m.generation(), "orders", 3, 333L), (short) 9);
    store.close();
    store = OffsetStore.open(dir);
    coordinator = newCoordinator();
    assertThat(fetchV8("payments", "orders", 3)).containsEntry("orders-3", 333L);
    assertThat(list(List.of("Empty"), List.of())).extracting(ListedGroup::groupId).containsExactly("payments");
    assertThat(errors(coordinator.commitOffsets(commitRequest("payments", m.id(), m.generation(), "orders", 3, 334L), (short) 9)))
        .as("the old generation ended with the restart").containsExactly(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void offsetsOfAnEmptyConsumerGroupExpireARetentionPeriodAfterItBecameEmpty() throws IOException {
    Member m = stableMember();
    coordinator.commitOffsets(commitRequest("payments", m.id(), m.generation(), "orders", 0, 42L), (short) 9);
    clock.advance(RETENTION_MS * 2);
    coordinator.tick();
    assertThat(fetchV8("payments", "orders", 0)).as("a group with members keeps offsets").containsEntry("orders-0", 42L);
    group.heartbeat(m.id(), m.generation());
    group.leave(m.id());

    clock.advance(RETENTION_MS - 1);
    coordinator.tick();
    assertThat(fetchV8("payments", "orders", 0)).containsEntry("orders-0", 42L);
    clock.advance(600_000); // the next retention check
    coordinator.tick();
    assertThat(fetchV8("payments", "orders", 0)).containsEntry("orders-0", -1L);
    assertThat(list(List.of(), List.of())).as("empty and without offsets: deleted").isEmpty();

    store.close();
    store = OffsetStore.open(dir);
    assertThat(store.groupIds()).as("the expiry is durable").isEmpty();
  }

  @Test
  void offsetsOfASimpleGroupExpireARetentionPeriodAfterTheirCommit() {
    coordinator.commitOffsets(commitRequest("tool", "", -1, "orders", 0, 1L), (short) 9);
    clock.advance(RETENTION_MS / 2);
    coordinator.commitOffsets(commitRequest("tool", "", -1, "orders", 1, 2L), (short) 9);
    clock.advance(RETENTION_MS / 2);
    coordinator.tick();
    assertThat(fetchV8("tool", "orders", 0, 1)).isEqualTo(Map.of("orders-0", -1L, "orders-1", 2L));
    assertThat(list(List.of(), List.of())).hasSize(1);
  }

  @Test
  void anExplicitRetentionTimeFromOldClientsIsHonoured() {
    coordinator.commitOffsets(commitRequest("tool", "", -1, "orders", 0, 1L).setRetentionTimeMs(60_000), (short) 3);
    clock.advance(600_000);
    coordinator.tick();
    assertThat(fetchV8("tool", "orders", 0)).containsEntry("orders-0", -1L);
  }

  @Test
  void deleteGroupsDeletesOnlyEmptyGroupsWithTheirOffsets() {
    Member m = stableMember();
    coordinator.commitOffsets(commitRequest("tool", "", -1, "orders", 0, 1L), (short) 9);
    var response = coordinator.deleteGroups(new DeleteGroupsRequestData().setGroupsNames(List.of("payments", "tool", "ghost", "")));
    assertThat(response.results()).extracting(r -> r.groupId() + ":" + Errors.forCode(r.errorCode()))
        .containsExactly("payments:NON_EMPTY_GROUP", "tool:NONE", "ghost:GROUP_ID_NOT_FOUND", ":INVALID_GROUP_ID");
    assertThat(fetchV8("tool", "orders", 0)).containsEntry("orders-0", -1L);
    assertThat(store.groupIds()).doesNotContain("tool");
    assertThat(list(List.of(), List.of())).extracting(ListedGroup::groupId).containsExactly("payments");
    assertThat(group.heartbeat(m.id(), m.generation())).isEqualTo(Errors.NONE);
  }

  @Test
  void offsetDeleteSparesTopicsAnActiveMemberSubscribesTo() {
    byte[] subscription = org.apache.kafka.common.utils.Utils.toArray(ConsumerProtocol.serializeSubscription(
        new ConsumerPartitionAssignor.Subscription(List.of("orders"))));
    JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
    protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(subscription));
    String id = group.memberIdFor("consumer-a");
    var join = coordinator.joinGroup(group.joinRequest(id, "consumer-a").setProtocols(protocols), (short) 9, "consumer-a", "/h");
    coordinator.tick();
    group.sync(id, join.join().generationId(), List.of(id + "=x")).join();
    coordinator.commitOffsets(commitRequest("payments", id, join.join().generationId(), "orders", 0, 5L, "audit", 0, 6L), (short) 9);

    OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
    for (String topic : List.of("orders", "audit")) {
      topics.add(new OffsetDeleteRequestTopic().setName(topic).setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
    }
    OffsetDeleteResponseData response = coordinator.deleteOffsets(new OffsetDeleteRequestData().setGroupId("payments").setTopics(topics));
    assertThat(response.errorCode()).isZero();
    assertThat(response.topics()).extracting(t -> t.name() + ":" + Errors.forCode(t.partitions().iterator().next().errorCode()))
        .containsExactly("orders:GROUP_SUBSCRIBED_TO_TOPIC", "audit:NONE");
    assertThat(fetchV8("payments", "orders", 0)).containsEntry("orders-0", 5L);
    assertThat(fetchV8("payments", "audit", 0)).containsEntry("audit-0", -1L);

    group.leave(id);
    topics = new OffsetDeleteRequestTopicCollection();
    topics.add(new OffsetDeleteRequestTopic().setName("orders").setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
    assertThat(coordinator.deleteOffsets(new OffsetDeleteRequestData().setGroupId("payments").setTopics(topics)).errorCode()).isZero();
    assertThat(fetchV8("payments", "orders", 0)).as("an empty group may drop any offset").containsEntry("orders-0", -1L);
    assertThat(Errors.forCode(coordinator.deleteOffsets(new OffsetDeleteRequestData().setGroupId("ghost")).errorCode()))
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
  }

  @Test
  void describeShowsMembersWithAssignmentsOnceStable() {
    Member m = stableMember();
    DescribedGroup d = coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("payments")), (short) 5)
        .groups().get(0);
    assertThat(d.errorCode()).isZero();
    assertThat(d.groupState()).isEqualTo("Stable");
    assertThat(d.protocolType()).isEqualTo("consumer");
    assertThat(d.protocolData()).isEqualTo("range");
    DescribedGroupMember member = d.members().get(0);
    assertThat(member.memberId()).isEqualTo(m.id());
    assertThat(member.clientId()).isEqualTo("consumer-a");
    assertThat(member.clientHost()).isEqualTo("/10.0.0.1");
    assertThat(Consumers.string(member.memberMetadata())).isEqualTo("consumer-a/range");
    assertThat(Consumers.string(member.memberAssignment())).isEqualTo("orders-0-1");
  }

  @ParameterizedTest(name = "v{0}")
  @CsvSource({"5, NONE", "6, GROUP_ID_NOT_FOUND"})
  void describingAnUnknownGroup(short version, Errors expected) {
    DescribedGroup d = coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("ghost")), version)
        .groups().get(0);
    assertThat(d.groupState()).isEqualTo("Dead");
    assertThat(Errors.forCode(d.errorCode())).isEqualTo(expected);
    assertThat(d.members()).isEmpty();
  }

  @Test
  void listGroupsFiltersByStateAndType() {
    stableMember();
    coordinator.commitOffsets(commitRequest("tool", "", -1, "orders", 0, 1L), (short) 9);
    assertThat(list(List.of(), List.of())).extracting(g -> g.groupId() + ":" + g.groupState() + ":" + g.groupType())
        .containsExactly("payments:Stable:classic", "tool:Empty:classic");
    assertThat(list(List.of("STABLE"), List.of())).extracting(ListedGroup::groupId).containsExactly("payments");
    assertThat(list(List.of("Empty", "Dead"), List.of("Classic"))).extracting(ListedGroup::groupId).containsExactly("tool");
    assertThat(list(List.of(), List.of("consumer"))).isEmpty();
    var v3 = coordinator.listGroups(new ListGroupsRequestData(), (short) 3).groups();
    assertThat(v3).hasSize(2).allSatisfy(g -> assertThat(g.groupState()).as("no state field before v4").isEmpty());
  }

  @ParameterizedTest(name = "{0} brokers")
  @CsvSource({"1", "3", "7"})
  void theCoordinatorIsAPureFunctionOfTheGroupId(int brokers) {
    int[] counts = new int[brokers];
    for (int i = 0; i < 7_000; i++) {
      int chosen = GroupCoordinator.coordinatorFor("group-" + i, brokers);
      assertThat(chosen).isBetween(0, brokers - 1).isEqualTo(GroupCoordinator.coordinatorFor("group-" + i, brokers));
      counts[chosen]++;
    }
    for (int count : counts) {
      assertThat(count).as("spread within 20%% of even").isBetween(7_000 / brokers * 8 / 10, 7_000 / brokers * 12 / 10);
    }
  }
}
