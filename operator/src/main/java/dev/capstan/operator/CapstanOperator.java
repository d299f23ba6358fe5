package dev.capstan.operator;

import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.common.KubernetesEventRecorder;
import dev.capstan.controllers.broker.MessageBrokerReconciler;
import dev.capstan.controllers.lb.LoadBalancerReconciler;
import dev.capstan.controllers.topic.KafkaAdmins;
import dev.capstan.controllers.topic.MessageTopicReconciler;
import dev.capstan.controllers.tsdb.TsdbClusterReconciler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Capstan operator: one JOSDK controller per custom resource kind, leader election on a
 * Lease, and /healthz, /readyz and /metrics on one port.
 */
public final class CapstanOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CapstanOperator.class);
  static final String VERSION =
      CapstanOperator.class.getPackage().getImplementationVersion() == null
          ? "dev"
          : CapstanOperator.class.getPackage().getImplementationVersion();

  private final Operator operator;
  private final OperatorMetrics metrics;
  private final HealthServer health;
  /** Reconcilers holding clients of their own (the topic controller's Kafka Admin clients). */
  private final List<AutoCloseable> resources;
  private final CountDownLatch stopped = new CountDownLatch(1);
  /** Set when a shutdown begins, so that giving up the Lease then does not exit the JVM. */
  private static final AtomicBoolean shuttingDown = new AtomicBoolean();

  private CapstanOperator(
      Operator operator, OperatorMetrics metrics, HealthServer health, List<AutoCloseable> resources) {
    this.operator = operator;
    this.metrics = metrics;
    this.health = health;
    this.resources = resources;
  }

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println("capstan-operator " + VERSION + ": reconciles TsdbCluster, LoadBalancer, MessageBroker and MessageTopic.");
      System.out.println("Configured by environment variables:");
      OperatorConfig.VARIABLES.forEach((k, v) -> System.out.printf("  %-26s %s%n", k, v));
      return;
    }
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      exit(64, e.getMessage());
      return;
    }
    Config kube = Config.autoConfigure(null);
    var problem = Preflight.check(kube, config);
    if (problem.isPresent()) {
      exit(2, problem.get());
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(kube).build();
    CapstanOperator running;
    try {
      running = start(client, config, Clock.systemUTC());
    } catch (RuntimeException e) {
      exit(1, "could not start: " + rootMessage(e));
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "shutdown"));
    running.awaitStop();
  }

  /** Starts the controllers and the health server; returns once informers are started. */
  public static CapstanOperator start(KubernetesClient client, OperatorConfig config, Clock clock) {
    return start(client, config, clock, o -> {});
  }

  /**
   * As {@link #start(KubernetesClient, OperatorConfig, Clock)}, with JOSDK settings adjusted
   * last: tests against Fabric8's mock server turn server-side apply off, which it lacks.
   */
  static CapstanOperator start(
      KubernetesClient client, OperatorConfig config, Clock clock, Consumer<ConfigurationServiceOverrider> tuning) {
    OperatorMetrics metrics = new OperatorMetrics(VERSION);
    EventRecorder events = metrics.metered(new KubernetesEventRecorder(client, config.identity(), clock));
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry))
                  .withCloseClientOnStop(true)
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(20));
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(config.leaseName())
                        .withLeaseNamespace(config.leaseNamespace())
                        .withIdentity(config.identity())
                        // JOSDK would call System.exit inside our shutdown hook, which
                        // deadlocks the JVM; the callback above exits when it should.
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(new LeaderCallbacks(
                            () -> {
                              log.info("{} is the leader; reconciling", config.identity());
                              metrics.leading(true);
                            },
                            () -> {
                              metrics.leading(false);
                              if (!shuttingDown.get()) {
                                // Another replica may already reconcile: exit, and let the
                                // Deployment start a fresh process that rejoins the election.
                                // Not from this thread, which JOSDK's elector still holds.
                                log.error("{} lost the lease; exiting", config.identity());
                                new Thread(() -> System.exit(1), "exit-on-lost-lease").start();
                              }
                            },
                            newLeader -> log.info("the leader is {}", newLeader)))
                        .build());
              }
              tuning.accept(o);
            });
    if (!config.leaderElection()) {
      metrics.leading(true);
    }
    List<Reconciler<?>> reconcilers = reconcilers(config.controllerSettings(), events, clock);
    for (Reconciler<?> reconciler : reconcilers) {
      register(operator, reconciler, config);
    }
    HealthServer health;
    try {
      health = new HealthServer(
          config.httpPort(),
          () -> liveness(operator),
          () -> operator.getRuntimeInfo().isStarted()
              ? new HealthServer.Check(true, "started")
              : new HealthServer.Check(false, "starting"),
          metrics::scrape);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + config.httpPort() + " (CAPSTAN_HTTP_PORT)", e);
    }
    operator.start();
    log.info("capstan-operator {} started; watching {}; health and metrics on port {}",
        VERSION, config.watchesAllNamespaces() ? "all namespaces" : "namespaces " + config.watchNamespaces(),
        health.port());
    return new CapstanOperator(operator, metrics, health, reconcilers.stream()
        .filter(AutoCloseable.class::isInstance).map(AutoCloseable.class::cast).toList());
  }

  static List<Reconciler<?>> reconcilers(ControllerSettings settings, EventRecorder events, Clock clock) {
    KafkaAdmins kafka = new KafkaAdmins();
    return List.of(
        new TsdbClusterReconciler(settings, events, clock),
        new LoadBalancerReconciler(settings, events, clock),
        // One Admin client per Kafka cluster for both controllers; the broker controller closes them.
        new MessageBrokerReconciler(settings, events, clock, kafka),
        new MessageTopicReconciler(events, clock, kafka, MessageTopicReconciler.SyncIntervals.DEFAULTS));
  }

  private static <P extends io.fabric8.kubernetes.api.model.HasMetadata> void register(
      Operator operator, Reconciler<P> reconciler, OperatorConfig config) {
    operator.register(reconciler, o -> {
      if (config.watchesAllNamespaces()) {
        o.watchingAllNamespaces();
      } else {
        o.settingNamespaces(config.watchNamespaces());
      }
    });
  }

  private static HealthServer.Check liveness(Operator operator) {
    var runtime = operator.getRuntimeInfo();
    if (!runtime.isStarted() || runtime.allEventSourcesAreHealthy()) {
      return new HealthServer.Check(true, "event sources healthy");
    }
    Map<String, ?> unhealthy = runtime.unhealthyEventSources();
    return new HealthServer.Check(false, "unhealthy event sources: " + unhealthy.keySet());
  }

  public int httpPort() {
    return health.port();
  }

  void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (stopped.getCount() == 0) {
      return;
    }
    shuttingDown.set(true);
    log.info("stopping");
    try {
      operator.stop();
    } finally {
      for (AutoCloseable resource : resources) {
        try {
          resource.close();
        } catch (Exception e) {
          log.warn("closing {}: {}", resource.getClass().getSimpleName(), e.toString());
        }
      }
      health.close();
      metrics.close();
      stopped.countDown();
    }
  }

  private static void exit(int code, String message) {
    System.err.println("capstan-operator: " + message);
    System.exit(code);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
