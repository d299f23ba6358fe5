package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.group.GroupConfig;
import dev.capstan.dataplane.broker.group.GroupCoordinator;
import dev.capstan.dataplane.broker.group.OffsetStore;
import dev.capstan.dataplane.broker.group.TopicIds;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
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
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * Binds the group API keys to the {@link GroupCoordinator} of package {@code broker.group}:
 * decodes nothing itself (the coordinator takes the message data classes), wraps its answers in
 * response classes, ticks it every 100 ms and refuses groups another broker coordinates with
 * NOT_COORDINATOR, as Kafka does, so the client asks FindCoordinator again.
 */
final class CoordinatorGroups implements GroupRequests {

  static final long TICK_MS = 100;

  private final GroupCoordinator coordinator;
  private final OffsetStore offsets;
  private final ClusterLayout layout;
  private final ScheduledFuture<?> ticker;

  private CoordinatorGroups(GroupCoordinator coordinator, OffsetStore offsets, ClusterLayout layout,
                            ScheduledFuture<?> ticker) {
    this.coordinator = coordinator;
    this.offsets = offsets;
    this.layout = layout;
    this.ticker = ticker;
  }

  /** Opens the committed offsets in {@code <data>/__consumer_offsets} and starts ticking on {@code timer}. */
  static CoordinatorGroups start(Path dataDir, GroupConfig config, ClusterLayout layout, TopicRegistry topics,
                                 Clock clock, ScheduledExecutorService timer) throws IOException {
    OffsetStore offsets = OffsetStore.open(dataDir.resolve("__consumer_offsets"));
    TopicIds ids = new TopicIds() {
      @Override
      public java.util.Optional<String> name(org.apache.kafka.common.Uuid topicId) {
        return topics.topic(topicId).map(TopicRegistry.TopicMeta::name);
      }

      @Override
      public java.util.Optional<org.apache.kafka.common.Uuid> id(String topicName) {
        return topics.topic(topicName).map(TopicRegistry.TopicMeta::uuid);
      }
    };
    GroupCoordinator coordinator = new GroupCoordinator(config, offsets, ids, clock);
    ScheduledFuture<?> ticker = timer.scheduleWithFixedDelay(coordinator::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    return new CoordinatorGroups(coordinator, offsets, layout, ticker);
  }

  @Override
  public Map<ApiKeys, short[]> apiKeys() {
    // The coordinator's wire-format test covers every version kafka-clients 4.3.1 defines.
    Map<ApiKeys, short[]> keys = new EnumMap<>(ApiKeys.class);
    for (ApiKeys key : new ApiKeys[] {ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
        ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.DESCRIBE_GROUPS, ApiKeys.LIST_GROUPS,
        ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE}) {
      keys.put(key, new short[] {key.oldestVersion(), key.latestVersion()});
    }
    return keys;
  }

  @Override
  public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    short version = context.apiVersion();
    String groupId = groupIdOf(request);
    if (groupId != null && GroupCoordinator.coordinatorFor(groupId, layout.size()) != layout.selfId()) {
      return CompletableFuture.completedFuture(request.getErrorResponse(Errors.NOT_COORDINATOR.exception()));
    }
    return switch (request.apiKey()) {
      case JOIN_GROUP -> coordinator.joinGroup(((JoinGroupRequest) request).data(), version, context.clientId(),
              context.clientAddress.getHostAddress())
          .thenApply(d -> new JoinGroupResponse(d, version));
      case SYNC_GROUP -> coordinator.syncGroup(((SyncGroupRequest) request).data(), version)
          .thenApply(SyncGroupResponse::new);
      case HEARTBEAT -> done(new HeartbeatResponse(coordinator.heartbeat(((HeartbeatRequest) request).data())));
      case LEAVE_GROUP -> done(new LeaveGroupResponse(
          coordinator.leaveGroup(((LeaveGroupRequest) request).data(), version), version));
      case OFFSET_COMMIT -> done(new OffsetCommitResponse(
          coordinator.commitOffsets(((OffsetCommitRequest) request).data(), version)));
      case OFFSET_FETCH -> done(new OffsetFetchResponse(
          coordinator.fetchOffsets(((OffsetFetchRequest) request).data(), version), version));
      case DESCRIBE_GROUPS -> done(new DescribeGroupsResponse(
          coordinator.describeGroups(((DescribeGroupsRequest) request).data(), version)));
      case LIST_GROUPS -> done(new ListGroupsResponse(
          coordinator.listGroups(((ListGroupsRequest) request).data(), version)));
      case DELETE_GROUPS -> done(new DeleteGroupsResponse(
          coordinator.deleteGroups(((DeleteGroupsRequest) request).data())));
      case OFFSET_DELETE -> done(new OffsetDeleteResponse(
          coordinator.deleteOffsets(((OffsetDeleteRequest) request).data())));
      default -> done(request.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception()));
    };
  }

  /** The one group a membership or commit request is about; null for requests about many groups. */
  private static String groupIdOf(AbstractRequest request) {
    return switch (request.apiKey()) {
      case JOIN_GROUP -> ((JoinGroupRequest) request).data().groupId();
      case SYNC_GROUP -> ((SyncGroupRequest) request).data().groupId();
      case HEARTBEAT -> ((HeartbeatRequest) request).data().groupId();
      case LEAVE_GROUP -> ((LeaveGroupRequest) request).data().groupId();
      case OFFSET_COMMIT -> ((OffsetCommitRequest) request).data().groupId();
      case OFFSET_DELETE -> ((OffsetDeleteRequest) request).data().groupId();
      default -> null;
    };
  }

  private static CompletableFuture<AbstractResponse> done(AbstractResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  @Override
  public void close() {
    ticker.cancel(false);
    try {
      offsets.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
