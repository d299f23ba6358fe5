package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an acks=all answer waits for: an fdatasync of the partition's log by default, the page
 * cache alone when the broker is told so (a MessageBroker's {@code durability: PageCache}).
 * Either way every acknowledged record is read back, also after a restart.
 */
class AcksAllDurabilityTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "syncOnAcksAll={0}")
  @ValueSource(booleans = {true, false})
  void acksAllWaitsForASyncOnlyWhenTheBrokerSyncsOnAcksAll(boolean syncOnAcksAll) throws Exception {
    BrokerServer.Options options = BrokerServer.Options.local(dir).withSyncOnAcksAll(syncOnAcksAll);
    int count = 2_000;
    List<Long> offsets = new ArrayList<>();
    try (TestBroker broker = TestBroker.start(options)) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get();
      }
      try (KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 2))) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          acks.add(producer.send(new ProducerRecord<>("orders", 0, "k" + i, "v" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
          offsets.add(ack.get().offset());
        }
      }
      long syncs = broker.registry.get("capstan.broker.fsync").timer().count();
      long durableRequests = broker.registry.get("capstan.broker.produce.durable.wait").timer().count();
      if (syncOnAcksAll) {
        assertThat(syncs).isPositive();
        assertThat(durableRequests).isPositive();
      } else {
        assertThat(syncs).as("acks=all syncs from the page cache").isZero();
        assertThat(durableRequests).isZero();
      }
    }
    assertThat(offsets).hasSize(count).doesNotHaveDuplicates().isSorted();
    assertThat(offsets.get(count - 1)).isEqualTo(count - 1);

    try (TestBroker restarted = TestBroker.start(options);
        KafkaConsumer<String, String> consumer = restarted.consumer(Map.of())) {
      TopicPartition tp = new TopicPartition("orders", 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<String> values = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 20_000;
      while (values.size() < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
      assertThat(values).hasSize(count);
      assertThat(values.get(0)).isEqualTo("v0");
      assertThat(values.get(count - 1)).isEqualTo("v" + (count - 1));
    }
  }
}
