package dev.capstan.dataplane.broker.group;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random schedules of consumers that join, sync, heartbeat, leave, crash and come back
 * while the clock jumps, checked against the protocol's invariants after every step.
 */
class RebalanceSimulationTest {

  @TempDir
  Path dir;

  /** What the test knows about one completed join phase. */
  private record Generation(String leader, String protocol, Set<String> members) {}

  private static final class Client {
    final String clientId;
    String memberId;
    CompletableFuture<JoinGroupResponseData> join;
    CompletableFuture<SyncGroupResponseData> sync;
    int generation = -1;
    boolean stable;
    boolean crashed;

    Client(String clientId) {
      this.clientId = clientId;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomSchedulesKeepTheProtocolsInvariants(long seed) throws IOException {
    Random random = new Random(seed);
    ManualClock clock = new ManualClock(0);
    try (OffsetStore store = OffsetStore.open(dir)) {
      GroupCoordinator coordinator = new GroupCoordinator(GroupConfig.DEFAULTS.withInitialRebalanceDelayMs(500), store,
          TopicIds.NONE, clock);
      Consumers group = new Consumers(coordinator, "sim");
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        clients.add(new Client("c" + i));
      }
      Map<Integer, Generation> generations = new HashMap<>();
      List<CompletableFuture<?>> everyFuture = new ArrayList<>();
      int stableRounds = 0;

      for (int step = 0; step < 1_500; step++) {
        clock.advance(random.nextInt(1_500));
        coordinator.tick();
        Client c = clients.get(random.nextInt(clients.size()));
        if (c.crashed) {
          if (random.nextInt(10) == 0) {
            c.crashed = false; // restarted: a new member
            c.memberId = null;
          }
          continue;
        }
        int dice = random.nextInt(100);
        if (dice < 2 && c.memberId != null) {
          c.crashed = true; // stops talking; the session timeout must remove it
          continue;
        }
        if (dice < 4 && c.memberId != null && c.join == null && c.sync == null) {
          group.leave(c.memberId);
          c.memberId = null;
          c.stable = false;
          continue;
        }
        if (c.memberId == null) {
          c.memberId = group.memberIdFor(c.clientId);
          c.join = group.join(c.memberId, c.clientId);
          everyFuture.add(c.join);
        } else if (c.join != null) {
          if (!c.join.isDone()) {
            continue;
          }
          JoinGroupResponseData joined = c.join.join();
          c.join = null;
          Errors error = Errors.forCode(joined.errorCode());
          if (error == Errors.UNKNOWN_MEMBER_ID) {
            c.memberId = null;
            continue;
          }
          if (error != Errors.NONE) {
            c.join = group.join(c.memberId, c.clientId);
            everyFuture.add(c.join);
            continue;
          }
          checkJoin(generations, joined, c.memberId);
          c.generation = joined.generationId();
          List<String> assignments = new ArrayList<>();
          for (JoinGroupResponseMember m : joined.members()) {
            assignments.add(m.memberId() + "=" + m.memberId() + "@" + joined.generationId());
          }
          c.sync = group.sync(c.memberId, c.generation, assignments);
          everyFuture.add(c.sync);
        } else if (c.sync != null) {
          if (!c.sync.isDone()) {
            continue;
          }
          SyncGroupResponseData synced = c.sync.join();
          c.sync = null;
          Errors error = Errors.forCode(synced.errorCode());
          if (error == Errors.NONE) {
            assertThat(Consumers.string(synced.assignment())).as("assignment of %s", c.memberId)
                .isEqualTo(c.memberId + "@" + c.generation);
            c.stable = true;
            stableRounds++;
          } else if (error == Errors.UNKNOWN_MEMBER_ID) {
            c.memberId = null;
          } else {
            c.join = group.join(c.memberId, c.clientId);
            everyFuture.add(c.join);
          }
        } else {
          Errors heartbeat = group.heartbeat(c.memberId, c.generation);
          assertThat(heartbeat).isIn(Errors.NONE, Errors.REBALANCE_IN_PROGRESS, Errors.UNKNOWN_MEMBER_ID, Errors.ILLEGAL_GENERATION);
          if (heartbeat == Errors.UNKNOWN_MEMBER_ID) {
            c.memberId = null;
          } else if (heartbeat != Errors.NONE) {
            c.stable = false;
            c.join = group.join(c.memberId, c.clientId);
            everyFuture.add(c.join);
          }
        }
      }

      // Everyone stops; after the session and rebalance timeouts nothing may be left hanging.
      clock.advance(3_600_000);
      coordinator.tick();
      clock.advance(3_600_000);
      coordinator.tick();
      assertThat(everyFuture).allMatch(CompletableFuture::isDone);
      assertThat(coordinator.describeGroups(new org.apache.kafka.common.message.DescribeGroupsRequestData()
          .setGroups(List.of("sim")), (short) 5).groups().get(0).groupState()).isIn("Empty", "Dead");
      assertThat(generations.size()).as("the schedule exercised many generations").isGreaterThan(20);
      assertThat(stableRounds).isGreaterThan(20);
    }
  }

  /** All members of one generation agree on leader and protocol, and each is in the leader's list. */
  private static void checkJoin(Map<Integer, Generation> generations, JoinGroupResponseData joined, String memberId) {
    Generation seen = generations.get(joined.generationId());
    if (!joined.members().isEmpty()) {
      Set<String> members = new HashSet<>();
      joined.members().forEach(m -> members.add(m.memberId()));
      assertThat(joined.leader()).isEqualTo(memberId);
      assertThat(members).contains(memberId);
      Generation leaderView = new Generation(joined.leader(), joined.protocolName(), members);
      if (seen != null && seen.members() != null) {
        assertThat(seen.leader()).isEqualTo(leaderView.leader());
        assertThat(seen.members()).isEqualTo(members);
      }
      generations.put(joined.generationId(), leaderView);
    } else if (seen == null) {
      generations.put(joined.generationId(), new Generation(joined.leader(), joined.protocolName(), null));
    } else {
      assertThat(joined.leader()).isEqualTo(seen.leader());
      assertThat(joined.protocolName()).isEqualTo(seen.protocol());
    }
    Generation now = generations.get(joined.generationId());
    if (now.members() != null) {
      assertThat(now.members()).as("member %s of generation %d", memberId, joined.generationId()).contains(memberId);
    }
  }
}
