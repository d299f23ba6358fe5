package dev.capstan.controllers.topic;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Admin client per bootstrap servers string, made on first use and kept: a client holds
 * connections and a metadata cache that every topic of the cluster shares.
 */
public final class KafkaAdmins implements Function<String, KafkaTopics>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaAdmins.class);
  private final Map<String, AdminKafkaTopics> clients = new ConcurrentHashMap<>();

  @Override
  public KafkaTopics apply(String bootstrapServers) {
    return client(bootstrapServers);
  }

  /** What the cluster at these servers says of itself, asked through the client its topics use. */
  public KafkaCluster describeCluster(String bootstrapServers) {
    return client(bootstrapServers).describeCluster();
  }

  private AdminKafkaTopics client(String bootstrapServers) {
    return clients.computeIfAbsent(bootstrapServers, servers -> {
      log.info("connecting an Admin client to Kafka at {}", servers);
      return AdminKafkaTopics.connect(servers);
    });
  }

  @Override
  public void close() {
    clients.values().forEach(AdminKafkaTopics::close);
    clients.clear();
  }
}
