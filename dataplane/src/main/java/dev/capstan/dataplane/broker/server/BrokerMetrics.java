package dev.capstan.dataplane.broker.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/** The broker's Micrometer meters; rates come from Prometheus' rate() over these counters. */
final class BrokerMetrics {

  private final MeterRegistry registry;
  private final Counter producedRecords;
  private final Counter producedBytes;
  private final Counter fetchedBytes;
  private final Map<ApiKeys, Counter> requests = new EnumMap<>(ApiKeys.class);

  BrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.producedRecords = Counter.builder("capstan.broker.produce.records").description("records appended").register(registry);
    this.producedBytes = Counter.builder("capstan.broker.produce.bytes").baseUnit("bytes").description("batch bytes appended").register(registry);
    this.fetchedBytes = Counter.builder("capstan.broker.fetch.bytes").baseUnit("bytes").description("batch bytes returned by Fetch").register(registry);
  }

  void request(ApiKeys key) {
    Counter counter;
    synchronized (requests) {
      counter = requests.computeIfAbsent(key, k -> Counter.builder("capstan.broker.requests")
          .tag("api", k.name).description("requests received").register(registry));
    }
    counter.increment();
  }

  void produced(int records, int bytes) {
    producedRecords.increment(records);
    producedBytes.increment(bytes);
  }

  void fetched(long bytes) {
    fetchedBytes.increment(bytes);
  }
}
