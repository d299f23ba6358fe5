package dev.capstan.dataplane.broker.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The state machine of one classic group (Kafka's group membership protocol before KIP-848).
 * Pure: it reads no clock (every call takes {@code nowMs}), starts no thread and completes no
 * future itself ({@link Completions} does, after the caller has released the group's lock).
 * Not thread-safe: {@link GroupCoordinator} calls it while holding the group's monitor.
 *
 * <p>Timers are deadlines that {@link #expire} acts on: the join phase's (initial delay or
 * rebalance timeout), the sync phase's (members that got a generation but never sent SyncGroup)
 * and each member's session.
 */
final class ClassicGroup {

  static final long NO_DEADLINE = Long.MAX_VALUE;
  private static final System.Logger LOG = System.getLogger(ClassicGroup.class.getName());

  final String groupId;
  private final GroupConfig config;
  private GroupState state = GroupState.EMPTY;
  private GroupState previousState = GroupState.EMPTY;
  private long stateSinceMs;
  private int generationId;
  /** Null until the first member joins; null forever for groups that only commit offsets (simple consumers). */
  private String protocolType;
  private String protocolName;
  private String leaderId;
  private final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
  /** Members told MEMBER_ID_REQUIRED that have not joined again yet, with their session deadlines. */
  private final LinkedHashMap<String, Long> pendingMembers = new LinkedHashMap<>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  private final Set<String> pendingSync = new HashSet<>();

  private long joinDeadlineMs = NO_DEADLINE;
  private boolean initialDelayPhase;
  private int initialDelayRemainingMs;
  private int initialDelayStepMs;
  private boolean newMemberAdded;
  private long syncDeadlineMs = NO_DEADLINE;

  ClassicGroup(String groupId, GroupConfig config, long nowMs) {
    this.groupId = groupId;
    this.config = config;
    this.stateSinceMs = nowMs;
  }

  GroupState state() {
    return state;
  }

  long stateSinceMs() {
    return stateSinceMs;
  }

  int generationId() {
    return generationId;
  }

  String protocolType() {
    return protocolType;
  }

  // ---- JoinGroup ----

  void join(JoinGroupRequestData request, short version, String clientId, String clientHost, long nowMs,
      CompletableFuture<JoinGroupResponseData> future, Completions out) {
    String memberId = request.memberId() == null ? "" : request.memberId();
    boolean newMember = memberId.isEmpty();
    List<Member.Protocol> protocols = new ArrayList<>();
    request.protocols().forEach(p -> protocols.add(new Member.Protocol(p.name(), p.metadata())));

    if (state == GroupState.DEAD) {
      out.complete(future, joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE, version));
    } else if (!supportsProtocols(request.protocolType(), protocols)) {
      out.complete(future, joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL, version));
    } else if (newMember) {
      String newMemberId = clientId + "-" + UUID.randomUUID();
      // v4+ clients learn their id first, so a member whose JoinGroup times out can rejoin
      // under the same id instead of leaving a defunct member behind (KIP-394).
      if (version >= 4 && request.groupInstanceId() == null) {
        pendingMembers.put(newMemberId, nowMs + request.sessionTimeoutMs());
        out.complete(future, joinError(newMemberId, Errors.MEMBER_ID_REQUIRED, version));
      } else {
        addMemberAndRebalance(request, version, newMemberId, clientId, clientHost, protocols, nowMs, future, out);
      }
    } else if (pendingMembers.containsKey(memberId)) {
      pendingMembers.remove(memberId);
      addMemberAndRebalance(request, version, memberId, clientId, clientHost, protocols, nowMs, future, out);
    } else if (!members.containsKey(memberId)) {
      out.complete(future, joinError(memberId, Errors.UNKNOWN_MEMBER_ID, version));
    } else {
      joinExistingMember(members.get(memberId), request, version, protocols, nowMs, future, out);
    }
  }

  private void joinExistingMember(Member member, JoinGroupRequestData request, short version, List<Member.Protocol> protocols,
      long nowMs, CompletableFuture<JoinGroupResponseData> future, Completions out) {
    switch (state) {
      case PREPARING_REBALANCE -> updateMemberAndRebalance(member, request, version, protocols, nowMs, future, out,
          "member " + member.memberId + " rejoined");
      case COMPLETING_REBALANCE -> {
        if (member.matches(protocols)) {
          // It probably lost the first response: answer again with the current generation.
          out.complete(future, currentGeneration(member, member.memberId.equals(leaderId), version));
        } else {
          updateMemberAndRebalance(member, request, version, protocols, nowMs, future, out,
              "member " + member.memberId + " changed its metadata");
        }
      }
      case STABLE -> {
        if (member.memberId.equals(leaderId)) {
          // The leader rejoins when something the assignment depends on changed (e.g. partition counts).
          updateMemberAndRebalance(member, request, version, protocols, nowMs, future, out,
              "leader " + member.memberId + " rejoined");
        } else if (!member.matches(protocols)) {
          updateMemberAndRebalance(member, request, version, protocols, nowMs, future, out,
              "member " + member.memberId + " changed its metadata");
        } else {
          out.complete(future, currentGeneration(member, false, version));
        }
      }
      default -> out.complete(future, joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID, version));
    }
  }

  private void addMemberAndRebalance(JoinGroupRequestData request, short version, String memberId, String clientId,
      String clientHost, List<Member.Protocol> protocols, long nowMs, CompletableFuture<JoinGroupResponseData> future,
      Completions out) {
    Member member = new Member(memberId, request.groupInstanceId(), clientId, clientHost);
    member.protocolType = request.protocolType();
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeout(request);
    member.sessionTimeoutMs = request.sessionTimeoutMs();
    member.joinFuture = future;
    member.joinVersion = version;
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
    if (state == GroupState.PREPARING_REBALANCE && previousState == GroupState.EMPTY) {
      newMemberAdded = true;
    }
    if (members.isEmpty()) {
      protocolType = member.protocolType;
    }
    members.put(memberId, member);
    if (leaderId == null) {
      leaderId = memberId;
    }
    maybeRebalanceOrCompleteJoin(nowMs, out, "member " + memberId + " joined");
  }

  private void updateMemberAndRebalance(Member member, JoinGroupRequestData request, short version,
      List<Member.Protocol> protocols, long nowMs, CompletableFuture<JoinGroupResponseData> future, Completions out,
      String reason) {
    if (member.joinFuture != null) {
      // A retried JoinGroup replaces the parked one; the old request must still get an answer.
      out.complete(member.joinFuture, joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS, member.joinVersion));
    }
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeout(request);
    member.sessionTimeoutMs = request.sessionTimeoutMs();
    member.joinFuture = future;
    member.joinVersion = version;
    maybeRebalanceOrCompleteJoin(nowMs, out, reason);
  }

  private static int rebalanceTimeout(JoinGroupRequestData request) {
    // JoinGroup v0 has no rebalance timeout; the session timeout served as both.
    return request.rebalanceTimeoutMs() > 0 ? request.rebalanceTimeoutMs() : request.sessionTimeoutMs();
  }

  private void maybeRebalanceOrCompleteJoin(long nowMs, Completions out, String reason) {
    if (state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE || state == GroupState.EMPTY) {
      prepareRebalance(nowMs, out, reason);
    } else if (state == GroupState.PREPARING_REBALANCE && previousState != GroupState.EMPTY && allMembersJoined()) {
      // The initial delay is not cut short by everyone having joined: more members may be on their way.
      completeJoin(nowMs, out);
    }
  }

  private void prepareRebalance(long nowMs, Completions out, String reason) {
    if (state == GroupState.COMPLETING_REBALANCE) {
      // Members waiting in SyncGroup must rejoin: their generation will not become stable.
      for (Member member : members.values()) {
        member.assignment = new byte[0];
        if (member.syncFuture != null) {
          out.complete(member.syncFuture, syncError(Errors.REBALANCE_IN_PROGRESS, member.syncVersion));
          member.syncFuture = null;
          member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
        }
      }
    }
    syncDeadlineMs = NO_DEADLINE;
    pendingSync.clear();
    boolean initial = state == GroupState.EMPTY;
    transitionTo(GroupState.PREPARING_REBALANCE, nowMs, reason);
    if (initial) {
      initialDelayPhase = true;
      initialDelayStepMs = config.initialRebalanceDelayMs();
      initialDelayRemainingMs = Math.max(rebalanceTimeoutMs() - config.initialRebalanceDelayMs(), 0);
      newMemberAdded = false;
      joinDeadlineMs = nowMs + config.initialRebalanceDelayMs();
    } else if (allMembersJoined()) {
      completeJoin(nowMs, out);
    } else {
      initialDelayPhase = false;
      joinDeadlineMs = nowMs + rebalanceTimeoutMs();
    }
  }

  private boolean allMembersJoined() {
    return pendingMembers.isEmpty() && members.values().stream().allMatch(Member::isAwaitingJoin);
  }

  private int rebalanceTimeoutMs() {
    return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
  }

  private void completeJoin(long nowMs, Completions out) {
    joinDeadlineMs = NO_DEADLINE;
    initialDelayPhase = false;
    List<String> dropped = new ArrayList<>();
    for (Iterator<Member> it = members.values().iterator(); it.hasNext(); ) {
      Member member = it.next();
      if (!member.isAwaitingJoin()) {
        it.remove();
        pendingSync.remove(member.memberId);
        dropped.add(member.memberId);
      }
    }
    if (leaderId != null && !members.containsKey(leaderId)) {
      leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
    }
    if (!dropped.isEmpty()) {
      LOG.log(System.Logger.Level.INFO, () -> "group " + groupId + " removed members that did not rejoin in time: " + dropped);
    }
    generationId++;
    pendingSync.clear();
    if (members.isEmpty()) {
      protocolName = null;
      transitionTo(GroupState.EMPTY, nowMs, "no members left at generation " + generationId);
      return;
    }
    protocolName = selectProtocol();
    transitionTo(GroupState.COMPLETING_REBALANCE, nowMs,
        "generation " + generationId + " with " + members.size() + " members, protocol " + protocolName);
    for (Member member : members.values()) {
      JoinGroupResponseData response = currentGeneration(member, member.memberId.equals(leaderId), member.joinVersion);
      out.complete(member.joinFuture, response);
      member.joinFuture = null;
      member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
      pendingSync.add(member.memberId);
    }
    syncDeadlineMs = nowMs + rebalanceTimeoutMs();
  }

  /** The protocol every member supports that most members prefer; ties go to the leader's preference. */
  private String selectProtocol() {
    Set<String> candidates = new LinkedHashSet<>();
    members.get(leaderId).protocols.forEach(p -> candidates.add(p.name()));
    for (Member member : members.values()) {
      candidates.removeIf(name -> !member.supports(name));
    }
    Map<String, Integer> votes = new HashMap<>();
    for (Member member : members.values()) {
      votes.merge(member.vote(candidates), 1, Integer::sum);
    }
    String best = null;
    for (String candidate : candidates) {
      if (best == null || votes.getOrDefault(candidate, 0) > votes.getOrDefault(best, 0)) {
        best = candidate;
      }
    }
    return best;
  }

  private boolean supportsProtocols(String memberProtocolType, List<Member.Protocol> protocols) {
    if (memberProtocolType == null || memberProtocolType.isEmpty() || protocols.isEmpty()) {
      return false;
    }
    if (members.isEmpty()) {
      return true;
    }
    if (!memberProtocolType.equals(protocolType)) {
      return false;
    }
    return protocols.stream().anyMatch(p -> members.values().stream().allMatch(m -> m.supports(p.name())));
  }

  private JoinGroupResponseData currentGeneration(Member member, boolean asLeader, short version) {
    List<JoinGroupResponseMember> memberList = new ArrayList<>();
    if (asLeader) {
      for (Member m : members.values()) {
        memberList.add(new JoinGroupResponseMember().setMemberId(m.memberId).setGroupInstanceId(m.groupInstanceId)
            .setMetadata(m.metadata(protocolName)));
      }
    }
    JoinGroupResponseData response = new JoinGroupResponseData()
        .setErrorCode(Errors.NONE.code())
        .setGenerationId(generationId)
        .setProtocolName(protocolName)
        .setLeader(leaderId)
        .setMemberId(member.memberId)
        .setMembers(memberList);
    if (version >= 7) {
      response.setProtocolType(protocolType);
    }
    return response;
  }

  static JoinGroupResponseData joinError(String memberId, Errors error, short version) {
    return new JoinGroupResponseData()
        .setErrorCode(error.code())
        .setGenerationId(-1)
        .setMemberId(memberId)
        .setLeader("")
        // Nullable only from v7; older versions send "" for "no protocol".
        .setProtocolName(version >= 7 ? null : "")
        .setProtocolType(null);
  }

  // ---- SyncGroup ----

  void sync(SyncGroupRequestData request, short version, long nowMs, CompletableFuture<SyncGroupResponseData> future,
      Completions out) {
    Member member = members.get(request.memberId());
    if (state == GroupState.DEAD) {
      out.complete(future, syncError(Errors.COORDINATOR_NOT_AVAILABLE, version));
    } else if (member == null) {
      out.complete(future, syncError(Errors.UNKNOWN_MEMBER_ID, version));
    } else if (request.generationId() != generationId) {
      out.complete(future, syncError(Errors.ILLEGAL_GENERATION, version));
    } else if ((request.protocolType() != null && !request.protocolType().equals(protocolType))
        || (request.protocolName() != null && !request.protocolName().equals(protocolName))) {
      out.complete(future, syncError(Errors.INCONSISTENT_GROUP_PROTOCOL, version));
    } else if (state == GroupState.PREPARING_REBALANCE) {
      out.complete(future, syncError(Errors.REBALANCE_IN_PROGRESS, version));
    } else if (state == GroupState.COMPLETING_REBALANCE) {
      if (member.syncFuture != null) {
        out.complete(member.syncFuture, syncError(Errors.REBALANCE_IN_PROGRESS, member.syncVersion));
      }
      member.syncFuture = future;
      member.syncVersion = version;
      markSynced(member.memberId);
      if (member.memberId.equals(leaderId)) {
        Map<String, byte[]> assignments = new HashMap<>();
        request.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        for (Member m : members.values()) {
          m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
        }
        transitionTo(GroupState.STABLE, nowMs, "leader " + leaderId + " sent the assignment of generation " + generationId);
        for (Member m : members.values()) {
          if (m.syncFuture != null) {
            out.complete(m.syncFuture, syncSuccess(m.assignment, m.syncVersion));
            m.syncFuture = null;
            m.sessionDeadlineMs = nowMs + m.sessionTimeoutMs;
          }
        }
      }
    } else {
      markSynced(member.memberId);
      member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
      out.complete(future, syncSuccess(member.assignment, version));
    }
  }

  private void markSynced(String memberId) {
    pendingSync.remove(memberId);
    if (pendingSync.isEmpty()) {
      syncDeadlineMs = NO_DEADLINE;
    }
  }

  private SyncGroupResponseData syncSuccess(byte[] assignment, short version) {
    SyncGroupResponseData response = new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setAssignment(assignment);
    if (version >= 5) {
      response.setProtocolType(protocolType).setProtocolName(protocolName);
    }
    return response;
  }

  static SyncGroupResponseData syncError(Errors error, short version) {
    return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
  }

  // ---- Heartbeat, LeaveGroup, OffsetCommit validation ----

  Errors heartbeat(HeartbeatRequestData request, long nowMs) {
    Member member = members.get(request.memberId());
    if (state == GroupState.DEAD) {
      return Errors.COORDINATOR_NOT_AVAILABLE;
    }
    if (member == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (request.generationId() != generationId) {
      return Errors.ILLEGAL_GENERATION;
    }
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
    return state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
  }

  /**
   * Removes a member. A {@code memberId} of "" with a {@code groupInstanceId} names the member by
   * its instance id, as the admin client's removeMembersFromConsumerGroup does.
   */
  Errors leave(String memberId, String groupInstanceId, long nowMs, Completions out) {
    if (state == GroupState.DEAD) {
      return Errors.COORDINATOR_NOT_AVAILABLE;
    }
    if ((memberId == null || memberId.isEmpty()) && groupInstanceId != null) {
      memberId = members.values().stream().filter(m -> groupInstanceId.equals(m.groupInstanceId)).map(m -> m.memberId)
          .findFirst().orElse("");
    }
    if (pendingMembers.remove(memberId) != null) {
      maybeCompleteJoinAfterRemoval(nowMs, out);
      return Errors.NONE;
    }
    Member member = members.get(memberId);
    if (member == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    removeMemberAndUpdate(member, nowMs, out, "member " + memberId + " left");
    return Errors.NONE;
  }

  /** Kafka's rules for who may commit: members of the current generation, or anyone while the group is Empty. */
  Errors validateOffsetCommit(String memberId, String groupInstanceId, int generation) {
    if (state == GroupState.DEAD) {
      return Errors.COORDINATOR_NOT_AVAILABLE;
    }
    if (generation < 0 && state == GroupState.EMPTY) {
      return Errors.NONE; // the admin client or a consumer assigning partitions itself
    }
    if (generation >= 0 || !memberId.isEmpty() || groupInstanceId != null) {
      if (!members.containsKey(memberId)) {
        return Errors.UNKNOWN_MEMBER_ID;
      }
      if (generation != generationId) {
        return Errors.ILLEGAL_GENERATION;
      }
    } else if (state != GroupState.EMPTY) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (state == GroupState.COMPLETING_REBALANCE) {
      // A valid member of the new generation that has not synced yet: let it retry after SyncGroup.
      return Errors.REBALANCE_IN_PROGRESS;
    }
    return Errors.NONE;
  }

  private void removeMemberAndUpdate(Member member, long nowMs, Completions out, String reason) {
    if (member.joinFuture != null) {
      out.complete(member.joinFuture, joinError("", Errors.UNKNOWN_MEMBER_ID, member.joinVersion));
      member.joinFuture = null;
    }
    if (member.syncFuture != null) {
      out.complete(member.syncFuture, syncError(Errors.UNKNOWN_MEMBER_ID, member.syncVersion));
      member.syncFuture = null;
    }
    members.remove(member.memberId);
    pendingSync.remove(member.memberId);
    if (member.memberId.equals(leaderId)) {
      leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
    }
    if (state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE) {
      prepareRebalance(nowMs, out, reason);
    } else {
      LOG.log(System.Logger.Level.INFO, () -> "group " + groupId + ": " + reason + " during " + state);
      maybeCompleteJoinAfterRemoval(nowMs, out);
    }
  }

  private void maybeCompleteJoinAfterRemoval(long nowMs, Completions out) {
    if (state == GroupState.PREPARING_REBALANCE && allMembersJoined()) {
      completeJoin(nowMs, out);
    }
  }

  // ---- Timers ----

  /** The earliest time {@link #expire} has something to do, {@link #NO_DEADLINE} if none. */
  long nextDeadlineMs() {
    long next = Math.min(joinDeadlineMs, syncDeadlineMs);
    for (long deadline : pendingMembers.values()) {
      next = Math.min(next, deadline);
    }
    for (Member member : members.values()) {
      if (!member.isAwaitingJoin() && !member.isAwaitingSync()) {
        next = Math.min(next, member.sessionDeadlineMs);
      }
    }
    return next;
  }

  /** Acts on every deadline at or before {@code nowMs}. */
  void expire(long nowMs, Completions out) {
    // Each step removes a deadline or moves it past nowMs, so this ends.
    while (state != GroupState.DEAD && nextDeadlineMs() <= nowMs) {
      if (joinDeadlineMs <= nowMs) {
        joinDeadlineMs = NO_DEADLINE;
        onJoinDeadline(nowMs, out);
      } else if (syncDeadlineMs <= nowMs) {
        syncDeadlineMs = NO_DEADLINE;
        onSyncDeadline(nowMs, out);
      } else if (expirePendingMember(nowMs, out)) {
        continue;
      } else {
        expireSession(nowMs, out);
      }
    }
  }

  private void onJoinDeadline(long nowMs, Completions out) {
    if (state != GroupState.PREPARING_REBALANCE) {
      return;
    }
    if (initialDelayPhase && newMemberAdded && initialDelayRemainingMs > 0) {
      // Someone joined during the delay: wait once more, but never past the rebalance timeout.
      newMemberAdded = false;
      int step = Math.min(config.initialRebalanceDelayMs(), initialDelayRemainingMs);
      initialDelayRemainingMs = Math.max(initialDelayRemainingMs - initialDelayStepMs, 0);
      initialDelayStepMs = step;
      joinDeadlineMs = nowMs + step;
    } else {
      completeJoin(nowMs, out);
    }
  }

  private void onSyncDeadline(long nowMs, Completions out) {
    if ((state != GroupState.COMPLETING_REBALANCE && state != GroupState.STABLE) || pendingSync.isEmpty()) {
      return;
    }
    List<String> laggards = List.copyOf(pendingSync);
    for (String memberId : laggards) {
      Member member = members.remove(memberId);
      if (member != null && member.memberId.equals(leaderId)) {
        leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
      }
    }
    pendingSync.clear();
    prepareRebalance(nowMs, out, "members " + laggards + " did not send SyncGroup within the rebalance timeout");
  }

  private boolean expirePendingMember(long nowMs, Completions out) {
    for (Map.Entry<String, Long> pending : pendingMembers.entrySet()) {
      if (pending.getValue() <= nowMs) {
        String memberId = pending.getKey();
        pendingMembers.remove(memberId);
        LOG.log(System.Logger.Level.INFO, () -> "group " + groupId + ": pending member " + memberId + " never joined");
        maybeCompleteJoinAfterRemoval(nowMs, out);
        return true;
      }
    }
    return false;
  }

  private void expireSession(long nowMs, Completions out) {
    for (Member member : members.values()) {
      if (!member.isAwaitingJoin() && !member.isAwaitingSync() && member.sessionDeadlineMs <= nowMs) {
        removeMemberAndUpdate(member, nowMs, out, "member " + member.memberId + " sent no heartbeat within "
            + member.sessionTimeoutMs + " ms");
        return;
      }
    }
  }

  // ---- Lifecycle, describe, list ----

  /**
   * Whether a member of a consumer group (protocol type "consumer") subscribes to {@code topic},
   * read from the members' subscriptions for the chosen protocol. A subscription that cannot be
   * parsed counts as not subscribed, as in Kafka.
   */
  boolean isSubscribedTo(String topic) {
    if (state == GroupState.EMPTY || !ConsumerProtocol.PROTOCOL_TYPE.equals(protocolType) || protocolName == null) {
      return false;
    }
    for (Member member : members.values()) {
      try {
        if (ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(member.metadata(protocolName))).topics().contains(topic)) {
          return true;
        }
      } catch (RuntimeException unparseable) {
        // not a subscription this broker can read; Kafka treats the group as subscribed to nothing
      }
    }
    return false;
  }

  /** Empty, and no member is on its way in: nothing is lost by forgetting the group. */
  boolean canBeForgotten() {
    return state == GroupState.EMPTY && pendingMembers.isEmpty();
  }

  void markDead(long nowMs, String reason) {
    transitionTo(GroupState.DEAD, nowMs, reason);
  }

  DescribedGroup describe() {
    DescribedGroup described = new DescribedGroup()
        .setGroupId(groupId)
        .setErrorCode(Errors.NONE.code())
        .setGroupState(state.kafkaName())
        .setProtocolType(protocolType == null ? "" : protocolType)
        // Like Kafka: protocol, metadata and assignments only once the generation is stable.
        .setProtocolData(state == GroupState.STABLE ? protocolName : "");
    for (Member m : members.values()) {
      DescribedGroupMember member = new DescribedGroupMember()
          .setMemberId(m.memberId)
          .setGroupInstanceId(m.groupInstanceId)
          .setClientId(m.clientId)
          .setClientHost(m.clientHost);
      if (state == GroupState.STABLE) {
        member.setMemberMetadata(m.metadata(protocolName)).setMemberAssignment(m.assignment);
      }
      described.members().add(member);
    }
    return described;
  }

  private void transitionTo(GroupState next, long nowMs, String reason) {
    GroupState from = state;
    previousState = state;
    state = next;
    stateSinceMs = nowMs;
    LOG.log(System.Logger.Level.INFO, () -> "group " + groupId + ": " + from + " -> " + next + " (" + reason + ")");
  }
}
