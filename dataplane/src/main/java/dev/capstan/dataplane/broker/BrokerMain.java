package dev.capstan.dataplane.broker;

import dev.capstan.api.config.BrokerConfig;
import dev.capstan.dataplane.broker.server.BrokerReadiness;
import dev.capstan.dataplane.broker.server.BrokerServer;
import dev.capstan.dataplane.server.AdminServer;
import dev.capstan.dataplane.server.BindAddress;
import dev.capstan.dataplane.server.CommandLine;
import dev.capstan.dataplane.server.ConfigFile;
import dev.capstan.dataplane.server.EventLoops;
import dev.capstan.dataplane.server.NettyDefaults;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code broker --config broker.yaml [--data DIR]}: one broker pod. Its id is the ordinal at the
 * end of {@code POD_NAME} ({@code <statefulSetName>-<i>}); without POD_NAME (run locally) it is
 * broker 0 of a one-broker cluster advertising {@code localhost:<port>}. SIGTERM closes cleanly:
 * the listener stops and every log is flushed. Its admin endpoint answers {@code /health} while
 * the process runs and {@code /readyz} once the broker serves ({@link BrokerReadiness}).
 */
public final class BrokerMain {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    NettyDefaults.apply(System.getProperties());
    CommandLine cli;
    BrokerConfig config;
    try {
      cli = CommandLine.parse(Arrays.asList(args), Set.of("config", "data"));
      config = ConfigFile.of(Path.of(cli.required("config")), BrokerConfig.class).load();
    } catch (CommandLine.UsageException | ConfigFile.InvalidConfigException e) {
      System.err.println("broker: " + e.getMessage());
      System.exit(2);
      return;
    }
    BrokerServer.Options options;
    try {
      options = options(config, cli.path("data").orElse(Path.of("data")), System.getenv("POD_NAME"));
    } catch (IllegalArgumentException e) {
      System.err.println("broker: " + e.getMessage());
      System.exit(2);
      return;
    }
    EventLoops loops = EventLoops.start("broker", 0);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The admin endpoint comes first: while a long log recovery runs, /health says the process
    // is alive (the liveness probe must not restart it mid-recovery) and /readyz that it is not
    // ready yet.
    AtomicReference<BrokerServer> serving = new AtomicReference<>();
    AdminServer admin = startAdmin(loops, BindAddress.host(), config.adminPort(), registry, serving::get);
    BrokerServer broker;
    try {
      broker = BrokerServer.start(options, loops, registry);
    } catch (IOException | RuntimeException e) {
      admin.close();
      loops.close(100);
      throw e;
    }
    serving.set(broker);
    // One machine-readable line, so a parent process (a test, a script) learns the ports.
    System.out.println("capstan-broker listening kafka=" + broker.port() + " admin=" + admin.port());
    System.out.flush();
    // The operator changes broker.yaml when the MessageBroker's topic defaults change; retention
    // applies live, anything else (ports, broker count) needs the pods restarted.
    ConfigFile<BrokerConfig> watched = ConfigFile.of(Path.of(cli.required("config")), BrokerConfig.class);
    watched.load();
    BrokerConfig started = config;
    watched.watch(5_000, next -> {
      try {
        broker.setDefaultRetention(BrokerConfig.retentionMillis(next.defaultRetentionTime()),
            next.defaultRetentionBytes() == null ? -1 : next.defaultRetentionBytes());
      } catch (java.io.IOException | IllegalArgumentException e) {
        LOG.error("Could not apply the new default retention: {}", e.toString());
      }
      if (next.kafkaPort() != started.kafkaPort() || next.adminPort() != started.adminPort()
          || next.brokers() != started.brokers() || !java.util.Objects.equals(next.advertisedListener(), started.advertisedListener())
          || next.defaultPartitions() != started.defaultPartitions()) {
        LOG.warn("broker.yaml changed ports, brokers, listener or default partitions; restart the pod to apply them");
      }
    });
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down");
      watched.close();
      admin.close();
      try {
        broker.close();
      } catch (Exception e) {
        LOG.error("Closing the broker failed: {}", e.toString());
      }
      loops.close(100);
      stopped.countDown();
    }, "broker-shutdown"));
    stopped.await();
  }

  /**
   * The admin endpoint of a broker pod: {@code /health} is liveness (the process serves HTTP),
   * {@code /readyz} is readiness as {@link BrokerReadiness} defines it, and says "recovering"
   * until {@code broker} has a server.
   */
  static AdminServer startAdmin(EventLoops loops, String host, int port, PrometheusMeterRegistry registry,
      Supplier<BrokerServer> broker) throws InterruptedException {
    return AdminServer.start(loops, host, port, registry, AdminServer.Health::ok,
        () -> broker.get() == null ? BrokerReadiness.recovering() : broker.get().readiness(),
        () -> broker.get() == null ? Map.of("state", "recovering partition logs") : broker.get().status());
  }

  /** Broker options from the rendered configuration and the pod name. */
  static BrokerServer.Options options(BrokerConfig config, Path data, String podName) {
    long retentionMs = BrokerConfig.retentionMillis(config.defaultRetentionTime());
    long retentionBytes = config.defaultRetentionBytes() == null ? -1 : config.defaultRetentionBytes();
    BrokerServer.Options local = BrokerServer.Options.local(data);
    int id = 0;
    List<String> listeners = List.of();
    String bindHost = "127.0.0.1";
    if (podName != null && !podName.isEmpty()) {
      String prefix = config.statefulSetName() + "-";
      if (!podName.startsWith(prefix)) {
        throw new IllegalArgumentException("POD_NAME '" + podName + "' is not " + prefix + "<ordinal>");
      }
      try {
        id = Integer.parseInt(podName.substring(prefix.length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("POD_NAME '" + podName + "' does not end in an ordinal");
      }
      if (id >= config.brokers()) {
        throw new IllegalArgumentException("POD_NAME '" + podName + "' is ordinal " + id + " but brokers is "
            + config.brokers());
      }
      listeners = config.peerListeners();
      bindHost = BindAddress.host();
    }
    return new BrokerServer.Options(data, bindHost, config.kafkaPort(), id, listeners,
        config.statefulSetName() == null ? "capstan-local" : config.statefulSetName(), retentionMs, retentionBytes,
        Math.max(1, config.defaultPartitions()), local.autoCreateTopics(), config.syncOnAcksAll(),
        local.maxRequestBytes(), local.retentionCheckMs(), local.flushIntervalMs(), local.requestThreads(),
        Clock.systemUTC(), local.groupConfig());
  }
}
