package dev.capstan.dataplane.broker.group;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The broker's classic consumer-group coordinator: JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, OffsetDelete, DescribeGroups, ListGroups and DeleteGroups, taking and returning
 * kafka-clients' message data classes with Kafka's error codes. The server answers FindCoordinator
 * itself (see {@link #coordinatorFor}) and checks that the request's version is one it advertises.
 *
 * <p>Time: the coordinator owns no thread and reads time only from the {@link Clock} it is given.
 * The server calls {@link #tick()} from one event loop, at the latest at {@link #nextDeadlineMillis()}
 * (a fixed 100 ms period is fine); rebalance, session and retention deadlines are acted on there.
 *
 * <p>Threads: any thread may call any method. Each group is guarded by its own monitor; futures
 * are completed after the monitor is released, so the server's completion callbacks never run
 * under a group lock. An OffsetCommit is on disk (fsync) when {@link #commitOffsets} returns.
 *
 * <p>Not implemented: static membership (a {@code group.instance.id} is recorded and reported but
 * the member is treated as dynamic), {@code group.max.size}, transactional offset commits and the
 * KIP-848 consumer protocol.
 */
public final class GroupCoordinator {

  /** The group type ListGroups v5+ reports for every group here. */
  public static final String GROUP_TYPE = "classic";
  private static final System.Logger LOG = System.getLogger(GroupCoordinator.class.getName());

  private final GroupConfig config;
  private final OffsetStore offsets;
  private final TopicIds topicIds;
  private final Clock clock;
  private final ConcurrentHashMap<String, ClassicGroup> groups = new ConcurrentHashMap<>();
  private volatile long nextRetentionCheckMs;

  /**
   * Starts with every group that has committed offsets in {@code offsets}, each Empty: members
   * rejoin after a restart, as after a Kafka coordinator failover.
   */
  public GroupCoordinator(GroupConfig config, OffsetStore offsets, TopicIds topicIds, Clock clock) {
    this.config = config;
    this.offsets = offsets;
    this.topicIds = topicIds;
    this.clock = clock;
    long now = clock.millis();
    for (String groupId : offsets.groupIds()) {
      groups.put(groupId, new ClassicGroup(groupId, config, now));
    }
    nextRetentionCheckMs = now + config.offsetsRetentionCheckIntervalMs();
  }

  /**
   * The broker (0 to {@code brokerCount - 1}) that coordinates {@code groupId}: a pure function of
   * the id, so every broker answers FindCoordinator alike.
   */
  public static int coordinatorFor(String groupId, int brokerCount) {
    if (brokerCount <= 0) {
      throw new IllegalArgumentException("brokerCount must be positive, got " + brokerCount);
    }
    return Math.floorMod(groupId.hashCode(), brokerCount);
  }

  // ---- Membership ----

  public CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData request, short apiVersion, String clientId,
      String clientHost) {
    CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
    String memberId = request.memberId() == null ? "" : request.memberId();
    if (isBlank(request.groupId())) {
      return CompletableFuture.completedFuture(ClassicGroup.joinError(memberId, Errors.INVALID_GROUP_ID, apiVersion));
    }
    if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
      return CompletableFuture.completedFuture(ClassicGroup.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT, apiVersion));
    }
    Completions out = new Completions();
    while (true) {
      ClassicGroup group = memberId.isEmpty()
          ? groups.computeIfAbsent(request.groupId(), id -> new ClassicGroup(id, config, clock.millis()))
          : groups.get(request.groupId());
      if (group == null) {
        return CompletableFuture.completedFuture(ClassicGroup.joinError(memberId, Errors.UNKNOWN_MEMBER_ID, apiVersion));
      }
      synchronized (group) {
        if (group.state() == GroupState.DEAD && memberId.isEmpty()) {
          continue; // deleted meanwhile; a new join creates it anew
        }
        group.join(request, apiVersion, clientId == null ? "" : clientId, clientHost == null ? "" : clientHost,
            clock.millis(), future, out);
      }
      out.run();
      return future;
    }
  }

  public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request, short apiVersion) {
    if (isBlank(request.groupId())) {
      return CompletableFuture.completedFuture(ClassicGroup.syncError(Errors.INVALID_GROUP_ID, apiVersion));
    }
    ClassicGroup group = groups.get(request.groupId());
    if (group == null) {
      return CompletableFuture.completedFuture(ClassicGroup.syncError(Errors.UNKNOWN_MEMBER_ID, apiVersion));
    }
    CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
    Completions out = new Completions();
    synchronized (group) {
      group.sync(request, apiVersion, clock.millis(), future, out);
    }
    out.run();
    return future;
  }

  public HeartbeatResponseData heartbeat(HeartbeatRequestData request) {
    Errors error;
    if (isBlank(request.groupId())) {
      error = Errors.INVALID_GROUP_ID;
    } else {
      ClassicGroup group = groups.get(request.groupId());
      if (group == null) {
        error = Errors.UNKNOWN_MEMBER_ID;
      } else {
        synchronized (group) {
          error = group.heartbeat(request, clock.millis());
        }
      }
    }
    return new HeartbeatResponseData().setErrorCode(error.code());
  }

  /** LeaveGroup; v0-v2 name one member in the request and carry its error at the top level, v3+ carry a batch. */
  public LeaveGroupResponseData leaveGroup(LeaveGroupRequestData request, short apiVersion) {
    List<MemberIdentity> leaving = apiVersion >= 3 ? request.members()
        : List.of(new MemberIdentity().setMemberId(request.memberId()));
    if (isBlank(request.groupId())) {
      return new LeaveGroupResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code());
    }
    ClassicGroup group = groups.get(request.groupId());
    if (group == null) {
      return new LeaveGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
    }
    List<MemberResponse> results = new ArrayList<>();
    Completions out = new Completions();
    synchronized (group) {
      if (group.state() == GroupState.DEAD) {
        return new LeaveGroupResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
      }
      long now = clock.millis();
      for (MemberIdentity identity : leaving) {
        Errors error = group.leave(identity.memberId(), identity.groupInstanceId(), now, out);
        results.add(new MemberResponse().setMemberId(identity.memberId()).setGroupInstanceId(identity.groupInstanceId())
            .setErrorCode(error.code()));
      }
    }
    out.run();
    if (apiVersion < 3) {
      return new LeaveGroupResponseData().setErrorCode(results.get(0).errorCode());
    }
    return new LeaveGroupResponseData().setErrorCode(Errors.NONE.code()).setMembers(results);
  }

  // ---- Offsets ----

  /** OffsetCommit; durable when this returns. v10+ name topics by id. */
  public OffsetCommitResponseData commitOffsets(OffsetCommitRequestData request, short apiVersion) {
    boolean byId = apiVersion >= 10;
    Map<OffsetCommitRequestTopic, Optional<String>> names = new LinkedHashMap<>();
    for (OffsetCommitRequestTopic topic : request.topics()) {
      names.put(topic, byId ? topicIds.name(topic.topicId()) : Optional.ofNullable(topic.name()));
    }
    Errors groupError = Errors.NONE;
    if (isBlank(request.groupId())) {
      groupError = Errors.INVALID_GROUP_ID;
    }
    Map<TopicPartition, Errors> results = new LinkedHashMap<>();
    if (groupError == Errors.NONE) {
      groupError = commit(request, apiVersion, names, results);
    }
    OffsetCommitResponseData response = new OffsetCommitResponseData();
    for (Map.Entry<OffsetCommitRequestTopic, Optional<String>> entry : names.entrySet()) {
      OffsetCommitRequestTopic topic = entry.getKey();
      OffsetCommitResponseTopic responseTopic = new OffsetCommitResponseTopic();
      if (byId) {
        responseTopic.setTopicId(topic.topicId());
      } else {
        responseTopic.setName(topic.name());
      }
      for (OffsetCommitRequestPartition partition : topic.partitions()) {
        Errors error;
        if (entry.getValue().isEmpty()) {
          error = Errors.UNKNOWN_TOPIC_ID;
        } else if (groupError != Errors.NONE) {
          error = groupError;
        } else {
          error = results.getOrDefault(new TopicPartition(entry.getValue().get(), partition.partitionIndex()), Errors.NONE);
        }
        responseTopic.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(partition.partitionIndex())
            .setErrorCode(error.code()));
      }
      response.topics().add(responseTopic);
    }
    return response;
  }

  /** Validates against the group and stores; returns a group-wide error or fills per-partition ones. */
  private Errors commit(OffsetCommitRequestData request, short apiVersion, Map<OffsetCommitRequestTopic, Optional<String>> names,
      Map<TopicPartition, Errors> results) {
    String groupId = request.groupId();
    int generation = request.generationIdOrMemberEpoch();
    String memberId = request.memberId() == null ? "" : request.memberId();
    while (true) {
      ClassicGroup group = groups.get(groupId);
      if (group == null) {
        if (generation >= 0) {
          // Kafka answers GROUP_ID_NOT_FOUND from v9 on, ILLEGAL_GENERATION before (older clients know only that).
          return apiVersion >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        // A consumer that assigns partitions itself, or the admin client: a "simple" group.
        group = groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, config, clock.millis()));
      }
      synchronized (group) {
        if (group.state() == GroupState.DEAD) {
          continue;
        }
        Errors error = group.validateOffsetCommit(memberId, request.groupInstanceId(), generation);
        if (error != Errors.NONE) {
          return error;
        }
        long now = clock.millis();
        long expireAt = request.retentionTimeMs() >= 0 ? now + request.retentionTimeMs() : CommittedOffset.NO_EXPIRY;
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        for (Map.Entry<OffsetCommitRequestTopic, Optional<String>> topic : names.entrySet()) {
          if (topic.getValue().isEmpty()) {
            continue;
          }
          for (OffsetCommitRequestPartition partition : topic.getKey().partitions()) {
            TopicPartition tp = new TopicPartition(topic.getValue().get(), partition.partitionIndex());
            String metadata = partition.committedMetadata() == null ? "" : partition.committedMetadata();
            if (metadata.length() > config.offsetMetadataMaxBytes()) {
              results.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
            } else {
              accepted.put(tp, new CommittedOffset(partition.committedOffset(), partition.committedLeaderEpoch(), metadata, now,
                  expireAt));
            }
          }
        }
        try {
          offsets.commit(groupId, accepted);
        } catch (IOException e) {
          LOG.log(System.Logger.Level.ERROR, "group " + groupId + ": storing " + accepted.size() + " offsets failed: " + e);
          accepted.keySet().forEach(tp -> results.put(tp, Errors.KAFKA_STORAGE_ERROR));
        }
        return Errors.NONE;
      }
    }
  }

  /** OffsetFetch: v1-v7 ask for one group at the top level, v8+ for a list of groups; v10+ name topics by id. */
  public OffsetFetchResponseData fetchOffsets(OffsetFetchRequestData request, short apiVersion) {
    boolean byId = apiVersion >= 10;
    if (apiVersion >= 8) {
      OffsetFetchResponseData response = new OffsetFetchResponseData();
      for (OffsetFetchRequestGroup requested : request.groups()) {
        List<TopicRequest> topics = requested.topics() == null ? null : requested.topics().stream()
            .map(t -> new TopicRequest(t.name(), t.topicId(), t.partitionIndexes())).toList();
        OffsetFetchResponseGroup group = new OffsetFetchResponseGroup().setGroupId(requested.groupId())
            .setErrorCode(Errors.NONE.code());
        for (TopicResult result : fetch(requested.groupId(), topics, byId)) {
          OffsetFetchResponseTopics topic = new OffsetFetchResponseTopics();
          if (byId) {
            topic.setTopicId(result.topicId());
          } else {
            topic.setName(result.name());
          }
          for (PartitionResult p : result.partitions()) {
            topic.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(p.partition())
                .setCommittedOffset(p.offset()).setCommittedLeaderEpoch(p.leaderEpoch()).setMetadata(p.metadata())
                .setErrorCode(p.error().code()));
          }
          group.topics().add(topic);
        }
        response.groups().add(group);
      }
      return response;
    }
    List<TopicRequest> topics = request.topics() == null ? null : request.topics().stream()
        .map(t -> new TopicRequest(t.name(), Uuid.ZERO_UUID, t.partitionIndexes())).toList();
    OffsetFetchResponseData response = new OffsetFetchResponseData().setErrorCode(Errors.NONE.code());
    for (TopicResult result : fetch(request.groupId(), topics, false)) {
      OffsetFetchResponseTopic topic = new OffsetFetchResponseTopic().setName(result.name());
      for (PartitionResult p : result.partitions()) {
        OffsetFetchResponsePartition partition = new OffsetFetchResponsePartition().setPartitionIndex(p.partition())
            .setCommittedOffset(p.offset()).setMetadata(p.metadata()).setErrorCode(p.error().code());
        if (apiVersion >= 5) {
          partition.setCommittedLeaderEpoch(p.leaderEpoch());
        }
        topic.partitions().add(partition);
      }
      response.topics().add(topic);
    }
    return response;
  }

  private record TopicRequest(String name, Uuid topicId, List<Integer> partitions) {}

  private record TopicResult(String name, Uuid topicId, List<PartitionResult> partitions) {}

  private record PartitionResult(int partition, long offset, int leaderEpoch, String metadata, Errors error) {}

  /** A group's offsets for the asked topics ({@code null}: every committed one); -1 for partitions without a commit. */
  private List<TopicResult> fetch(String groupId, List<TopicRequest> topics, boolean byId) {
    // A group that does not exist simply has no offsets, as in Kafka.
    Map<TopicPartition, CommittedOffset> committed = groupId == null ? Map.of() : offsets.offsets(groupId);
    List<TopicResult> results = new ArrayList<>();
    if (topics == null) {
      Map<String, List<Map.Entry<TopicPartition, CommittedOffset>>> byTopic = committed.entrySet().stream()
          .sorted(Map.Entry.comparingByKey((a, b) -> a.topic().equals(b.topic())
              ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic())))
          .collect(Collectors.groupingBy(e -> e.getKey().topic(), LinkedHashMap::new, Collectors.toList()));
      for (Map.Entry<String, List<Map.Entry<TopicPartition, CommittedOffset>>> topic : byTopic.entrySet()) {
        Optional<Uuid> id = byId ? topicIds.id(topic.getKey()) : Optional.of(Uuid.ZERO_UUID);
        if (id.isEmpty()) {
          continue; // a v10 client could not name it
        }
        List<PartitionResult> partitions = topic.getValue().stream().map(e -> found(e.getKey().partition(), e.getValue())).toList();
        results.add(new TopicResult(topic.getKey(), id.get(), partitions));
      }
      return results;
    }
    for (TopicRequest topic : topics) {
      Optional<String> name = byId ? topicIds.name(topic.topicId()) : Optional.ofNullable(topic.name());
      List<PartitionResult> partitions = new ArrayList<>();
      for (int partition : topic.partitions()) {
        if (name.isEmpty()) {
          partitions.add(new PartitionResult(partition, -1, CommittedOffset.NO_LEADER_EPOCH, "", Errors.UNKNOWN_TOPIC_ID));
          continue;
        }
        CommittedOffset offset = committed.get(new TopicPartition(name.get(), partition));
        partitions.add(offset == null
            ? new PartitionResult(partition, -1, CommittedOffset.NO_LEADER_EPOCH, "", Errors.NONE)
            : found(partition, offset));
      }
      results.add(new TopicResult(topic.name(), topic.topicId(), partitions));
    }
    return results;
  }

  private static PartitionResult found(int partition, CommittedOffset offset) {
    return new PartitionResult(partition, offset.offset(), offset.leaderEpoch(), offset.metadata(), Errors.NONE);
  }

  /**
   * OffsetDelete ({@code kafka-consumer-groups --delete-offsets}): allowed in an Empty group, and
   * in an active consumer group for topics no member subscribes to.
   */
  public OffsetDeleteResponseData deleteOffsets(OffsetDeleteRequestData request) {
    OffsetDeleteResponseData response = new OffsetDeleteResponseData();
    if (isBlank(request.groupId())) {
      return response.setErrorCode(Errors.INVALID_GROUP_ID.code());
    }
    ClassicGroup group = groups.get(request.groupId());
    if (group == null) {
      return response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
    }
    synchronized (group) {
      if (group.state() == GroupState.DEAD) {
        return response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
      }
      if (group.state() != GroupState.EMPTY && !ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())) {
        return response.setErrorCode(Errors.NON_EMPTY_GROUP.code());
      }
      List<TopicPartition> deletable = new ArrayList<>();
      for (OffsetDeleteRequestTopic topic : request.topics()) {
        boolean subscribed = group.isSubscribedTo(topic.name());
        OffsetDeleteResponseTopic responseTopic = new OffsetDeleteResponseTopic().setName(topic.name());
        for (OffsetDeleteRequestPartition partition : topic.partitions()) {
          if (!subscribed) {
            deletable.add(new TopicPartition(topic.name(), partition.partitionIndex()));
          }
          responseTopic.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(partition.partitionIndex())
              .setErrorCode((subscribed ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE).code()));
        }
        response.topics().add(responseTopic);
      }
      try {
        offsets.delete(request.groupId(), deletable);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.ERROR, "group " + request.groupId() + ": deleting " + deletable.size() + " offsets failed: " + e);
        return new OffsetDeleteResponseData().setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
      }
    }
    return response.setErrorCode(Errors.NONE.code());
  }

  // ---- Admin ----

  /** DescribeGroups; an unknown group is reported Dead, with GROUP_ID_NOT_FOUND from v6 on. */
  public DescribeGroupsResponseData describeGroups(DescribeGroupsRequestData request, short apiVersion) {
    DescribeGroupsResponseData response = new DescribeGroupsResponseData();
    for (String groupId : request.groups()) {
      ClassicGroup group = groupId == null ? null : groups.get(groupId);
      DescribedGroup described = null;
      if (group != null) {
        synchronized (group) {
          if (group.state() != GroupState.DEAD) {
            described = group.describe();
          }
        }
      }
      if (described == null) {
        described = new DescribedGroup().setGroupId(groupId).setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("")
            .setProtocolData("").setErrorCode(Errors.NONE.code());
        if (apiVersion >= 6) {
          described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId + " not found.");
        }
      }
      response.groups().add(described);
    }
    return response;
  }

  /** ListGroups; states (v4+) and types (v5+) filters match case-insensitively, as in Kafka. */
  public ListGroupsResponseData listGroups(ListGroupsRequestData request, short apiVersion) {
    Set<String> states = apiVersion >= 4 ? lowerCase(request.statesFilter()) : Set.of();
    Set<String> types = apiVersion >= 5 ? lowerCase(request.typesFilter()) : Set.of();
    ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
    if (!types.isEmpty() && !types.contains(GROUP_TYPE)) {
      return response;
    }
    for (ClassicGroup group : groups.values()) {
      ListedGroup listed;
      synchronized (group) {
        if (group.state() == GroupState.DEAD
            || (!states.isEmpty() && !states.contains(group.state().kafkaName().toLowerCase(Locale.ROOT)))) {
          continue;
        }
        listed = new ListedGroup().setGroupId(group.groupId).setProtocolType(group.protocolType() == null ? "" : group.protocolType());
        if (apiVersion >= 4) {
          listed.setGroupState(group.state().kafkaName());
        }
        if (apiVersion >= 5) {
          listed.setGroupType(GROUP_TYPE);
        }
      }
      response.groups().add(listed);
    }
    response.groups().sort((a, b) -> a.groupId().compareTo(b.groupId()));
    return response;
  }

  /** DeleteGroups: only Empty groups, with their offsets. */
  public DeleteGroupsResponseData deleteGroups(DeleteGroupsRequestData request) {
    DeleteGroupsResponseData response = new DeleteGroupsResponseData();
    for (String groupId : request.groupsNames()) {
      response.results().add(new DeletableGroupResult().setGroupId(groupId).setErrorCode(deleteGroup(groupId).code()));
    }
    return response;
  }

  private Errors deleteGroup(String groupId) {
    if (isBlank(groupId)) {
      return Errors.INVALID_GROUP_ID;
    }
    ClassicGroup group = groups.get(groupId);
    if (group == null) {
      return Errors.GROUP_ID_NOT_FOUND;
    }
    synchronized (group) {
      if (group.state() == GroupState.DEAD) {
        return Errors.GROUP_ID_NOT_FOUND;
      }
      if (group.state() != GroupState.EMPTY) {
        return Errors.NON_EMPTY_GROUP;
      }
      try {
        offsets.deleteGroup(groupId);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.ERROR, "group " + groupId + ": deleting its offsets failed: " + e);
        return Errors.KAFKA_STORAGE_ERROR;
      }
      group.markDead(clock.millis(), "deleted by DeleteGroups");
      groups.remove(groupId, group);
    }
    return Errors.NONE;
  }

  // ---- Time ----

  /** When {@link #tick()} next has work: the earliest rebalance, session or retention deadline (epoch ms). */
  public long nextDeadlineMillis() {
    long next = nextRetentionCheckMs;
    for (ClassicGroup group : groups.values()) {
      synchronized (group) {
        next = Math.min(next, group.nextDeadlineMs());
      }
    }
    return next;
  }

  /**
   * Acts on every deadline that has passed: completes join phases (initial delay, rebalance
   * timeout), removes members whose session or sync deadline expired and, every
   * {@link GroupConfig#offsetsRetentionCheckIntervalMs()}, expires offsets and deletes groups left
   * with neither members nor offsets.
   */
  public void tick() {
    long now = clock.millis();
    for (ClassicGroup group : groups.values()) {
      Completions out = new Completions();
      synchronized (group) {
        if (group.nextDeadlineMs() <= now) {
          group.expire(now, out);
        }
      }
      out.run();
    }
    if (now >= nextRetentionCheckMs) {
      nextRetentionCheckMs = now + config.offsetsRetentionCheckIntervalMs();
      expireOffsets(now);
    }
  }

  private void expireOffsets(long now) {
    for (ClassicGroup group : groups.values()) {
      synchronized (group) {
        if (group.state() == GroupState.DEAD) {
          continue;
        }
        Map<TopicPartition, CommittedOffset> committed = offsets.offsets(group.groupId);
        List<TopicPartition> expired = committed.entrySet().stream()
            .filter(e -> isExpired(group, e.getValue(), now)).map(Map.Entry::getKey).toList();
        try {
          offsets.delete(group.groupId, expired);
        } catch (IOException e) {
          LOG.log(System.Logger.Level.ERROR, "group " + group.groupId + ": expiring " + expired.size() + " offsets failed: " + e);
          continue;
        }
        if (!expired.isEmpty()) {
          LOG.log(System.Logger.Level.INFO, () -> "group " + group.groupId + ": expired " + expired.size() + " offsets");
        }
        if (group.canBeForgotten() && committed.size() == expired.size()) {
          group.markDead(now, "empty and without offsets");
          groups.remove(group.groupId, group);
        }
      }
    }
  }

  /**
   * Kafka's rule (KIP-211): a group with members keeps its offsets; an Empty consumer group's
   * offsets expire a retention period after it became Empty; a group that never had members
   * (protocol type unknown, also every group after a restart) expires each offset a retention
   * period after its commit. An explicit expiry from OffsetCommit v2-v4 overrides both.
   */
  private boolean isExpired(ClassicGroup group, CommittedOffset offset, long now) {
    if (group.state() != GroupState.EMPTY) {
      return false;
    }
    if (offset.expireTimestampMs() != CommittedOffset.NO_EXPIRY) {
      return now >= offset.expireTimestampMs();
    }
    long base = group.protocolType() == null ? offset.commitTimestampMs() : group.stateSinceMs();
    return now - base >= config.offsetsRetentionMs();
  }

  private static Set<String> lowerCase(List<String> values) {
    return values == null ? Set.of() : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  private static boolean isBlank(String groupId) {
    return groupId == null || groupId.isEmpty();
  }
}
