package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.server.EventLoops;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
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

/** Fetch sends records as file regions: both transports must carry them (sendfile on epoll, transferTo on NIO). */
class FetchTransportTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "nio"})
  void kilobyteRecordsAcrossSegmentsArriveOnceAndInOrder(String transport) throws Exception {
    EventLoops loops = transport.equals("nio") ? EventLoops.startNio("test-broker", 2) : EventLoops.start("test-broker", 2);
    if (!loops.transport().equals(transport)) {
      loops.close();
      org.junit.jupiter.api.Assumptions.abort(transport + " is not available here");
    }
    try (TestBroker broker = TestBroker.start(BrokerServer.Options.local(dir), loops)) {
      String topic = "kib";
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("segment.bytes", "65536"))))
            .all().get();
      }
      int count = 2_000;
      String padding = "x".repeat(1_000);
      try (KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          acks.add(producer.send(new ProducerRecord<>(topic, i % 2, null, i + ":" + padding)));
        }
        for (Future<RecordMetadata> ack : acks) {
          ack.get();
        }
      }
      List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of())) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<List<Integer>> received = List.of(new ArrayList<>(), new ArrayList<>());
        long deadline = System.currentTimeMillis() + 30_000;
        while (received.get(0).size() + received.get(1).size() < count && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            assertThat(r.value()).endsWith(padding);
            assertThat(r.offset()).isEqualTo(received.get(r.partition()).size());
            received.get(r.partition()).add(Integer.parseInt(r.value().substring(0, r.value().indexOf(':'))));
          }
        }
        for (int p = 0; p < 2; p++) {
          int partition = p;
          assertThat(received.get(p)).containsExactlyElementsOf(
              IntStream.range(0, count).filter(i -> i % 2 == partition).boxed().toList());
        }
      }
    }
  }
}
