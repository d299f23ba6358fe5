package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetch long polling, kcat interoperability and retention on a controllable clock. */
class LongPollKcatRetentionTest {

  @TempDir
  static Path dir;
  static TestBroker broker;
  /** Starts at the record timestamps the retention test writes. */
  static final ManualClock CLOCK = new ManualClock(1_000_000_000L);

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(BrokerServer.Options.local(dir).withClock(CLOCK));
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aWaitingFetchReturnsAsSoonAsARecordArrives() throws Exception {
    TopicPartition tp = new TopicPartition("waiting", 0);
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(tp.topic(), 1, (short) 1))).all().get();
    }
    // The broker may hold the fetch 30 s; only the append's wake-up can make the poll return sooner.
    KafkaConsumer<String, String> consumer = broker.consumer(Map.of(
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 30_000, ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000));
    try (KafkaProducer<String, String> producer = broker.producer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      CompletableFuture<ConsumerRecords<String, String>> polled =
          CompletableFuture.supplyAsync(() -> consumer.poll(Duration.ofSeconds(25)));
      await().atMost(10, TimeUnit.SECONDS).until(() -> broker.server.waitingFetches(tp) == 1);
      long sent = System.nanoTime();
      producer.send(new ProducerRecord<>(tp.topic(), "hello")).get();
      ConsumerRecords<String, String> records = polled.get(20, TimeUnit.SECONDS);
      long waitedMs = (System.nanoTime() - sent) / 1_000_000;
      assertThat(records.records(tp)).extracting(ConsumerRecord::value).containsExactly("hello");
      assertThat(waitedMs).isLessThan(3_000);
      System.out.printf("long poll answered %d ms after the append%n", waitedMs);
    } finally {
      // the consumer's next fetch is parked again: do not wait for it
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofMillis(200)));
    }
  }

  @Test
  void kcatProducesAndConsumesTheSameLines() throws Exception {
    Path kcat = Path.of("/usr/bin/kcat");
    Assumptions.assumeTrue(Files.isExecutable(kcat), "kcat is not installed at /usr/bin/kcat; skipping the kcat test");
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("kcat-lines", 2, (short) 1))).all().get();
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add("line " + i + " " + "x".repeat(i % 17));
    }
    Path input = dir.resolve("kcat-input.txt");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Process produce = new ProcessBuilder(kcat.toString(), "-b", broker.bootstrap(), "-t", "kcat-lines", "-P",
        "-p", "1", "-l", input.toString()).redirectErrorStream(true).start();
    assertThat(produce.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String produceOut = new String(produce.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(produce.exitValue()).as(produceOut).isZero();

    Process consume = new ProcessBuilder(kcat.toString(), "-b", broker.bootstrap(), "-t", "kcat-lines", "-C",
        "-p", "1", "-o", "beginning", "-e", "-q", "-f", "%o %s\\n").start();
    assertThat(consume.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> out = new String(consume.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      expected.add(i + " " + lines.get(i));
    }
    assertThat(out).containsExactlyElementsOf(expected);

    // and what kcat wrote, the Java consumer reads the same
    TopicPartition tp = new TopicPartition("kcat-lines", 1);
    try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      List<String> values = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 20_000;
      while (values.size() < lines.size() && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
      }
      assertThat(values).containsExactlyElementsOf(lines);
    }
  }

  @Test
  void retentionDeletesOldSegmentsAndMovesTheEarliestOffset() throws Exception {
    TopicPartition tp = new TopicPartition("short-lived", 0);
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(tp.topic(), 1, (short) 1)
          .configs(Map.of("segment.bytes", "1024", "retention.ms", "60000")))).all().get();
    }
    long old = CLOCK.millis();
    try (KafkaProducer<String, String> producer = broker.producer(Map.of())) {
      for (int i = 0; i < 40; i++) { // ~150-byte batches: several 1 KiB segments
        producer.send(new ProducerRecord<>(tp.topic(), 0, old + i, null, "old-" + i + "-" + "p".repeat(60))).get();
      }
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(tp.topic(), 0, old + 100_000 + i, null, "new-" + i)).get();
      }
    }
    try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of())) {
      assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isZero();
      assertThat(broker.server.runRetention()).isZero(); // nothing is older than 60 s yet

      CLOCK.set(old + 100_000 + 30_000); // the "old" records are 130 s old, the "new" ones 30 s
      assertThat(broker.server.runRetention()).isPositive();
      long earliest = consumer.beginningOffsets(List.of(tp)).get(tp);
      assertThat(earliest).isPositive().isLessThanOrEqualTo(40);
      assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isEqualTo(45);

      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<Long> offsets = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 20_000;
      while (offsets.size() < 45 - earliest && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> offsets.add(r.offset()));
      }
      assertThat(offsets).first().isEqualTo(earliest);
      assertThat(offsets).last().isEqualTo(44L);

      // retention.bytes applies live, too: a tiny limit leaves only the active segment
      try (Admin admin = broker.admin()) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, tp.topic());
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "-1"),
            AlterConfigOp.OpType.SET), new AlterConfigOp(new ConfigEntry("retention.bytes", "1"),
            AlterConfigOp.OpType.SET)))).all().get();
      }
      broker.server.runRetention();
      assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isGreaterThan(earliest);
    }
  }
}
