package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer groups through the broker's wiring of the group coordinator, with the official consumer. */
class ConsumerGroupTest {

  private static final String TOPIC = "grouped";
  private static final int PARTITIONS = 6;

  @TempDir
  Path dir;

  private static Map<String, Object> member(String group) {
    return Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
  }

  private static void produce(TestBroker broker, int perPartition, String prefix) throws Exception {
    try (KafkaProducer<String, String> producer = broker.producer(Map.of())) {
      for (int i = 0; i < perPartition; i++) {
        for (int p = 0; p < PARTITIONS; p++) {
          producer.send(new ProducerRecord<>(TOPIC, p, null, prefix + "-" + p + "-" + i));
        }
      }
      producer.flush();
    }
  }

  private static Set<TopicPartition> assigned(List<KafkaConsumer<String, String>> consumers) {
    Set<TopicPartition> all = new HashSet<>();
    consumers.forEach(c -> all.addAll(c.assignment()));
    return all;
  }

  @Test
  void aGroupOfThreeSharesPartitionsRebalancesOnLeaveAndResumesFromCommits() throws Exception {
    long started = System.nanoTime();
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
      }
      produce(broker, 50, "first");

      List<KafkaConsumer<String, String>> members = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        KafkaConsumer<String, String> c = broker.consumer(member("g1"));
        c.subscribe(List.of(TOPIC));
        members.add(c);
      }
      Map<String, Long> consumed = new HashMap<>();
      Runnable pollAll = () -> members.forEach(c -> {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
          consumed.merge(r.value(), 1L, Long::sum);
        }
      });
      await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1)).until(() -> {
        pollAll.run();
        return assigned(members).size() == PARTITIONS
            && members.stream().allMatch(c -> c.assignment().size() == 2);
      });

      // one member leaves (LeaveGroup on close): the two others split its partitions
      members.remove(2).close();
      await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1)).until(() -> {
        pollAll.run();
        return assigned(members).size() == PARTITIONS
            && members.stream().allMatch(c -> c.assignment().size() == 3);
      });
      await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1)).until(() -> {
        pollAll.run();
        return consumed.size() == 50 * PARTITIONS;
      });
      for (KafkaConsumer<String, String> c : members) {
        c.commitSync();
        c.close();
      }
      assertThat(consumed.keySet()).hasSize(50 * PARTITIONS);

      // a new member of the group resumes after the commits: it sees only the records produced since
      produce(broker, 5, "second");
      assertThat(drain(broker, "g1", 5 * PARTITIONS)).allMatch(v -> v.startsWith("second-"));
    }

    // after a broker restart the committed offsets are still there
    try (TestBroker broker = TestBroker.start(dir)) {
      try (KafkaConsumer<String, String> c = broker.consumer(member("g1"))) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
          partitions.add(new TopicPartition(TOPIC, p));
        }
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(partitions);
        assertThat(committed.values()).allSatisfy(o -> assertThat(o.offset()).isEqualTo(55));
      }
      produce(broker, 2, "third");
      assertThat(drain(broker, "g1", 2 * PARTITIONS)).allMatch(v -> v.startsWith("third-"));

      // the Admin client's group calls: list, describe, offsets, delete offsets, delete the group
      try (Admin admin = broker.admin()) {
        assertThat(admin.listGroups().all().get()).extracting(g -> g.groupId()).contains("g1");
        assertThat(admin.describeConsumerGroups(List.of("g1")).all().get().get("g1").groupState())
            .isEqualTo(org.apache.kafka.common.GroupState.EMPTY);
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets("g1").partitionsToOffsetAndMetadata().get();
        assertThat(offsets).hasSize(PARTITIONS).allSatisfy((tp, o) -> assertThat(o.offset()).isEqualTo(57));
        admin.deleteConsumerGroupOffsets("g1", Set.of(new TopicPartition(TOPIC, 0))).all().get();
        assertThat(admin.listConsumerGroupOffsets("g1").partitionsToOffsetAndMetadata().get())
            .hasSize(PARTITIONS - 1).doesNotContainKey(new TopicPartition(TOPIC, 0));
        admin.deleteConsumerGroups(List.of("g1")).all().get();
        assertThat(admin.listGroups().all().get()).extracting(g -> g.groupId()).doesNotContain("g1");
      }
    }
    System.out.printf("consumer group test took %d ms%n", (System.nanoTime() - started) / 1_000_000);
  }

  /** Joins {@code group}, reads {@code expected} records, commits and leaves. */
  private static List<String> drain(TestBroker broker, String group, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = broker.consumer(member(group))) {
      c.subscribe(List.of(TOPIC));
      await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1)).until(() -> {
        c.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
        return values.size() >= expected;
      });
      // nothing beyond what was expected arrives
      c.poll(Duration.ofMillis(300)).forEach(r -> values.add(r.value()));
      c.commitSync();
    }
    assertThat(values).hasSize(expected);
    return values;
  }
}
