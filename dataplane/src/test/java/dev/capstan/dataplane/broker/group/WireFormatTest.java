package dev.capstan.dataplane.broker.group;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every version kafka-clients 4.3.1 speaks: requests built by its own builders, serialized and
 * parsed as the server will; the coordinator's answers serialized at the same version and parsed
 * back. Proves the version-specific fields the coordinator fills are encodable where it claims.
 */
class WireFormatTest {

  private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock(1_000);
  private OffsetStore store;
  private GroupCoordinator coordinator;

  @BeforeEach
  void open() throws IOException {
    store = OffsetStore.open(dir);
    TopicIds ids = new TopicIds() {
      @Override
      public Optional<String> name(Uuid topicId) {
        return topicId.equals(ORDERS_ID) ? Optional.of("orders") : Optional.empty();
      }

      @Override
      public Optional<Uuid> id(String topicName) {
        return topicName.equals("orders") ? Optional.of(ORDERS_ID) : Optional.empty();
      }
    };
    coordinator = new GroupCoordinator(GroupConfig.DEFAULTS.withInitialRebalanceDelayMs(0), store, ids, clock);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private static Stream<Short> versions(ApiKeys key) {
    return IntStream.rangeClosed(key.oldestVersion(), key.latestVersion()).mapToObj(v -> (short) v);
  }

  static Stream<Short> joinVersions() {
    return versions(ApiKeys.JOIN_GROUP);
  }

  static Stream<Short> syncVersions() {
    return versions(ApiKeys.SYNC_GROUP);
  }

  static Stream<Short> heartbeatVersions() {
    return versions(ApiKeys.HEARTBEAT);
  }

  static Stream<Short> leaveVersions() {
    return versions(ApiKeys.LEAVE_GROUP);
  }

  static Stream<Short> commitVersions() {
    return versions(ApiKeys.OFFSET_COMMIT);
  }

  static Stream<Short> fetchVersions() {
    return versions(ApiKeys.OFFSET_FETCH);
  }

  static Stream<Short> describeVersions() {
    return versions(ApiKeys.DESCRIBE_GROUPS);
  }

  static Stream<Short> listVersions() {
    return versions(ApiKeys.LIST_GROUPS);
  }

  static Stream<Short> deleteVersions() {
    return versions(ApiKeys.DELETE_GROUPS);
  }

  /** What the server gets: the request as parsed from the bytes a client sent. */
  @SuppressWarnings("unchecked")
  private static <T extends AbstractRequest> T overTheWire(AbstractRequest.Builder<T> builder, short version) {
    T request = builder.build(version);
    ByteBufferAccessor bytes = request.serialize();
    return (T) AbstractRequest.parseRequest(request.apiKey(), version, bytes).request;
  }

  /** What the client gets: the response as parsed from the bytes the server sent. */
  @SuppressWarnings("unchecked")
  private static <T extends AbstractResponse> T overTheWire(ApiKeys key, ApiMessage data, short version) {
    ByteBufferAccessor bytes = MessageUtil.toByteBufferAccessor(data, version);
    return (T) AbstractResponse.parseResponse(key, bytes, version);
  }

  private JoinGroupRequestData join(String groupId, String memberId) {
    return new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId).setSessionTimeoutMs(10_000)
        .setRebalanceTimeoutMs(30_000).setProtocolType("consumer").setProtocols(Consumers.protocols("c", "range"));
  }

  /** A stable one-member group joined at the latest versions; returns the member id. */
  private String stableGroup(String groupId) {
    Consumers consumers = new Consumers(coordinator, groupId);
    String id = consumers.memberIdFor("c");
    var j = consumers.join(id, "c");
    coordinator.tick();
    consumers.sync(id, j.join().generationId(), List.of(id + "=a")).join();
    return id;
  }

