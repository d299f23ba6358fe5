package dev.capstan.dataplane.tsdb.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The API's meters: {@code capstan_tsdb_http_requests_seconds{endpoint,status}} (count and
 * duration of writes, queries and the rest, errors by status) and points written and rejected.
 */
final class HttpMetrics {

  private final MeterRegistry registry;
  private final Counter pointsWritten;
  private final Counter pointsRejected;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.pointsWritten =
        Counter.builder("capstan.tsdb.points.written")
            .description("Points stored through /write")
            .register(registry);
    this.pointsRejected =
        Counter.builder("capstan.tsdb.points.rejected")
            .description("Points of /write that did not parse or that the store refused")
            .register(registry);
  }

  void request(String endpoint, int status, long nanos) {
    Timer.builder("capstan.tsdb.http.requests")
        .description("HTTP API requests by endpoint and status")
        .tag("endpoint", endpoint)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void pointsWritten(int n) {
    pointsWritten.increment(n);
  }

  void pointsRejected(int n) {
    pointsRejected.increment(n);
  }
}
