package dev.capstan.bench.broker;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Drives a Kafka-protocol broker — Apache Kafka or Capstan's, the same client and settings —
 * and prints one result line per measurement ({@code key=value} pairs) for bench/broker.sh.
 *
 * <pre>
 *   throughput BOOTSTRAP TOPIC RECORD_BYTES COUNT       produce COUNT records, then consume them
 *   produce    BOOTSTRAP TOPIC RECORD_BYTES COUNT       only the produce half (bench/broker.sh measures
 *   consume    BOOTSTRAP TOPIC RECORD_BYTES COUNT       the broker's CPU around each half separately)
 *   latency    BOOTSTRAP TOPIC RECORD_BYTES RATE SECONDS [WARMUP_SECONDS]
 *                                                     end-to-end latency at a fixed rate, after an
 *                                                     unmeasured warm-up at the same rate (default 0)
 * </pre>
 *
 * <p>Producer settings are the client's defaults (acks=all, idempotence on) with linger.ms=5
 * and batch.size=64 KiB, as a throughput-minded application sets them; the topic has 3
 * partitions.
 */
public final class BrokerBench {

  private BrokerBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: BrokerBench throughput BOOTSTRAP TOPIC RECORD_BYTES COUNT | latency BOOTSTRAP TOPIC RECORD_BYTES RATE SECONDS [WARMUP_SECONDS]");
      System.exit(2);
    }
    String bootstrap = args[1];
    String topic = args[2];
    int size = Integer.parseInt(args[3]);
    createTopic(bootstrap, topic);
    switch (args[0]) {
      case "throughput" -> {
        String produced = produce(bootstrap, topic, size, Integer.parseInt(args[4]));
        String consumed = consume(bootstrap, topic, Integer.parseInt(args[4]));
        System.out.printf(Locale.ROOT, "throughput record_bytes=%d count=%s %s %s%n", size, args[4], produced, consumed);
      }
      case "produce" -> System.out.printf(Locale.ROOT, "produce record_bytes=%d count=%s %s%n", size, args[4],
          produce(bootstrap, topic, size, Integer.parseInt(args[4])));
      case "consume" -> System.out.printf(Locale.ROOT, "consume record_bytes=%d count=%s %s%n", size, args[4],
          consume(bootstrap, topic, Integer.parseInt(args[4])));
      case "latency" -> latency(bootstrap, topic, size, Integer.parseInt(args[4]), Integer.parseInt(args[5]),
          args.length > 6 ? Integer.parseInt(args[6]) : 0);
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
  }

  static void createTopic(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(topicConfigs()))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /**
   * Configs for the topics the bench creates, from the environment's TOPIC_CONFIG
   * ({@code name=value,name=value}); none by default. E.g. {@code preallocate=false} to compare a
   * Capstan broker with and without preallocated segments in one run.
   */
  static Map<String, String> topicConfigs() {
    String spec = System.getenv().getOrDefault("TOPIC_CONFIG", "");
    Map<String, String> configs = new java.util.LinkedHashMap<>();
    for (String pair : spec.split(",")) {
      if (!pair.isBlank()) {
        String[] kv = pair.split("=", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException("TOPIC_CONFIG must be name=value[,name=value], got " + spec);
        }
        configs.put(kv[0].trim(), kv[1].trim());
      }
    }
    return configs;
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static List<TopicPartition> partitions(String topic) {
    return List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
  }

  /** Produces {@code count} records of {@code size} random bytes; returns the key=value result. */
  static String produce(String bootstrap, String topic, int size, int count) {
    byte[] value = new byte[size];
    new SplittableRandom(7).nextBytes(value);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      }
      producer.flush();
    }
    double produceSeconds = (System.nanoTime() - start) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("produce failed", failure.get());
    }
    return String.format(Locale.ROOT, "produce_msgs_per_s=%.0f produce_mb_per_s=%.1f", count / produceSeconds,
        count * (double) size / produceSeconds / 1e6);
  }

  /** Consumes the topic's first {@code count} records from the beginning; returns the key=value result. */
  static String consume(String bootstrap, String topic, int count) {
    long consumed = 0;
    long start = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      consumer.assign(partitions(topic));
      consumer.seekToBeginning(partitions(topic));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (consumed < count && System.nanoTime() < deadline) {
        consumed += consumer.poll(Duration.ofMillis(500)).count();
      }
    }
    double consumeSeconds = (System.nanoTime() - start) / 1e9;
    if (consumed < count) {
      throw new IllegalStateException("consumed " + consumed + " of " + count + " records");
    }
    return String.format(Locale.ROOT, "consume_msgs_per_s=%.0f", consumed / consumeSeconds);
  }

  /**
   * Sends at a fixed rate; each record carries its send time and whether it is measured; the
   * consumer measures arrival. The first {@code warmupSeconds} of records are sent and consumed
   * like the rest but not measured: the JIT, the connections and the brokers' first segment
   * files settle there instead of in the tail.
   */
  static void latency(String bootstrap, String topic, int size, int rate, int seconds, int warmupSeconds)
      throws Exception {
    int measuredCount = rate * seconds;
    int warmupCount = rate * warmupSeconds;
    int total = warmupCount + measuredCount;
    long[] latencies = new long[measuredCount];
    AtomicLong received = new AtomicLong();
    AtomicLong measured = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      consumer.assign(partitions(topic));
      consumer.seekToEnd(partitions(topic));
      partitions(topic).forEach(consumer::position); // resolve the end now, before sending
      Thread reader = new Thread(() -> {
        try {
          long deadline = System.nanoTime() + Duration.ofSeconds(seconds + 30L).toNanos();
          while (received.get() < total && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
              long sent = java.nio.ByteBuffer.wrap(r.value()).getLong();
              received.incrementAndGet();
              if (r.value()[Long.BYTES] == 1) {
                int i = (int) measured.getAndIncrement();
                if (i < measuredCount) {
                  latencies[i] = System.nanoTime() - sent;
                }
              }
            }
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        }
      });
      reader.start();
      try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int i = 0; i < total; i++) {
          while (System.nanoTime() < next) {
            Thread.onSpinWait();
          }
          byte[] value = new byte[Math.max(size, Long.BYTES + 1)];
          java.nio.ByteBuffer.wrap(value).putLong(System.nanoTime()).put((byte) (i >= warmupCount ? 1 : 0));
          producer.send(new ProducerRecord<>(topic, value));
          next += interval;
        }
        producer.flush();
      }
      reader.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    int n = (int) Math.min(measured.get(), measuredCount);
    if (received.get() < total || n < measuredCount) {
      throw new IllegalStateException("received " + received.get() + " of " + total + " records");
    }
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "latency record_bytes=%d rate=%d count=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
        size, rate, n, sorted[n / 2] / 1e6, sorted[(int) Math.ceil(n * 0.99) - 1] / 1e6, sorted[n - 1] / 1e6);
  }
}
