package dev.capstan.dataplane.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** Builds requests the way kafka-clients' ConsumerCoordinator does, against one coordinator. */
final class Consumers {

  static final short JOIN_V = ApiKeys.JOIN_GROUP.latestVersion();
  static final short SYNC_V = ApiKeys.SYNC_GROUP.latestVersion();
  static final short LEAVE_V = ApiKeys.LEAVE_GROUP.latestVersion();
  static final int SESSION_MS = 10_000;
  static final int REBALANCE_MS = 30_000;

  private final GroupCoordinator coordinator;
  private final String groupId;

  Consumers(GroupCoordinator coordinator, String groupId) {
    this.coordinator = coordinator;
    this.groupId = groupId;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A "consumer" protocol list; each protocol's metadata is {@code clientId/protocol}. */
  static JoinGroupRequestProtocolCollection protocols(String clientId, String... names) {
    JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
    for (String name : names) {
      protocols.add(new JoinGroupRequestProtocol().setName(name).setMetadata(bytes(clientId + "/" + name)));
    }
    return protocols;
  }

  JoinGroupRequestData joinRequest(String memberId, String clientId, String... protocolNames) {
    return new JoinGroupRequestData()
        .setGroupId(groupId)
        .setSessionTimeoutMs(SESSION_MS)
        .setRebalanceTimeoutMs(REBALANCE_MS)
        .setMemberId(memberId)
        .setProtocolType("consumer")
        .setProtocols(protocols(clientId, protocolNames.length == 0 ? new String[] {"range"} : protocolNames));
  }

  /** The first JoinGroup of a v4+ client: returns the member id the coordinator requires it to use. */
  String memberIdFor(String clientId) {
    JoinGroupResponseData response = coordinator.joinGroup(joinRequest("", clientId), JOIN_V, clientId, "/10.0.0.1").join();
    assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
    return response.memberId();
  }

  CompletableFuture<JoinGroupResponseData> join(String memberId, String clientId, String... protocolNames) {
    return coordinator.joinGroup(joinRequest(memberId, clientId, protocolNames), JOIN_V, clientId, "/10.0.0.1");
  }

  CompletableFuture<SyncGroupResponseData> sync(String memberId, int generation, List<String> assignmentsAsMemberEqualsBytes) {
    SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(groupId).setMemberId(memberId).setGenerationId(generation)
        .setProtocolType("consumer");
    for (String entry : assignmentsAsMemberEqualsBytes) {
      String[] kv = entry.split("=", 2);
      request.assignments().add(new SyncGroupRequestAssignment().setMemberId(kv[0]).setAssignment(bytes(kv[1])));
    }
    return coordinator.syncGroup(request, SYNC_V);
  }

  Errors heartbeat(String memberId, int generation) {
    return Errors.forCode(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
        .setGenerationId(generation)).errorCode());
  }

  LeaveGroupResponseData leave(String... memberIds) {
    LeaveGroupRequestData request = new LeaveGroupRequestData().setGroupId(groupId);
    for (String memberId : memberIds) {
      request.members().add(new MemberIdentity().setMemberId(memberId).setReason("closing"));
    }
    return coordinator.leaveGroup(request, LEAVE_V);
  }
}
