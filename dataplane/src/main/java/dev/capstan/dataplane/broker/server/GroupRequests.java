package dev.capstan.dataplane.broker.server;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;

/**
 * Where the broker sends consumer-group requests (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, DescribeGroups, ListGroups): the group coordinator binds to this.
 * Responses may complete later (a JoinGroup waits for the rebalance); the connection keeps its
 * responses in request order regardless.
 */
public interface GroupRequests extends AutoCloseable {

  /** Answers one group request; only called for the keys {@link #apiKeys()} lists. */
  CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request);

  /** The group API keys with the version ranges this coordinator was tested with. */
  java.util.Map<org.apache.kafka.common.protocol.ApiKeys, short[]> apiKeys();

  /** No coordinator: FindCoordinator answers COORDINATOR_NOT_AVAILABLE, so group clients wait. */
  GroupRequests NONE = new GroupRequests() {
    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
      return CompletableFuture.completedFuture(
          request.getErrorResponse(org.apache.kafka.common.protocol.Errors.COORDINATOR_NOT_AVAILABLE.exception()));
    }

    @Override
    public java.util.Map<org.apache.kafka.common.protocol.ApiKeys, short[]> apiKeys() {
      return java.util.Map.of();
    }

    @Override
    public void close() {}
  };

  @Override
  void close();
}
