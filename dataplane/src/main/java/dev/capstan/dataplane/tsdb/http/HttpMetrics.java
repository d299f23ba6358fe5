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
  static final String REQUESTS = "capstan.tsdb.http.requests";
  static final String POINTS_WRITTEN = "capstan.tsdb.points.written";
  static final String POINTS_REJECTED = "capstan.tsdb.points.rejected";

  private final MeterRegistry registry;
  private final Counter pointsWritten;
  private final Counter pointsRejected;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.pointsWritten =
        Counter.builder(POINTS_WRITTEN)
            .description("Points stored through /write")
            .register(registry);
    this.pointsRejected =
        Counter.builder(POINTS_REJECTED)
            .description("Points of /write that did not parse or that the store refused")
            .register(registry);
  }

  void request(String endpoint, int status, long nanos) {
    Timer.builder(REQUESTS)
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
