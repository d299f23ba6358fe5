package dev.capstan.dataplane.broker.group;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** A member of a classic group; mutable, guarded by its group's lock. */
final class Member {

  /** One protocol a member supports, with the member's metadata for it (opaque to the coordinator). */
  record Protocol(String name, byte[] metadata) {}

  final String memberId;
  final String groupInstanceId;
  final String clientId;
  final String clientHost;
  String protocolType;
  /** In the member's order of preference. */
  List<Protocol> protocols;
  int rebalanceTimeoutMs;
  int sessionTimeoutMs;
  byte[] assignment = new byte[0];
  /** Set while the member's JoinGroup is parked until the join phase completes. */
  CompletableFuture<JoinGroupResponseData> joinFuture;
  short joinVersion;
  /** Set while the member's SyncGroup is parked until the leader's assignment arrives. */
  CompletableFuture<SyncGroupResponseData> syncFuture;
  short syncVersion;
  /** When the member is removed unless it heartbeats; ignored while a request of it is parked. */
  long sessionDeadlineMs;

  Member(String memberId, String groupInstanceId, String clientId, String clientHost) {
    this.memberId = memberId;
    this.groupInstanceId = groupInstanceId;
    this.clientId = clientId;
    this.clientHost = clientHost;
  }

  boolean isAwaitingJoin() {
    return joinFuture != null;
  }

  boolean isAwaitingSync() {
    return syncFuture != null;
  }

  /** Whether {@code other} is the same protocol list, in order and byte for byte. */
  boolean matches(List<Protocol> other) {
    if (other.size() != protocols.size()) {
      return false;
    }
    for (int i = 0; i < other.size(); i++) {
      Protocol mine = protocols.get(i);
      Protocol theirs = other.get(i);
      if (!mine.name().equals(theirs.name()) || !java.util.Arrays.equals(mine.metadata(), theirs.metadata())) {
        return false;
      }
    }
    return true;
  }

  boolean supports(String protocolName) {
    return protocols.stream().anyMatch(p -> p.name().equals(protocolName));
  }

  byte[] metadata(String protocolName) {
    return protocols.stream().filter(p -> p.name().equals(protocolName)).map(Protocol::metadata).findFirst()
        .orElse(new byte[0]);
  }

  /** The member's most preferred protocol among {@code candidates}. */
  String vote(Set<String> candidates) {
    return protocols.stream().map(Protocol::name).filter(candidates::contains).findFirst()
        .orElseThrow(() -> new IllegalStateException("member " + memberId + " supports none of " + candidates));
  }
}
