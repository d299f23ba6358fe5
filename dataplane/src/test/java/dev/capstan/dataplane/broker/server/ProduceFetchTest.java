package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Produce and Fetch with the official producer and consumer, no consumer group. */
class ProduceFetchTest {

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void idempotentProducerRecordsAreReadBackInOrderWithTheirOffsets() throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("events", 3, (short) 1))).all().get();
    }
    int count = 10_000;
    long baseTime = 1_700_000_000_000L;
    Map<Integer, List<String>> sentByPartition = new HashMap<>();
    Map<Integer, List<Long>> offsetsByPartition = new HashMap<>();
    long started = System.nanoTime();
    try (KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        // Timestamps rise with i, so offsetsForTimes has one right answer per partition.
        acks.add(producer.send(new ProducerRecord<>("events", i % 3, baseTime + i, "k" + i, "value-" + i)));
      }
      for (int i = 0; i < count; i++) {
        RecordMetadata md = acks.get(i).get();
        sentByPartition.computeIfAbsent(md.partition(), p -> new ArrayList<>()).add("value-" + i);
        offsetsByPartition.computeIfAbsent(md.partition(), p -> new ArrayList<>()).add(md.offset());
      }
    }
    long produceMillis = (System.nanoTime() - started) / 1_000_000;
    // every acks=all request waited for syncs, and each of its partitions was released by one
    long durableRequests = broker.registry.get("capstan.broker.produce.durable.wait").timer().count();
    assertThat(durableRequests).isPositive();
    assertThat(broker.registry.get("capstan.broker.fsync").timer().count()).isPositive();
    assertThat(broker.registry.get("capstan.broker.fsync.waiters").summary().totalAmount())
        .isGreaterThanOrEqualTo(durableRequests);
    for (int p = 0; p < 3; p++) {
      List<Long> offsets = offsetsByPartition.get(p);
      assertThat(offsets).hasSize(count / 3 + (p < count % 3 ? 1 : 0));
      for (int i = 0; i < offsets.size(); i++) {
        assertThat(offsets.get(i)).isEqualTo(i); // dense, in send order, no duplicates
      }
    }

    List<TopicPartition> partitions = List.of(new TopicPartition("events", 0), new TopicPartition("events", 1),
        new TopicPartition("events", 2));
    try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of())) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<Integer, List<ConsumerRecord<String, String>>> received = new HashMap<>();
      int total = 0;
      long deadline = System.currentTimeMillis() + 30_000;
      while (total < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          received.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
          total++;
        }
      }
      assertThat(total).isEqualTo(count);
      for (int p = 0; p < 3; p++) {
        List<ConsumerRecord<String, String>> records = received.get(p);
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyElementsOf(sentByPartition.get(p));
        assertThat(records).extracting(ConsumerRecord::offset).containsExactlyElementsOf(offsetsByPartition.get(p));
      }

      Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        assertThat(earliest.get(tp)).isZero();
        assertThat(latest.get(tp)).isEqualTo(offsetsByPartition.get(tp.partition()).size());
      }
      // record i went to partition i % 3 at offset i / 3 with timestamp baseTime + i
      int target = 7_000;
      Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(
          Map.of(partitions.get(0), baseTime + target, partitions.get(1), baseTime + target,
              partitions.get(2), baseTime + count + 1));
      // 7000 % 3 == 1: partition 1 has record 7000 itself; partition 0's next is 7002
      assertThat(byTime.get(partitions.get(1)).offset()).isEqualTo(7_000 / 3);
      assertThat(byTime.get(partitions.get(1)).timestamp()).isEqualTo(baseTime + 7_000);
      assertThat(byTime.get(partitions.get(0)).offset()).isEqualTo(7_002 / 3);
      assertThat(byTime.get(partitions.get(0)).timestamp()).isEqualTo(baseTime + 7_002);
      assertThat(byTime.get(partitions.get(2))).isNull();
    }
    System.out.printf("produced %d records (idempotent, acks=all) in %d ms%n", count, produceMillis);
  }

  @ParameterizedTest(name = "max.partition.fetch.bytes={0}")
  @ValueSource(ints = {1, 5_000, 1 << 20})
  void aConsumerReadsEveryRecordOnceInOrderAcrossManySegmentsFromTheFiles(int maxPartitionFetchBytes) throws Exception {
    String topic = "rolled-" + maxPartitionFetchBytes;
    TopicPartition tp = new TopicPartition(topic, 0);
    try (Admin admin = broker.admin()) {
      // ~2 KiB segments of ~600-byte batches: fetches start mid-segment, end at segment ends and span rolls
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("segment.bytes", "2048"))))
          .all().get();
    }
    int count = 3_000;
    try (KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 600))) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        acks.add(producer.send(new ProducerRecord<>(topic, 0, null, "record-" + i)));
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
      assertThat(files.filter(f -> f.toString().contains(topic) && f.toString().endsWith(".log")).count())
          .as("the log rolled many times").isGreaterThan(20);
    }
    try (KafkaConsumer<String, String> consumer = broker.consumer(
        Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxPartitionFetchBytes))) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      List<ConsumerRecord<String, String>> received = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (received.size() < count && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
      }
      assertThat(received).extracting(ConsumerRecord::offset)
          .containsExactlyElementsOf(java.util.stream.LongStream.range(0, count).boxed().toList());
      assertThat(received).extracting(ConsumerRecord::value)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(i -> "record-" + i).toList());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
  void compressedBatchesAreStoredAsSentAndReadBack(String codec) throws Exception {
    String topic = "compressed-" + codec;
    TopicPartition tp = new TopicPartition(topic, 0);
    long baseTime = 1_600_000_000_000L;
    try (KafkaProducer<String, String> producer = broker.producer(Map.of(
        ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 20))) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        acks.add(producer.send(new ProducerRecord<>(topic, 0, baseTime + i, null, "compressible value " + i)));
      }
      for (int i = 0; i < acks.size(); i++) {
        assertThat(acks.get(i).get().offset()).isEqualTo(i);
      }
    }
    try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      List<String> values = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 20_000;
      while (values.size() < 1_000 && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
      }
      assertThat(values).hasSize(1_000).startsWith("compressible value 0").endsWith("compressible value 999");
      // the time lookup decodes the compressed batch to find the exact record
      OffsetAndTimestamp at = consumer.offsetsForTimes(Map.of(tp, baseTime + 537)).get(tp);
      assertThat(at.offset()).isEqualTo(537);
      assertThat(at.timestamp()).isEqualTo(baseTime + 537);
    }
  }
}
