package dev.capstan.bench.tsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives an InfluxDB 1.x HTTP API — influxd or Capstan's TSDB, the same way — and prints one
 * result line per measurement ({@code key=value} pairs) for bench/tsdb.sh to tabulate.
 *
 * <pre>
 *   ingest URL DB LAYOUT POINTS CONNECTIONS   writes POINTS points in batches of 5,000
 *   query  URL DB RUNS                        times the typical queries on layout "regular"
 * </pre>
 *
 * <p>Layouts: {@code regular} — 100 series, one float field every 10 s, as a sensor historian
 * sees them (the value moves by 0.1 now and then, with one decimal); {@code quality} — the same
 * with an integer quality field {@code q} (192 = good, now and then another code); {@code
 * many} — 10,000 series, one float field. Points arrive in time order, all series of one
 * instant together, as from a fleet of sensors.
 */
public final class TsdbBench {

  static final int BATCH = 5_000;
  /** 2026-01-01T00:00:00Z, in seconds: the first point of every layout. */
  static final long START_SECONDS = 1_767_225_600L;
  static final int INTERVAL_SECONDS = 10;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private TsdbBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: TsdbBench ingest URL DB LAYOUT POINTS CONNECTIONS | query URL DB RUNS");
      System.exit(2);
    }
    switch (args[0]) {
      case "ingest" -> ingest(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      case "query" -> query(args[1], args[2], Integer.parseInt(args[3]));
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
  }

  static int seriesOf(String layout) {
    return switch (layout) {
      case "regular", "quality" -> 100;
      case "many" -> 10_000;
      default -> throw new IllegalArgumentException("unknown layout " + layout + " (regular, quality, many)");
    };
  }

  /** The batches of a layout as line protocol with second precision, generated before timing. */
  static List<byte[]> batches(String layout, int points) {
    int series = seriesOf(layout);
    SplittableRandom random = new SplittableRandom(42);
    int[] tenths = new int[series];
    Arrays.fill(tenths, 215);
    List<byte[]> batches = new ArrayList<>();
    StringBuilder sb = new StringBuilder(BATCH * 48);
    int inBatch = 0;
    for (int i = 0; i < points; i++) {
      int s = i % series;
      long t = START_SECONDS + (long) (i / series) * INTERVAL_SECONDS;
      if (random.nextInt(10) < 3) {
        tenths[s] += random.nextBoolean() ? 1 : -1;
      }
      sb.append(layout.equals("many") ? "sensors" : "plant")
          .append(",host=h").append(String.format(Locale.ROOT, "%05d", s))
          .append(" value=").append(tenths[s] / 10).append('.').append(Math.abs(tenths[s] % 10));
      if (layout.equals("quality")) {
        sb.append(",q=").append(random.nextInt(1000) == 0 ? 64 : 192).append('i');
      }
      sb.append(' ').append(t).append('\n');
      if (++inBatch == BATCH) {
        batches.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.setLength(0);
        inBatch = 0;
      }
    }
    if (inBatch > 0) {
      batches.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return batches;
  }

  static void ingest(String url, String db, String layout, int points, int connections) throws Exception {
    post(url + "/query", "q=" + enc("CREATE DATABASE " + db));
    URI base = URI.create(url);
    List<byte[]> requests = writeRequests(base, "/write?db=" + enc(db) + "&precision=s", batches(layout, points));
    AtomicInteger next = new AtomicInteger();
    AtomicReference<String> failure = new AtomicReference<>();
    List<Socket> sockets = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Socket socket = new Socket(base.getHost(), base.getPort());
      socket.setTcpNoDelay(true);
      sockets.add(socket);
    }
    // The client shares the machine with the server: its own CPU during the timed part tells how
    // much of the cores it took from the peer being measured.
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (Socket socket : sockets) {
      Thread t = new Thread(() -> {
        try (socket) {
          OutputStream out = socket.getOutputStream();
          InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
          int i;
          while (failure.get() == null && (i = next.getAndIncrement()) < requests.size()) {
            out.write(requests.get(i));
            out.flush();
            String problem = readResponse(in);
            if (problem != null) {
              failure.compareAndSet(null, problem);
            }
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e.toString());
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double clientCpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("ingest failed: " + failure.get());
    }
    System.out.printf(Locale.ROOT,
        "ingest layout=%s points=%d connections=%d seconds=%.2f points_per_s=%.0f client_cpu_s=%.2f client_cpu_us_per_point=%.3f%n",
        layout, points, connections, seconds, points / seconds, clientCpuSeconds, clientCpuSeconds * 1e6 / points);
  }

  /**
   * Whole HTTP/1.1 write requests, head and body, encoded before the clock starts: the timed
   * loop only copies bytes to a socket and reads a status line, so the client takes as little of
   * the cores it shares with the server as it can (java.net.http spent about 1 µs per point).
   */
  static List<byte[]> writeRequests(URI base, String pathAndQuery, List<byte[]> bodies) {
    List<byte[]> requests = new ArrayList<>(bodies.size());
    for (byte[] body : bodies) {
      byte[] head = ("POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
          + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      byte[] request = Arrays.copyOf(head, head.length + body.length);
      System.arraycopy(body, 0, request, head.length, body.length);
      requests.add(request);
    }
    return requests;
  }

  /**
   * Reads one response; returns null for 204, else what went wrong. Both servers answer writes
   * with a Content-Length (204s have no body), so chunked bodies are refused rather than parsed.
   */
  static String readResponse(InputStream in) throws IOException {
    String status = readLine(in);
    if (status == null) {
      return "connection closed before a response";
    }
    long length = 0;
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      String name = colon < 0 ? line : line.substring(0, colon).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(line.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        return "unexpected chunked response: " + status;
      }
    }
    byte[] body = in.readNBytes((int) length);
    return status.startsWith("HTTP/1.1 204") ? null : status + ": " + new String(body, StandardCharsets.UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        int n = line.length();
        return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }

  private static long processCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** The typical queries, on layout {@code regular} (measurement {@code plant}). */
  static void query(String url, String db, int runs) throws Exception {
    JsonNode count = get(url, db, "SELECT count(value) FROM plant");
    long points = count.at("/results/0/series/0/values/0/1").asLong();
    String range = "time >= '2026-01-01T00:00:00Z' AND time < '2026-01-03T00:00:00Z'";
    String[][] queries = {
      {"group_by_time_1h_all_series", "SELECT mean(value) FROM plant WHERE " + range + " GROUP BY time(1h)"},
      {"group_by_time_10m_per_series", "SELECT max(value) FROM plant WHERE " + range + " GROUP BY time(10m), host"},
      {"last_value_per_series", "SELECT last(value) FROM plant GROUP BY *"},
      {"one_series_raw_1h", "SELECT value FROM plant WHERE host = 'h00042' AND time >= '2026-01-01T12:00:00Z' AND time < '2026-01-01T13:00:00Z'"},
    };
    for (String[] q : queries) {
      // Unmeasured, for both peers alike: at least 10 runs and 3 s, so that a freshly started
      // JVM has compiled the query path (cheap queries need hundreds of runs for that).
      long warmUntil = System.nanoTime() + 3_000_000_000L;
      for (int i = 0; i < 10 || (i < 2_000 && System.nanoTime() < warmUntil); i++) {
        get(url, db, q[1]);
      }
      long[] nanos = new long[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        JsonNode r = get(url, db, q[1]);
        nanos[i] = System.nanoTime() - t0;
        if (r.at("/results/0/error").isTextual()) {
          throw new IllegalStateException(q[0] + ": " + r.at("/results/0/error").asText());
        }
      }
      Arrays.sort(nanos);
      System.out.printf(Locale.ROOT, "query name=%s points=%d runs=%d p50_ms=%.2f p99_ms=%.2f%n",
          q[0], points, runs, nanos[runs / 2] / 1e6, nanos[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)] / 1e6);
    }
  }

  private static JsonNode get(String url, String db, String q) throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(url + "/query?db=" + enc(db) + "&q=" + enc(q))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("query " + q + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return new ObjectMapper().readTree(r.body());
  }

  private static void post(String url, String form) throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
