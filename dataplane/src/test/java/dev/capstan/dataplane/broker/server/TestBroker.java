package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.server.EventLoops;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** An in-process broker on an ephemeral port, with kafka-clients pointed at it. */
final class TestBroker implements AutoCloseable {

  static {
    // kafka-clients logs every config at INFO; the tests' output should show the broker's lines.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
  }

  final EventLoops loops;
  final BrokerServer server;
  /** The broker's meters. */
  final SimpleMeterRegistry registry;

  private TestBroker(EventLoops loops, BrokerServer server, SimpleMeterRegistry registry) {
    this.loops = loops;
    this.server = server;
    this.registry = registry;
  }

  static TestBroker start(Path dataDir) throws Exception {
    return start(BrokerServer.Options.local(dataDir)
        .withGroupConfig(dev.capstan.dataplane.broker.group.GroupConfig.DEFAULTS.withInitialRebalanceDelayMs(0)));
  }

  static TestBroker start(BrokerServer.Options options) throws Exception {
    return start(options, EventLoops.start("test-broker", 2));
  }

  /** On the given event loops (epoll or NIO), which the broker closes with itself. */
  static TestBroker start(BrokerServer.Options options, EventLoops loops) throws Exception {
    try {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      return new TestBroker(loops, BrokerServer.start(options, loops, registry), registry);
    } catch (Exception e) {
      loops.close();
      throw e;
    }
  }

  String bootstrap() {
    return server.bootstrapServers();
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return Admin.create(p);
  }

  KafkaProducer<String, String> producer(Map<String, Object> overrides) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putAll(overrides);
    return new KafkaProducer<>(p);
  }

  KafkaConsumer<String, String> consumer(Map<String, Object> overrides) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.putAll(overrides);
    return new KafkaConsumer<>(p);
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      loops.close();
    }
  }
}
