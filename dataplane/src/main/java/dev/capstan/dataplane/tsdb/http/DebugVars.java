package dev.capstan.dataplane.tsdb.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.dataplane.tsdb.influxql.Durations;
import dev.capstan.dataplane.tsdb.influxql.Monitor;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
    doc.put("memstats", memstats(memory));
    for (Monitor.Statistic stat : statistics(store, registry, memory)) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", stat.name());
      s.put("tags", stat.tags());
      s.put("values", stat.values());
      String tag = stat.name().equals("database") ? ":" + stat.tags().get("database") : "";
      doc.put(stat.name() + tag, s);
    }
    try {
      return JSON.writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialise", e);
    }
  }

  /**
   * The statistics of the document and of SHOW STATS: {@code runtime}, one {@code database} per
   * database, {@code httpd}.
   */
  static List<Monitor.Statistic> statistics(TsdbStore store, MeterRegistry registry, Memory memory) {
    List<Monitor.Statistic> out = new ArrayList<>();
    Map<String, Object> runtime = new LinkedHashMap<>(memstats(memory));
    runtime.remove("HeapInuse");
    runtime.put("HeapInUse", memory.heapUsed()); // influxd's runtime statistic spells it so
    runtime.put("NumGoroutine", memory.threads());
    out.add(new Monitor.Statistic("runtime", Map.of(), runtime));
    for (String database : store.databases()) {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("numMeasurements", store.measurements(database).size());
      values.put("numSeries", store.seriesCount(database));
      out.add(new Monitor.Statistic("database", Map.of("database", database), values));
    }
    out.add(new Monitor.Statistic("httpd", Map.of(), httpd(registry)));
    return out;
  }

  /**
   * SHOW DIAGNOSTICS: influxd's {@code build}, {@code network}, {@code runtime} and
   * {@code system} sections, with the JVM's facts under Go's names (GOOS and GOARCH as Go names
   * them, GOMAXPROCS the processors the JVM may use, version the Java runtime's).
   */
  static List<Monitor.Diagnostic> diagnostics(Instant started, Instant now, String version) {
    Map<String, Object> build = new LinkedHashMap<>();
    build.put("Branch", "");
    build.put("Build Time", "");
    build.put("Commit", "");
    build.put("Version", version);
    Map<String, Object> network = new LinkedHashMap<>();
    String hostname;
    try {
      hostname = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      hostname = "";
    }
    network.put("hostname", hostname);
    Map<String, Object> runtime = new LinkedHashMap<>();
    String arch = System.getProperty("os.arch", "");
    runtime.put("GOARCH", switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    });
    runtime.put("GOMAXPROCS", Runtime.getRuntime().availableProcessors());
    runtime.put("GOOS", System.getProperty("os.name", "").toLowerCase(Locale.ROOT));
    runtime.put("version", "java" + Runtime.version());
    Map<String, Object> system = new LinkedHashMap<>();
    system.put("PID", ProcessHandle.current().pid());
    system.put("currentTime", now.toString());
    system.put("started", started.toString());
    system.put("uptime", Durations.formatGo(Duration.between(started, now).toNanos()));
    return List.of(new Monitor.Diagnostic("build", build), new Monitor.Diagnostic("network", network),
        new Monitor.Diagnostic("runtime", runtime), new Monitor.Diagnostic("system", system));
  }

  /** The JVM's memory under the names of Go's runtime.MemStats. */
  private static Map<String, Object> memstats(Memory memory) {
    Map<String, Object> memstats = new LinkedHashMap<>();
    memstats.put("Alloc", memory.heapUsed());
    memstats.put("Sys", memory.totalCommitted());
    memstats.put("HeapAlloc", memory.heapUsed());
    memstats.put("HeapSys", memory.heapCommitted());
    memstats.put("HeapInuse", memory.heapUsed());
    memstats.put("NumGC", memory.collections());
    memstats.put("PauseTotalNs", memory.pauseNanos());
    return memstats;
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