  @ParameterizedTest(name = "JoinGroup v{0}")
  @MethodSource("joinVersions")
  void joinGroup(short v) {
    String groupId = "join-" + v;
    JoinGroupRequest first = overTheWire(new JoinGroupRequest.Builder(join(groupId, "")), v);
    CompletableFuture<JoinGroupResponseData> pending = coordinator.joinGroup(first.data(), v, "c", "/h");
    if (v >= 4) {
      JoinGroupResponse required = overTheWire(ApiKeys.JOIN_GROUP, pending.join(), v);
      assertThat(required.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
      assertThat(required.data().memberId()).startsWith("c-");
      JoinGroupRequest second = overTheWire(new JoinGroupRequest.Builder(join(groupId, required.data().memberId())), v);
      pending = coordinator.joinGroup(second.data(), v, "c", "/h");
    }
    coordinator.tick();
    JoinGroupResponse joined = overTheWire(ApiKeys.JOIN_GROUP, pending.join(), v);
    assertThat(joined.error()).isEqualTo(Errors.NONE);
    assertThat(joined.data().generationId()).isEqualTo(1);
    assertThat(joined.data().protocolName()).isEqualTo("range");
    assertThat(joined.data().memberId()).startsWith("c-");
    assertThat(joined.data().leader()).isEqualTo(joined.data().memberId());
    assertThat(joined.data().members()).singleElement()
        .satisfies(m -> assertThat(Consumers.string(m.metadata())).isEqualTo("c/range"));
    if (v >= 7) {
      assertThat(joined.data().protocolType()).isEqualTo("consumer");
    }
    JoinGroupRequest invalid = overTheWire(new JoinGroupRequest.Builder(join(groupId, "").setSessionTimeoutMs(1)), v);
    JoinGroupResponse error = overTheWire(ApiKeys.JOIN_GROUP, coordinator.joinGroup(invalid.data(), v, "c", "/h").join(), v);
    assertThat(error.error()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
  }

  @ParameterizedTest(name = "SyncGroup v{0}")
  @MethodSource("syncVersions")
  void syncGroup(short v) {
    Consumers consumers = new Consumers(coordinator, "sync");
    String id = consumers.memberIdFor("c");
    var j = consumers.join(id, "c");
    coordinator.tick();
    SyncGroupRequestData data = new SyncGroupRequestData().setGroupId("sync").setMemberId(id)
        .setGenerationId(j.join().generationId()).setProtocolType("consumer").setProtocolName("range")
        .setAssignments(List.of(new SyncGroupRequestAssignment().setMemberId(id).setAssignment(Consumers.bytes("orders-0"))));
    SyncGroupRequest request = overTheWire(new SyncGroupRequest.Builder(data), v);
    SyncGroupResponse response = overTheWire(ApiKeys.SYNC_GROUP, coordinator.syncGroup(request.data(), v).join(), v);
    assertThat(response.error()).isEqualTo(Errors.NONE);
    assertThat(Consumers.string(response.data().assignment())).isEqualTo("orders-0");
    if (v >= 5) {
      assertThat(response.data().protocolName()).isEqualTo("range");
    }
    SyncGroupRequest stale = overTheWire(new SyncGroupRequest.Builder(data.setGenerationId(99)), v);
    SyncGroupResponse error = overTheWire(ApiKeys.SYNC_GROUP, coordinator.syncGroup(stale.data(), v).join(), v);
    assertThat(error.error()).isEqualTo(Errors.ILLEGAL_GENERATION);
  }

  @ParameterizedTest(name = "Heartbeat v{0}")
  @MethodSource("heartbeatVersions")
  void heartbeat(short v) {
    String id = stableGroup("hb");
    HeartbeatRequest request = overTheWire(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("hb").setMemberId(id)
        .setGenerationId(1)), v);
    HeartbeatResponse response = overTheWire(ApiKeys.HEARTBEAT, coordinator.heartbeat(request.data()), v);
    assertThat(response.error()).isEqualTo(Errors.NONE);
  }

  @ParameterizedTest(name = "LeaveGroup v{0}")
  @MethodSource("leaveVersions")
  void leaveGroup(short v) {
    String id = stableGroup("leave");
    LeaveGroupRequest request = overTheWire(new LeaveGroupRequest.Builder("leave", List.of(new MemberIdentity().setMemberId(id))), v);
    LeaveGroupResponse response = overTheWire(ApiKeys.LEAVE_GROUP, coordinator.leaveGroup(request.data(), v), v);
    assertThat(response.error()).isEqualTo(Errors.NONE);
    assertThat(response.memberResponses()).allSatisfy(m -> assertThat(m.errorCode()).isZero());
    LeaveGroupRequest again = overTheWire(new LeaveGroupRequest.Builder("leave", List.of(new MemberIdentity().setMemberId(id))), v);
    LeaveGroupResponse unknown = overTheWire(ApiKeys.LEAVE_GROUP, coordinator.leaveGroup(again.data(), v), v);
    assertThat(unknown.error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @ParameterizedTest(name = "OffsetCommit v{0}")
  @MethodSource("commitVersions")
  void offsetCommit(short v) {
    OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId("oc").setGenerationIdOrMemberEpoch(-1).setMemberId("")
        .setTopics(List.of(new OffsetCommitRequestTopic().setName("orders").setTopicId(ORDERS_ID).setPartitions(List.of(
            new OffsetCommitRequestPartition().setPartitionIndex(2).setCommittedOffset(77 + v).setCommittedLeaderEpoch(5)
                .setCommittedMetadata("meta")))));
    OffsetCommitRequest request = overTheWire(OffsetCommitRequest.Builder.forTopicIdsOrNames(data), v);
    OffsetCommitResponse response = overTheWire(ApiKeys.OFFSET_COMMIT, coordinator.commitOffsets(request.data(), v), v);
    assertThat(response.errorCounts()).containsOnlyKeys(Errors.NONE);
    assertThat(store.offsets("oc")).containsKey(new org.apache.kafka.common.TopicPartition("orders", 2));
    assertThat(store.offsets("oc").values()).singleElement().satisfies(o -> assertThat(o.offset()).isEqualTo(77L + v));
  }

  @ParameterizedTest(name = "OffsetFetch v{0}")
  @MethodSource("fetchVersions")
  void offsetFetch(short v) {
    coordinator.commitOffsets(new OffsetCommitRequestData().setGroupId("of").setGenerationIdOrMemberEpoch(-1)
        .setTopics(List.of(new OffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
            new OffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(123).setCommittedLeaderEpoch(6)
                .setCommittedMetadata("m"))))), (short) 9);
    OffsetFetchRequestData data = new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup().setGroupId("of")
        .setTopics(List.of(new OffsetFetchRequestTopics().setName("orders").setTopicId(ORDERS_ID).setPartitionIndexes(List.of(1, 2))))));
    OffsetFetchRequest request = overTheWire(OffsetFetchRequest.Builder.forTopicIdsOrNames(data, false), v);
    OffsetFetchResponse response = overTheWire(ApiKeys.OFFSET_FETCH, coordinator.fetchOffsets(request.data(), v), v);
    var group = response.group("of");
    assertThat(group.errorCode()).isZero();
    var partitions = group.topics().get(0).partitions();
    assertThat(partitions).extracting(p -> p.partitionIndex() + "=" + p.committedOffset()).containsExactly("1=123", "2=-1");
    assertThat(partitions.get(0).metadata()).isEqualTo("m");
    if (v >= 5) {
      assertThat(partitions.get(0).committedLeaderEpoch()).isEqualTo(6);
    }
    if (v >= 10) {
      assertThat(group.topics().get(0).topicId()).isEqualTo(ORDERS_ID);
    } else {
      assertThat(group.topics().get(0).name()).isEqualTo("orders");
    }
  }

  @ParameterizedTest(name = "DescribeGroups v{0}")
  @MethodSource("describeVersions")
  void describeGroups(short v) {
    String id = stableGroup("described");
    DescribeGroupsRequest request = overTheWire(new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData()
        .setGroups(List.of("described", "ghost"))), v);
    DescribeGroupsResponse response = overTheWire(ApiKeys.DESCRIBE_GROUPS, coordinator.describeGroups(request.data(), v), v);
    var groups = response.data().groups();
    assertThat(groups.get(0).groupState()).isEqualTo("Stable");
    assertThat(groups.get(0).members()).singleElement().satisfies(m -> {
      assertThat(m.memberId()).isEqualTo(id);
      assertThat(Consumers.string(m.memberAssignment())).isEqualTo("a");
    });
    assertThat(groups.get(1).groupState()).isEqualTo("Dead");
    assertThat(Errors.forCode(groups.get(1).errorCode())).isEqualTo(v >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE);
  }

  @ParameterizedTest(name = "ListGroups v{0}")
  @MethodSource("listVersions")
  void listGroups(short v) {
    stableGroup("listed");
    ListGroupsRequestData data = new ListGroupsRequestData();
    if (v >= 4) {
      data.setStatesFilter(List.of("Stable"));
    }
    if (v >= 5) {
      data.setTypesFilter(List.of("classic"));
    }
    ListGroupsRequest request = overTheWire(new ListGroupsRequest.Builder(data), v);
    ListGroupsResponse response = overTheWire(ApiKeys.LIST_GROUPS, coordinator.listGroups(request.data(), v), v);
    assertThat(response.data().groups()).singleElement().satisfies(g -> {
      assertThat(g.groupId()).isEqualTo("listed");
      assertThat(g.protocolType()).isEqualTo("consumer");
      if (v >= 4) {
        assertThat(g.groupState()).isEqualTo("Stable");
      }
      if (v >= 5) {
        assertThat(g.groupType()).isEqualTo("classic");
      }
    });
  }

  static Stream<Short> offsetDeleteVersions() {
    return versions(ApiKeys.OFFSET_DELETE);
  }

  @ParameterizedTest(name = "OffsetDelete v{0}")
  @MethodSource("offsetDeleteVersions")
  void offsetDelete(short v) {
    coordinator.commitOffsets(new OffsetCommitRequestData().setGroupId("od").setGenerationIdOrMemberEpoch(-1)
        .setTopics(List.of(new OffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
            new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))), (short) 9);
    OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
    topics.add(new OffsetDeleteRequestTopic().setName("orders").setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
    OffsetDeleteRequest request = overTheWire(new OffsetDeleteRequest.Builder(new OffsetDeleteRequestData().setGroupId("od")
        .setTopics(topics)), v);
    OffsetDeleteResponse response = overTheWire(ApiKeys.OFFSET_DELETE, coordinator.deleteOffsets(request.data()), v);
    assertThat(response.errorCounts()).containsOnlyKeys(Errors.NONE);
    assertThat(store.offsets("od")).isEmpty();
  }

  @ParameterizedTest(name = "DeleteGroups v{0}")
  @MethodSource("deleteVersions")
  void deleteGroups(short v) {
    coordinator.commitOffsets(new OffsetCommitRequestData().setGroupId("doomed").setGenerationIdOrMemberEpoch(-1)
        .setTopics(List.of(new OffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
            new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))), (short) 9);
    DeleteGroupsRequest request = overTheWire(new DeleteGroupsRequest.Builder(new DeleteGroupsRequestData()
        .setGroupsNames(List.of("doomed", "ghost"))), v);
    DeleteGroupsResponse response = overTheWire(ApiKeys.DELETE_GROUPS, coordinator.deleteGroups(request.data()), v);
    assertThat(response.get("doomed")).isEqualTo(Errors.NONE);
    assertThat(response.get("ghost")).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
  }
}
