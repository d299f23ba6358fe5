package dev.capstan.dataplane.broker.group;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calls from several threads, as from Netty event loops. */
class ConcurrencyTest {

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock(0);
  private OffsetStore store;
  private GroupCoordinator coordinator;
  private ExecutorService pool;

  @BeforeEach
  void open() throws IOException {
    store = OffsetStore.open(dir, OffsetStore.DEFAULT_COMPACT_AFTER_BYTES, FsyncPolicy.INTERVAL);
    coordinator = new GroupCoordinator(GroupConfig.DEFAULTS.withInitialRebalanceDelayMs(0), store, TopicIds.NONE, clock);
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void close() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    store.close();
  }

  @Test
  void futuresAreCompletedAfterTheGroupLockIsReleased() throws Exception {
    Consumers group = new Consumers(coordinator, "g");
    String a = group.memberIdFor("a");
    AtomicReference<Errors> fromOtherThread = new AtomicReference<>();
    group.join(a, "a").thenAccept(response -> {
      // Another event loop touching the same group while this callback runs must not block.
      Future<Errors> heartbeat = pool.submit(() -> group.heartbeat(a, response.generationId()));
      try {
        fromOtherThread.set(heartbeat.get(5, TimeUnit.SECONDS));
      } catch (Exception e) {
        fromOtherThread.set(null);
      }
    });
    coordinator.tick();
    assertThat(fromOtherThread.get()).isEqualTo(Errors.NONE);
  }

  /**
   * Four consumers behave like kafka-clients on their own threads: join, sync, heartbeat and
   * commit, rejoining whenever told to; a fifth thread ticks. Every request must be answered
   * (no lost or dead-locked future), only with errors a client expects, and each stable
   * generation must hand every member the assignment its leader made for it.
   */
  @Test
  void consumersOnSeveralThreadsConvergeWithoutLostResponses() throws Exception {
    int consumers = 4;
    int rounds = 25;
    Set<Errors> seen = ConcurrentHashMap.newKeySet();
    Map<String, String> wrongAssignments = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Future<?> ticker = pool.submit(() -> {
      while (!stop.get()) {
        coordinator.tick();
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
    });
    List<Future<Integer>> workers = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      String clientId = "client-" + c;
      workers.add(pool.submit(() -> runConsumer(clientId, rounds, seen, wrongAssignments)));
    }
    for (Future<Integer> worker : workers) {
      assertThat(worker.get(60, TimeUnit.SECONDS)).isEqualTo(rounds);
    }
    stop.set(true);
    ticker.get(10, TimeUnit.SECONDS);

    assertThat(wrongAssignments).isEmpty();
    assertThat(seen).isSubsetOf(Errors.NONE, Errors.REBALANCE_IN_PROGRESS, Errors.ILLEGAL_GENERATION, Errors.UNKNOWN_MEMBER_ID);
    assertThat(coordinator.describeGroups(new org.apache.kafka.common.message.DescribeGroupsRequestData()
        .setGroups(List.of("shared")), (short) 5).groups().get(0).groupState()).isEqualTo("Empty");
    assertThat(store.offsets("shared")).isNotEmpty();
  }

  /** One consumer's life; returns how many rounds it completed with a stable generation. */
  private int runConsumer(String clientId, int rounds, Set<Errors> seen, Map<String, String> wrong) throws Exception {
    Consumers group = new Consumers(coordinator, "shared");
    String memberId = group.memberIdFor(clientId);
    int completed = 0;
    while (completed < rounds) {
      JoinGroupResponseData joined = group.join(memberId, clientId).get(10, TimeUnit.SECONDS);
      Errors joinError = Errors.forCode(joined.errorCode());
      seen.add(joinError);
      if (joinError == Errors.UNKNOWN_MEMBER_ID) {
        memberId = group.memberIdFor(clientId);
        continue;
      }
      if (joinError != Errors.NONE) {
        continue;
      }
      int generation = joined.generationId();
      List<String> assignments = new ArrayList<>();
      joined.members().forEach(m -> assignments.add(m.memberId() + "=" + m.memberId() + "@" + generation));
      SyncGroupResponseData synced = group.sync(memberId, generation, assignments).get(10, TimeUnit.SECONDS);
      Errors syncError = Errors.forCode(synced.errorCode());
      seen.add(syncError);
      if (syncError != Errors.NONE) {
        continue;
      }
      String expected = memberId + "@" + generation;
      if (!Consumers.string(synced.assignment()).equals(expected)) {
        wrong.put(expected, Consumers.string(synced.assignment()));
      }
      boolean stable = true;
      for (int beat = 0; beat < 3 && stable; beat++) {
        Errors heartbeat = group.heartbeat(memberId, generation);
        seen.add(heartbeat);
        OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId("shared").setMemberId(memberId)
            .setGenerationIdOrMemberEpoch(generation).setTopics(List.of(new OffsetCommitRequestTopic().setName(clientId)
                .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(beat)))));
        Errors committed = Errors.forCode(coordinator.commitOffsets(commit, (short) 9).topics().get(0).partitions().get(0)
            .errorCode());
        seen.add(committed);
        stable = heartbeat == Errors.NONE && committed == Errors.NONE;
      }
      completed++;
    }
    group.leave(memberId);
    return completed;
  }
}
