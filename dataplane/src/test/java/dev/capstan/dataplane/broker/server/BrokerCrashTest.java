package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.dataplane.broker.BrokerMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker process in the middle of an acks=all stream: after a restart on the same
 * data directory, every acknowledged record is there, at the offset it was acknowledged with.
 */
class BrokerCrashTest {

  static {
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
  }

  private static final Pattern LISTENING = Pattern.compile("capstan-broker listening kafka=(\\d+)");

  @TempDir
  Path dir;

  /** A BrokerMain child JVM and the port it reported. */
  private record Child(Process process, int port) {}

  private Child startBroker(Path config, Path data) throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
        "--config", config.toString(), "--data", data.toString())
        .redirectErrorStream(true)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
        port.completeExceptionally(new IllegalStateException("broker exited before listening"));
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
    }, "child-broker-output");
    reader.setDaemon(true);
    reader.start();
    return new Child(process, port.get(60, TimeUnit.SECONDS));
  }

  /** With preallocate, the kill leaves zeros past the last batch of each active segment, for recovery to cut. */
  @ParameterizedTest(name = "preallocate={0}")
  @ValueSource(booleans = {false, true})
  void everyAcknowledgedRecordSurvivesKillNine(boolean preallocate) throws Exception {
    Path config = dir.resolve("broker.yaml");
    Files.writeString(config, """
        kafkaPort: 0
        adminPort: 0
        brokers: 1
        statefulSetName: crash
        advertisedListener: "{pod}:9092"
        defaultPartitions: 1
        defaultRetentionTime: Infinite
        """);
    Path data = dir.resolve("data");
    TopicPartition tp0 = new TopicPartition("crash", 0);
    TopicPartition tp1 = new TopicPartition("crash", 1);
    Map<TopicPartition, ConcurrentSkipListMap<Long, String>> acked =
        Map.of(tp0, new ConcurrentSkipListMap<>(), tp1, new ConcurrentSkipListMap<>());

    Child first = startBroker(config, data);
    String bootstrap = "127.0.0.1:" + first.port();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic("crash", 2, (short) 1)
          .configs(Map.of(TopicConfigs.PREALLOCATE, Boolean.toString(preallocate))))).all().get(30, TimeUnit.SECONDS);
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    AtomicBoolean sending = new AtomicBoolean(true);
    KafkaProducer<String, String> producer = new KafkaProducer<>(p);
    Thread sender = new Thread(() -> {
      for (int i = 0; sending.get(); i++) {
        String value = "record-" + i;
        try {
          producer.send(new ProducerRecord<>("crash", i % 2, null, value), (md, error) -> {
            if (error == null) {
              acked.get(new TopicPartition(md.topic(), md.partition())).put(md.offset(), value);
            }
          });
        } catch (RuntimeException e) {
          return;
        }
      }
    }, "crash-sender");
    sender.start();
    await().atMost(60, TimeUnit.SECONDS).until(() -> acked.get(tp0).size() + acked.get(tp1).size() >= 3_000);
    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    sending.set(false);
    sender.join(10_000);
    producer.close(Duration.ZERO);
    int ackedBeforeKill = acked.get(tp0).size() + acked.get(tp1).size();

    Child second = startBroker(config, data);
    try {
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + second.port());
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
        for (TopicPartition tp : List.of(tp0, tp1)) {
          long lastAcked = acked.get(tp).lastKey();
          consumer.assign(List.of(tp));
          consumer.seek(tp, 0);
          Map<Long, String> read = new java.util.HashMap<>();
          List<Long> order = new ArrayList<>();
          long deadline = System.currentTimeMillis() + 30_000;
          while (!read.containsKey(lastAcked) && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
              read.put(r.offset(), r.value());
              order.add(r.offset());
            }
          }
          for (Map.Entry<Long, String> e : acked.get(tp).entrySet()) {
            assertThat(read.get(e.getKey())).as("%s offset %d", tp, e.getKey()).isEqualTo(e.getValue());
          }
          for (int i = 0; i < order.size(); i++) {
            assertThat(order.get(i)).isEqualTo((long) i); // dense and in order
          }
        }
      }
    } finally {
      second.process().destroy();
      second.process().waitFor(30, TimeUnit.SECONDS);
    }
    System.out.printf("crash test (preallocate=%s): %d records acknowledged before kill -9, all read back after restart%n",
        preallocate, ackedBeforeKill);
  }
}
