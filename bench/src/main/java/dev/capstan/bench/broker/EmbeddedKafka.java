package dev.capstan.bench.broker;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Apache Kafka for the benchmark: one KRaft node (broker and controller combined) in this JVM,
 * with Kafka's own defaults except what a one-node cluster needs (replication factor 1 for the
 * internal topics). Prints {@code bootstrap=host:port} once ready and runs until killed.
 */
public final class EmbeddedKafka {

  private EmbeddedKafka() {}

  public static void main(String[] args) throws Exception {
    KafkaClusterTestKit kafka =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    kafka.format();
    kafka.startup();
    kafka.waitForReadyBrokers();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        kafka.close();
      } catch (Exception e) {
        System.err.println("closing Kafka: " + e);
      }
    }));
    System.out.println("bootstrap=" + kafka.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
