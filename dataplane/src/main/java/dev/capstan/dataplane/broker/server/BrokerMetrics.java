package dev.capstan.dataplane.broker.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;

/** The broker's Micrometer meters; rates come from Prometheus' rate() over these counters. */
final class BrokerMetrics {

  private final MeterRegistry registry;
  private final Counter producedRecords;
  private final Counter producedBytes;
  private final Counter fetchedBytes;
  private final Map<ApiKeys, Counter> requests = new EnumMap<>(ApiKeys.class);
  private final Timer fsyncs;
  private final DistributionSummary fsyncWaiters;
  private final Timer durableWait;

  BrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.producedRecords = Counter.builder("capstan.broker.produce.records").description("records appended").register(registry);
    this.producedBytes = Counter.builder("capstan.broker.produce.bytes").baseUnit("bytes").description("batch bytes appended").register(registry);
    this.fetchedBytes = Counter.builder("capstan.broker.fetch.bytes").baseUnit("bytes").description("batch bytes returned by Fetch").register(registry);
    this.fsyncs = Timer.builder("capstan.broker.fsync").description("partition log syncs for acks=all, and how long each took").register(registry);
    this.fsyncWaiters = DistributionSummary.builder("capstan.broker.fsync.waiters")
        .description("acks=all partition waiters released per sync").register(registry);
    this.durableWait = Timer.builder("capstan.broker.produce.durable.wait")
        .description("acks=all produce: from the request's appends done until all its partitions are synced").register(registry);
  }

  /** The {@link GroupCommit.SyncListener} that feeds the fsync meters. */
  GroupCommit.SyncListener syncListener() {
    return (nanos, released) -> {
      fsyncs.record(nanos, TimeUnit.NANOSECONDS);
      fsyncWaiters.record(released);
    };
  }

  void durableAfter(long nanos) {
    durableWait.record(nanos, TimeUnit.NANOSECONDS);
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
