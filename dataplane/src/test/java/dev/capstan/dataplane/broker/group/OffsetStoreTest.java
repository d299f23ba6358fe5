package dev.capstan.dataplane.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetStoreTest {

  @TempDir
  Path dir;

  private static CommittedOffset at(long offset) {
    return new CommittedOffset(offset, 3, "meta-" + offset, 1_000 + offset, CommittedOffset.NO_EXPIRY);
  }

  private static TopicPartition tp(String topic, int partition) {
    return new TopicPartition(topic, partition);
  }

  private Path lastSegment() throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".wal")).sorted().reduce((a, b) -> b).orElseThrow();
    }
  }

  @Test
  void offsetsSurviveARestart() throws IOException {
    try (OffsetStore store = OffsetStore.open(dir)) {
      store.commit("g1", Map.of(tp("orders", 0), at(10), tp("orders", 1), at(20)));
      store.commit("g1", Map.of(tp("orders", 0), at(11)));
      store.commit("g2", Map.of(tp("päyments", 7), new CommittedOffset(5, -1, "", 9, 99)));
      assertThat(store.offsets("g1")).containsEntry(tp("orders", 0), at(11));
    }
    try (OffsetStore store = OffsetStore.open(dir)) {
      assertThat(store.recovery().tornTail()).isEmpty();
      assertThat(store.groupIds()).containsExactlyInAnyOrder("g1", "g2");
      assertThat(store.offsets("g1")).isEqualTo(Map.of(tp("orders", 0), at(11), tp("orders", 1), at(20)));
      assertThat(store.offsets("g2")).isEqualTo(Map.of(tp("päyments", 7), new CommittedOffset(5, -1, "", 9, 99)));
      assertThat(store.offsets("none")).isEmpty();
    }
  }

  @Test
  void deletionsSurviveARestart() throws IOException {
    try (OffsetStore store = OffsetStore.open(dir)) {
      store.commit("g1", Map.of(tp("a", 0), at(1), tp("a", 1), at(2)));
      store.commit("g2", Map.of(tp("a", 0), at(3)));
      store.commit("g3", Map.of(tp("b", 0), at(4)));
      store.delete("g1", List.of(tp("a", 0)));
      store.deleteGroup("g2");
      store.delete("g3", List.of(tp("b", 0)));
    }
    try (OffsetStore store = OffsetStore.open(dir)) {
      assertThat(store.groupIds()).containsExactly("g1");
      assertThat(store.offsets("g1")).isEqualTo(Map.of(tp("a", 1), at(2)));
    }
  }

  @Test
  void aTornLastCommitIsDroppedWholeAndEarlierOnesKept() throws IOException {
    try (OffsetStore store = OffsetStore.open(dir)) {
      store.commit("g", Map.of(tp("t", 0), at(1), tp("t", 1), at(1)));
      store.commit("g", Map.of(tp("t", 0), at(2), tp("t", 1), at(2)));
    }
    Path segment = lastSegment();
    long size = Files.size(segment);
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(size - 5); // the crash hit in the middle of the second commit
    }
    try (OffsetStore store = OffsetStore.open(dir)) {
      assertThat(store.recovery().tornTail()).isPresent();
      assertThat(store.offsets("g")).as("both partitions of the torn commit are gone, not one")
          .isEqualTo(Map.of(tp("t", 0), at(1), tp("t", 1), at(1)));
      store.commit("g", Map.of(tp("t", 0), at(3)));
    }
    try (OffsetStore store = OffsetStore.open(dir)) {
      assertThat(store.recovery().tornTail()).as("the cut was clean").isEmpty();
      assertThat(store.offsets("g")).containsEntry(tp("t", 0), at(3)).containsEntry(tp("t", 1), at(1));
    }
  }

  @Test
  void garbageAfterTheLastCommitIsCutOff() throws IOException {
    try (OffsetStore store = OffsetStore.open(dir)) {
      store.commit("g", Map.of(tp("t", 0), at(1)));
    }
    Files.write(lastSegment(), new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7}, StandardOpenOption.APPEND);
    try (OffsetStore store = OffsetStore.open(dir)) {
      assertThat(store.recovery().droppedBytes()).isEqualTo(11);
      assertThat(store.offsets("g")).isEqualTo(Map.of(tp("t", 0), at(1)));
    }
  }

  @Test
  void compactionBoundsTheLogAndKeepsTheState() throws IOException {
    long compactAfter = 4096;
    try (OffsetStore store = OffsetStore.open(dir, compactAfter, FsyncPolicy.INTERVAL)) {
      for (int i = 0; i < 1_500; i++) {
        store.commit("g" + (i % 3), Map.of(tp("t", i % 5), at(i)));
        assertThat(store.logBytes()).isLessThan(3 * compactAfter);
      }
      store.deleteGroup("g2");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".wal")).mapToLong(p -> p.toFile().length()).sum())
          .as("1500 commits of ~90 bytes each, compacted").isLessThan(3 * compactAfter);
    }
    try (OffsetStore store = OffsetStore.open(dir, compactAfter, FsyncPolicy.INTERVAL)) {
      assertThat(store.groupIds()).containsExactlyInAnyOrder("g0", "g1");
      // The last commit of g0 to partition p came at the largest i with i%3==0 and i%5==p.
      for (int p = 0; p < 5; p++) {
        int last = 1_499;
        while (last % 3 != 0 || last % 5 != p) {
          last--;
        }
        assertThat(store.offsets("g0")).containsEntry(tp("t", p), at(last));
      }
    }
  }

  @Test
  void randomOperationsWithRestartsMatchAModel() throws IOException {
    Random random = new Random(42);
    Map<String, Map<TopicPartition, CommittedOffset>> model = new HashMap<>();
    OffsetStore store = OffsetStore.open(dir, 4096, FsyncPolicy.INTERVAL);
    try {
      for (int step = 0; step < 1_000; step++) {
        String group = "g" + random.nextInt(4);
        int op = random.nextInt(50);
        if (op < 35) {
          Map<TopicPartition, CommittedOffset> batch = new LinkedHashMap<>();
          for (int n = 1 + random.nextInt(4); n > 0; n--) {
            batch.put(tp("t" + random.nextInt(3), random.nextInt(4)), at(random.nextInt(1_000_000)));
          }
          store.commit(group, batch);
          model.computeIfAbsent(group, g -> new HashMap<>()).putAll(batch);
        } else if (op < 44) {
          List<TopicPartition> gone = List.of(tp("t" + random.nextInt(3), random.nextInt(4)));
          store.delete(group, gone);
          if (model.containsKey(group)) {
            model.get(group).keySet().removeAll(gone);
            if (model.get(group).isEmpty()) {
              model.remove(group);
            }
          }
        } else if (op < 49) {
          store.deleteGroup(group);
          model.remove(group);
        } else {
          store.close();
          store = OffsetStore.open(dir, 4096, FsyncPolicy.INTERVAL);
        }
        assertThat(store.groupIds()).isEqualTo(model.keySet());
        assertThat(store.offsets(group)).isEqualTo(model.getOrDefault(group, Map.of()));
      }
    } finally {
      store.close();
    }
  }

  @Test
  void aSecondStoreOnTheSameDirectoryIsRefused() throws IOException {
    try (OffsetStore store = OffsetStore.open(dir)) {
      assertThatThrownBy(() -> OffsetStore.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("already open");
    }
  }
}
