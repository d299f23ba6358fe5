package dev.capstan.operator;

import dev.capstan.controllers.common.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's Prometheus registry: JOSDK's reconciliation metrics are added to it by the
 * caller; here are the JVM's and Capstan's own (leadership, events recorded).
 */
final class OperatorMetrics implements AutoCloseable {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger leader = new AtomicInteger();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  OperatorMetrics(String version) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("capstan.operator.info", () -> 1)
        .description("Capstan operator build information")
        .tag("version", version)
        .register(registry);
    Gauge.builder("capstan.operator.leader", leader, AtomicInteger::get)
        .description("1 while this replica holds the leader Lease and reconciles")
        .register(registry);
  }

  void leading(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  /** Counts the events it passes on, by type and reason. */
  EventRecorder metered(EventRecorder delegate) {
    return new EventRecorder() {
      @Override
      public void normal(HasMetadata about, String reason, String message) {
        count("Normal", reason, about);
        delegate.normal(about, reason, message);
      }

      @Override
      public void warning(HasMetadata about, String reason, String message) {
        count("Warning", reason, about);
        delegate.warning(about, reason, message);
      }
    };
  }

  private void count(String type, String reason, HasMetadata about) {
    Counter.builder("capstan.events")
        .description("Kubernetes Events recorded by the operator")
        .tag("type", type)
        .tag("reason", reason)
        .tag("kind", about.getKind())
        .register(registry)
        .increment();
  }

  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
