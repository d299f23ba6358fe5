package dev.capstan.dataplane.broker.group;

import dev.capstan.dataplane.testing.ManualClock;
import static dev.capstan.dataplane.broker.group.Consumers.REBALANCE_MS;
import static dev.capstan.dataplane.broker.group.Consumers.SESSION_MS;
import static dev.capstan.dataplane.broker.group.Consumers.string;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rebalance protocol, driven by a fake clock and {@link GroupCoordinator#tick()}. */
class GroupMembershipTest {

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private OffsetStore store;
  private GroupCoordinator coordinator;
  private Consumers group;

  @BeforeEach
  void open() throws IOException {
    store = OffsetStore.open(dir);
    coordinator = new GroupCoordinator(GroupConfig.DEFAULTS.withInitialRebalanceDelayMs(0), store, TopicIds.NONE, clock);
    group = new Consumers(coordinator, "payments");
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  /** Three members of a stable generation 1 (ids in join order; the first is the leader). */
  private record Stable(String a, String b, String c, int generation) {}

  private Stable threeStableMembers() {
    String a = group.memberIdFor("consumer-a");
    String b = group.memberIdFor("consumer-b");
    String c = group.memberIdFor("consumer-c");
    var ja = group.join(a, "consumer-a");
    var jb = group.join(b, "consumer-b");
    var jc = group.join(c, "consumer-c");
    coordinator.tick();
    int generation = ja.join().generationId();
    var sb = group.sync(b, generation, List.of());
    var sc = group.sync(c, generation, List.of());
    var sa = group.sync(a, generation, List.of(a + "=pa", b + "=pb", c + "=pc"));
    assertThat(List.of(sa, sb, sc)).allMatch(CompletableFuture::isDone);
    assertThat(jb.join().generationId()).isEqualTo(generation);
    assertThat(jc.join().generationId()).isEqualTo(generation);
    return new Stable(a, b, c, generation);
  }

  private DescribedGroup describe() {
    return coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("payments")), (short) 5).groups().get(0);
  }

  @Test
  void threeMembersFormOneGenerationAndTheLeaderAssigns() {
    String a = group.memberIdFor("consumer-a");
    String b = group.memberIdFor("consumer-b");
    String c = group.memberIdFor("consumer-c");
    assertThat(a).startsWith("consumer-a-").hasSizeGreaterThan("consumer-a-".length() + 30);
    var ja = group.join(a, "consumer-a");
    var jb = group.join(b, "consumer-b");
    var jc = group.join(c, "consumer-c");
    assertThat(List.of(ja, jb, jc)).noneMatch(CompletableFuture::isDone);
    assertThat(describe().groupState()).isEqualTo("PreparingRebalance");

    coordinator.tick();

    JoinGroupResponseData leader = ja.join();
    assertThat(Errors.forCode(leader.errorCode())).isEqualTo(Errors.NONE);
    assertThat(leader.generationId()).isEqualTo(1);
    assertThat(leader.leader()).isEqualTo(a);
    assertThat(leader.protocolName()).isEqualTo("range");
    assertThat(leader.protocolType()).isEqualTo("consumer");
    assertThat(leader.members()).extracting(JoinGroupResponseMember::memberId).containsExactly(a, b, c);
    assertThat(leader.members()).extracting(m -> string(m.metadata()))
        .containsExactly("consumer-a/range", "consumer-b/range", "consumer-c/range");
    for (JoinGroupResponseData follower : List.of(jb.join(), jc.join())) {
      assertThat(follower.generationId()).isEqualTo(1);
      assertThat(follower.leader()).isEqualTo(a);
      assertThat(follower.members()).isEmpty();
    }
    assertThat(describe().groupState()).isEqualTo("CompletingRebalance");

    var sb = group.sync(b, 1, List.of());
    var sc = group.sync(c, 1, List.of());
    assertThat(sb).isNotDone();
    assertThat(group.heartbeat(b, 1)).as("heartbeat while awaiting the assignment").isEqualTo(Errors.NONE);
    var sa = group.sync(a, 1, List.of(a + "=partitions-0", b + "=partitions-1", c + "=partitions-2"));

    assertThat(string(sa.join().assignment())).isEqualTo("partitions-0");
    assertThat(string(sb.join().assignment())).isEqualTo("partitions-1");
    assertThat(string(sc.join().assignment())).isEqualTo("partitions-2");
    assertThat(sb.join().protocolName()).isEqualTo("range");
    assertThat(describe().groupState()).isEqualTo("Stable");
    assertThat(group.heartbeat(c, 1)).isEqualTo(Errors.NONE);

    SyncGroupResponseData late = group.sync(c, 1, List.of()).join();
    assertThat(string(late.assignment())).as("SyncGroup again in Stable returns the same assignment").isEqualTo("partitions-2");
  }

  @Test
  void aLeavingMemberTriggersARebalanceAndTheOthersGetANewGeneration() {
    Stable s = threeStableMembers();

    LeaveGroupResponseData left = group.leave(s.c());
    assertThat(left.members()).singleElement().satisfies(m -> assertThat(m.errorCode()).isZero());
    assertThat(describe().groupState()).isEqualTo("PreparingRebalance");
    assertThat(group.heartbeat(s.a(), s.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    assertThat(group.heartbeat(s.c(), s.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

    var ja = group.join(s.a(), "consumer-a");
    assertThat(ja).as("waits for b").isNotDone();
    var jb = group.join(s.b(), "consumer-b");

    assertThat(ja).as("completes without a tick once all remaining members rejoined").isDone();
    assertThat(ja.join().generationId()).isEqualTo(s.generation() + 1);
    assertThat(ja.join().members()).extracting(JoinGroupResponseMember::memberId).containsExactly(s.a(), s.b());
    assertThat(jb.join().generationId()).isEqualTo(s.generation() + 1);
    assertThat(group.heartbeat(s.a(), s.generation())).isEqualTo(Errors.ILLEGAL_GENERATION);
  }

  @Test
  void leavingUnknownMembersIsReportedPerMember() {
    Stable s = threeStableMembers();
    LeaveGroupResponseData left = group.leave(s.a(), "nobody");
    assertThat(left.members()).extracting(m -> Errors.forCode(m.errorCode()))
        .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
    assertThat(new Consumers(coordinator, "no-such-group").leave("x").errorCode())
        .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
  }

  @Test
  void theLeaderLeavingHandsLeadershipToTheNextMember() {
    Stable s = threeStableMembers();
    group.leave(s.a());
    var jb = group.join(s.b(), "consumer-b");
    var jc = group.join(s.c(), "consumer-c");
    assertThat(jb.join().leader()).isEqualTo(s.b());
    assertThat(jb.join().members()).hasSize(2);
    assertThat(jc.join().members()).isEmpty();
  }

  @Test
  void aMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout() {
    Stable s = threeStableMembers();
    clock.advance(SESSION_MS - 1);
    assertThat(group.heartbeat(s.a(), s.generation())).isEqualTo(Errors.NONE);
    assertThat(group.heartbeat(s.b(), s.generation())).isEqualTo(Errors.NONE);
    coordinator.tick();
    assertThat(describe().members()).hasSize(3);
    assertThat(coordinator.nextDeadlineMillis()).isEqualTo(clock.millis() + 1);

    clock.advance(1);
    coordinator.tick();

    assertThat(describe().groupState()).isEqualTo("PreparingRebalance");
    assertThat(describe().members()).extracting(m -> m.memberId()).containsExactly(s.a(), s.b());
    assertThat(group.heartbeat(s.c(), s.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    assertThat(group.heartbeat(s.a(), s.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    group.join(s.a(), "consumer-a");
    assertThat(group.join(s.b(), "consumer-b").join().generationId()).isEqualTo(s.generation() + 1);
  }

  @Test
  void membersThatDoNotRejoinWithinTheRebalanceTimeoutAreRemoved() {
    Stable s = threeStableMembers();
    var ja = group.join(s.a(), "consumer-a"); // the leader rejoining starts a rebalance
    var jb = group.join(s.b(), "consumer-b");
    for (int elapsed = 0; elapsed < REBALANCE_MS - 5_000; elapsed += 5_000) {
      clock.advance(5_000);
      assertThat(group.heartbeat(s.c(), s.generation())).as("c is alive but never rejoins")
          .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
      coordinator.tick();
    }
    assertThat(ja).isNotDone();

    clock.advance(5_000);
    coordinator.tick();

    assertThat(ja.join().generationId()).isEqualTo(s.generation() + 1);
    assertThat(ja.join().members()).extracting(JoinGroupResponseMember::memberId).containsExactly(s.a(), s.b());
    assertThat(jb.join().errorCode()).isZero();
    assertThat(group.heartbeat(s.c(), s.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void membersThatNeverSendSyncGroupAreRemovedAfterTheRebalanceTimeout() {
    String a = group.memberIdFor("consumer-a");
    String b = group.memberIdFor("consumer-b");
    var ja = group.join(a, "consumer-a");
    group.join(b, "consumer-b");
    coordinator.tick();
    var sa = group.sync(a, ja.join().generationId(), List.of(a + "=x", b + "=y"));
    assertThat(sa.join().errorCode()).isZero();
    for (int elapsed = 0; elapsed < REBALANCE_MS; elapsed += 5_000) {
      clock.advance(5_000);
      group.heartbeat(a, 1);
      group.heartbeat(b, 1); // heartbeats do not excuse a missing SyncGroup
      coordinator.tick();
    }
    assertThat(describe().members()).extracting(m -> m.memberId()).containsExactly(a);
    assertThat(describe().groupState()).isEqualTo("PreparingRebalance");
    assertThat(group.join(a, "consumer-a").join().generationId()).isEqualTo(2);
  }

  @Test
  void theInitialRebalanceDelayWaitsForMoreMembersUpToTheRebalanceTimeout() {
    coordinator = new GroupCoordinator(GroupConfig.DEFAULTS, store, TopicIds.NONE, clock);
    group = new Consumers(coordinator, "payments");
    var ja = group.join(group.memberIdFor("consumer-a"), "consumer-a");
    clock.advance(2_000);
    var jb = group.join(group.memberIdFor("consumer-b"), "consumer-b");
    clock.advance(1_000);
    coordinator.tick();
    assertThat(ja).as("b joined during the first 3 s, so the delay is extended by 3 s").isNotDone();
    clock.advance(2_999);
    coordinator.tick();
    assertThat(ja).isNotDone();
    clock.advance(1);
    coordinator.tick();
    assertThat(ja.join().members()).hasSize(2);
    assertThat(jb.join().generationId()).isEqualTo(1);
  }

  @Test
  void v4JoinWithoutMemberIdIsToldToUseAGeneratedOne() {
    JoinGroupResponseData first = coordinator.joinGroup(group.joinRequest("", "consumer-a"), (short) 4, "consumer-a", "/h").join();
    assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
    assertThat(first.memberId()).startsWith("consumer-a-");
    assertThat(describe().members()).as("a pending member is not a member yet").isEmpty();

    var second = coordinator.joinGroup(group.joinRequest(first.memberId(), "consumer-a"), (short) 4, "consumer-a", "/h");
    coordinator.tick();
    assertThat(second.join().memberId()).isEqualTo(first.memberId());
    assertThat(second.join().generationId()).isEqualTo(1);
  }

  @Test
  void v3JoinWithoutMemberIdJoinsAtOnce() {
    var join = coordinator.joinGroup(group.joinRequest("", "consumer-a"), (short) 3, "consumer-a", "/h");
    coordinator.tick();
    assertThat(Errors.forCode(join.join().errorCode())).isEqualTo(Errors.NONE);
    assertThat(join.join().memberId()).startsWith("consumer-a-");
    assertThat(join.join().protocolName()).isEqualTo("range");
  }

  @Test
  void aPendingMemberThatNeverRejoinsStopsHoldingUpTheRebalanceAfterItsSessionTimeout() {
    var a0 = coordinator.joinGroup(group.joinRequest("", "consumer-a"), (short) 3, "consumer-a", "/h");
    coordinator.tick();
    String a = a0.join().memberId();
    group.sync(a, 1, List.of(a + "=all"));
    group.memberIdFor("consumer-b"); // b never comes back
    var rejoin = group.join(a, "consumer-a");
    clock.advance(SESSION_MS - 1);
    group.heartbeat(a, 1);
    coordinator.tick();
    assertThat(rejoin).as("the pending member may still join").isNotDone();
    clock.advance(1);
    coordinator.tick();
    assertThat(rejoin.join().generationId()).isEqualTo(2);
    assertThat(rejoin.join().members()).hasSize(1);
  }

  @Test
  void theProtocolIsOneEveryMemberSupportsChosenByVote() {
    String a = group.memberIdFor("a");
    String b = group.memberIdFor("b");
    String c = group.memberIdFor("c");
    var ja = group.join(a, "a", "range", "roundrobin");
    group.join(b, "b", "range", "roundrobin");
    group.join(c, "c", "roundrobin", "range");
    coordinator.tick();
    assertThat(ja.join().protocolName()).as("two of three prefer range").isEqualTo("range");
    assertThat(ja.join().members()).extracting(m -> string(m.metadata())).containsExactly("a/range", "b/range", "c/range");

    Consumers other = new Consumers(coordinator, "other");
    String x = other.memberIdFor("x");
    String y = other.memberIdFor("y");
    var jx = other.join(x, "x", "range", "cooperative-sticky");
    other.join(y, "y", "cooperative-sticky");
    coordinator.tick();
    assertThat(jx.join().protocolName()).as("only cooperative-sticky is supported by all").isEqualTo("cooperative-sticky");
  }

  @Test
  void aJoinWithAProtocolNoMemberSupportsIsInconsistent() {
    Stable s = threeStableMembers();
    String d = group.memberIdFor("d");
    assertThat(Errors.forCode(group.join(d, "d", "sticky").join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    var connect = coordinator.joinGroup(group.joinRequest("", "w").setProtocolType("connect"), (short) 9, "w", "/h");
    assertThat(Errors.forCode(connect.join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    assertThat(describe().groupState()).as("nothing changed").isEqualTo("Stable");
    assertThat(group.heartbeat(s.a(), s.generation())).isEqualTo(Errors.NONE);
  }

  @Test
  void syncGroupErrors() {
    Stable s = threeStableMembers();
    assertThat(Errors.forCode(group.sync(s.a(), s.generation() - 1, List.of()).join().errorCode()))
        .isEqualTo(Errors.ILLEGAL_GENERATION);
    assertThat(Errors.forCode(group.sync("stranger", s.generation(), List.of()).join().errorCode()))
        .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    assertThat(Errors.forCode(new Consumers(coordinator, "nope").sync("x", 1, List.of()).join().errorCode()))
        .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    group.join(s.a(), "consumer-a");
    assertThat(Errors.forCode(group.sync(s.b(), s.generation(), List.of()).join().errorCode()))
        .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
  }

  @Test
  void followersWaitingInSyncGroupAreSentBackToJoinWhenANewMemberArrives() {
    String a = group.memberIdFor("consumer-a");
    String b = group.memberIdFor("consumer-b");
    var ja = group.join(a, "consumer-a");
    group.join(b, "consumer-b");
    coordinator.tick();
    var sb = group.sync(b, ja.join().generationId(), List.of());
    group.join(group.memberIdFor("consumer-c"), "consumer-c");
    assertThat(Errors.forCode(sb.join().errorCode())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    assertThat(describe().groupState()).isEqualTo("PreparingRebalance");
  }

  @Test
  void aFollowerRejoiningWithTheSameMetadataInStableGetsTheCurrentGenerationWithoutARebalance() {
    Stable s = threeStableMembers();
    JoinGroupResponseData again = group.join(s.b(), "consumer-b").join();
    assertThat(again.generationId()).isEqualTo(s.generation());
    assertThat(again.members()).isEmpty();
    assertThat(describe().groupState()).isEqualTo("Stable");
    var changed = group.join(s.c(), "consumer-c", "range", "roundrobin");
    assertThat(changed).as("new metadata forces a rebalance").isNotDone();
    assertThat(describe().groupState()).isEqualTo("PreparingRebalance");
  }

  @Test
  void joinValidation() {
    var badTimeout = coordinator.joinGroup(group.joinRequest("", "a").setSessionTimeoutMs(1_000), (short) 9, "a", "/h");
    assertThat(Errors.forCode(badTimeout.join().errorCode())).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
    var noGroup = coordinator.joinGroup(group.joinRequest("", "a").setGroupId(""), (short) 9, "a", "/h");
    assertThat(Errors.forCode(noGroup.join().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    var unknown = coordinator.joinGroup(group.joinRequest("a-123", "a"), (short) 9, "a", "/h");
    assertThat(Errors.forCode(unknown.join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    Stable s = threeStableMembers();
    var stranger = group.join("a-123", "a");
    assertThat(Errors.forCode(stranger.join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    assertThat(group.heartbeat(s.a(), s.generation())).isEqualTo(Errors.NONE);
  }

  @Test
  void heartbeatErrors() {
    assertThat(new Consumers(coordinator, "nope").heartbeat("x", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    assertThat(new Consumers(coordinator, "").heartbeat("x", 1)).isEqualTo(Errors.INVALID_GROUP_ID);
    Stable s = threeStableMembers();
    assertThat(group.heartbeat(s.a(), s.generation() + 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
    assertThat(group.heartbeat("x", s.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void whenTheLastMemberLeavesTheGroupIsEmptyWithANewGeneration() {
    Stable s = threeStableMembers();
    group.leave(s.a(), s.b(), s.c());
    DescribedGroup described = describe();
    assertThat(described.groupState()).isEqualTo("Empty");
    assertThat(described.members()).isEmpty();
    assertThat(described.protocolType()).isEqualTo("consumer");
    var j = group.join(group.memberIdFor("consumer-d"), "consumer-d");
    coordinator.tick();
    assertThat(j.join().generationId()).isEqualTo(s.generation() + 2);
  }

  @Test
  void leaveV2NamesOneMemberAndReportsAtTheTopLevel() {
    Stable s = threeStableMembers();
    var request = new org.apache.kafka.common.message.LeaveGroupRequestData().setGroupId("payments").setMemberId("ghost");
    assertThat(Errors.forCode(coordinator.leaveGroup(request, (short) 2).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    LeaveGroupResponseData ok = coordinator.leaveGroup(request.setMemberId(s.b()), (short) 2);
    assertThat(ok.errorCode()).isZero();
    assertThat(ok.members()).isEmpty();
    assertThat(describe().members()).hasSize(2);
  }
}
