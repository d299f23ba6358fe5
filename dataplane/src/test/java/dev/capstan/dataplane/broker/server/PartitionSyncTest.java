package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real partition synced by several threads at once while it appends, rolls and loses segments to retention. */
class PartitionSyncTest {

  @TempDir
  Path dir;

  @Test
  void overlappingSyncsBesideRollsAndRetentionAllSucceedAndEachCoversWhatWasAppendedBeforeIt() throws Exception {
    // a segment holds two or three batches, and retention keeps about two: segments roll and go
    // while syncs of them run
    TopicConfigs.Settings settings = TopicConfigs.withRetention(-1, 400)
        .settings(Map.of(TopicConfigs.SEGMENT_BYTES, "200"));
    ExecutorService appenders = Executors.newFixedThreadPool(3);
    try (Partition partition = Partition.open(new TopicPartition("t", 0), dir, settings, Clock.systemUTC());
         GroupCommit commit = new GroupCommit(GroupCommit.SyncListener.NONE)) {
      List<Future<List<CompletableFuture<Void>>>> work = new ArrayList<>();
      for (int thread = 0; thread < 3; thread++) {
        int id = thread;
        work.add(appenders.submit(() -> {
          List<CompletableFuture<Void>> waiters = new ArrayList<>();
          for (int i = 0; i < 150; i++) {
            MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(("r" + id + "-" + i).getBytes(StandardCharsets.UTF_8)));
            Partition.AppendOutcome outcome = partition.append(records);
            assertThat(outcome.error()).isEqualTo(Errors.NONE);
            long end = outcome.baseOffset() + outcome.records();
            if (i % 2 == 0) {
              waiters.add(commit.sync(partition));
            } else {
              assertThat(partition.sync()).as("a sync covers the caller's own append").isGreaterThanOrEqualTo(end);
            }
            if (i % 10 == id) {
              partition.applyRetention(System.currentTimeMillis());
            }
          }
          return waiters;
        }));
      }
      List<CompletableFuture<Void>> waiters = new ArrayList<>();
      for (Future<List<CompletableFuture<Void>>> f : work) {
        waiters.addAll(f.get());
      }
      CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).join();

      assertThat(waiters).hasSize(225).allMatch(w -> !w.isCompletedExceptionally());
      assertThat(partition.logEndOffset()).isEqualTo(450);
      assertThat(partition.segmentBaseOffsets().get(0)).as("retention deleted rolled segments").isPositive();
      assertThat(partition.sync()).as("nothing left to sync").isEqualTo(450);
    } finally {
      appenders.shutdownNow();
    }
  }
}
