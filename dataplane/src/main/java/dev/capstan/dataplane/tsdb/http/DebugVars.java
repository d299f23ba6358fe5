package dev.capstan.dataplane.tsdb.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /debug/vars}, influxd's expvar document, which Telegraf's {@code influxdb} input and
 * other InfluxDB 1.x monitors poll: {@code system} (start, now, uptime), {@code memstats} and
 * {@code runtime} (the JVM's heap and collections under the names of Go's runtime.MemStats that
 * mean the same: allocated and reserved heap, collections and their total pause), and one
 * statistic per database ({@code numMeasurements}, {@code numSeries}) and for the HTTP API
 * (requests by endpoint, errors, points written and dropped), each as {@code {name, tags, values}}.
 * Go's allocator counters (Mallocs, Frees, ...) have no JVM counterpart and are left out.
 */
final class DebugVars {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DebugVars() {}

  /** The JVM's memory as influxd reports Go's. */
  record Memory(long heapUsed, long heapCommitted, long totalCommitted, long collections, long pauseNanos, int threads) {
    static Memory now() {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long collections = 0;
      long pauseMillis = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        collections += Math.max(0, gc.getCollectionCount());
        pauseMillis += Math.max(0, gc.getCollectionTime());
      }
      long heapCommitted = memory.getHeapMemoryUsage().getCommitted();
      return new Memory(memory.getHeapMemoryUsage().getUsed(), heapCommitted,
          heapCommitted + memory.getNonHeapMemoryUsage().getCommitted(), collections,
          Duration.ofMillis(pauseMillis).toNanos(), Thread.activeCount());
    }
  }

  /** The document for {@code store} and the API's meters in {@code registry}. */
  static byte[] render(Instant started, Instant now, TsdbStore store, MeterRegistry registry, Memory memory) {
    Map<String, Object> doc = new LinkedHashMap<>();
    Map<String, Object> system = new LinkedHashMap<>();
    system.put("currentTime", now.toString());
    system.put("started", started.toString());
    system.put("uptime", Duration.between(started, now).toSeconds());
    doc.put("system", system);
    Map<String, Object> memstats = new LinkedHashMap<>();
    memstats.put("Alloc", memory.heapUsed());
    memstats.put("Sys", memory.totalCommitted());
    memstats.put("HeapAlloc", memory.heapUsed());
    memstats.put("HeapSys", memory.heapCommitted());
    memstats.put("HeapInuse", memory.heapUsed());
    memstats.put("NumGC", memory.collections());
    memstats.put("PauseTotalNs", memory.pauseNanos());
    doc.put("memstats", memstats);
    Map<String, Object> runtime = new LinkedHashMap<>(memstats);
    runtime.remove("HeapInuse");
    runtime.put("HeapInUse", memory.heapUsed()); // influxd's runtime statistic spells it so
    runtime.put("NumGoroutine", memory.threads());
    doc.put("runtime", statistic("runtime", Map.of(), runtime));
    for (String database : store.databases()) {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("numMeasurements", store.measurements(database).size());
      values.put("numSeries", store.series(database, null).size());
      doc.put("database:" + database, statistic("database", Map.of("database", database), values));
    }
    doc.put("httpd", statistic("httpd", Map.of(), httpd(registry)));
    try {
      return JSON.writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialise", e);
    }
  }

  private static Map<String, Object> statistic(String name, Map<String, String> tags, Map<String, Object> values) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", name);
    s.put("tags", tags);
    s.put("values", values);
    return s;
  }

  /** influxd's httpd counters from the API's meters (see {@link HttpMetrics}). */
  private static Map<String, Object> httpd(MeterRegistry registry) {
    long req = 0;
    long queryReq = 0;
    long writeReq = 0;
    long pingReq = 0;
    long clientError = 0;
    long serverError = 0;
    long authFail = 0;
    for (Timer timer : registry.find(HttpMetrics.REQUESTS).timers()) {
      long count = timer.count();
      String endpoint = timer.getId().getTag("endpoint");
      int status = Integer.parseInt(timer.getId().getTag("status"));
      req += count;
      queryReq += "query".equals(endpoint) ? count : 0;
      writeReq += "write".equals(endpoint) ? count : 0;
      pingReq += "ping".equals(endpoint) ? count : 0;
      clientError += status / 100 == 4 ? count : 0;
      serverError += status / 100 == 5 ? count : 0;
      authFail += status == 401 ? count : 0;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("authFail", authFail);
    values.put("clientError", clientError);
    values.put("pingReq", pingReq);
    values.put("pointsWrittenDropped", count(registry, HttpMetrics.POINTS_REJECTED));
    values.put("pointsWrittenOK", count(registry, HttpMetrics.POINTS_WRITTEN));
    values.put("queryReq", queryReq);
    values.put("req", req);
    values.put("serverError", serverError);
    values.put("writeReq", writeReq);
    return values;
  }

  private static long count(MeterRegistry registry, String name) {
    Counter counter = registry.find(name).counter();
    return counter == null ? 0 : (long) counter.count();
  }
}
