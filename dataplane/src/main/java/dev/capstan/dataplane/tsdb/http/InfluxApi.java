package dev.capstan.dataplane.tsdb.http;

import dev.capstan.dataplane.tsdb.influxql.Monitor;
import dev.capstan.dataplane.tsdb.lineprotocol.LineProtocolParser;
import dev.capstan.dataplane.tsdb.lineprotocol.ParseResult;
import dev.capstan.dataplane.tsdb.lineprotocol.PartialWrite;
import dev.capstan.dataplane.tsdb.lineprotocol.Precision;
import dev.capstan.dataplane.tsdb.lineprotocol.SeriesKeyCache;
import dev.capstan.dataplane.tsdb.store.StoreException;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import dev.capstan.dataplane.tsdb.store.WriteOutcome;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The InfluxDB 1.x HTTP API as a function of a request: routing, credentials, {@code /write}
 * and {@code /query} with influxd 1.6.7's statuses, bodies and headers, checked in influxd's
 * order (route, credentials, database, body size, body, points). Blocking: the server calls it
 * on a worker thread.
 */
public final class InfluxApi {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxApi.class);
  private static final Set<String> CONSISTENCY = Set.of("any", "one", "quorum", "all");
  private static final String JSON_TYPE = "application/json";

  private final TsdbStore store;
  private final QueryHandler queries;
  private final Clock clock;
  private final HttpOptions options;
  private final PrometheusMeterRegistry registry;
  private final HttpMetrics metrics;
  /** Series keys of earlier writes, so a batch over many series skips re-parsing known keys. */
  private final SeriesKeyCache seriesKeys = new SeriesKeyCache(SeriesKeyCache.DEFAULT_MAX_ENTRIES);
  /** When the API was made, for /debug/vars's uptime. */
  private final Instant started;
  /** SHOW STATS, SHOW DIAGNOSTICS and SHOW USERS: the statistics of /debug/vars, the node's facts, its users. */
  private final Monitor monitor = new Monitor() {
    @Override
    public List<Statistic> statistics() {
      return DebugVars.statistics(store, registry, DebugVars.Memory.now());
    }

    @Override
    public List<Diagnostic> diagnostics() {
      return DebugVars.diagnostics(started, clock.instant(), options.version());
    }

    @Override
    public List<String> users() {
      Authenticator auth = authenticator;
      return auth == null ? List.of() : List.copyOf(auth.users().names());
    }
  };
  /** {@code null} while authentication is off; swapped when the configuration changes. */
  private volatile Authenticator authenticator;

  public InfluxApi(
      TsdbStore store,
      QueryHandler queries,
      Clock clock,
      HttpOptions options,
      PrometheusMeterRegistry registry) {
    this.store = store;
    this.queries = queries;
    this.clock = clock;
    this.options = options;
    this.registry = registry;
    this.metrics = new HttpMetrics(registry);
    this.started = clock.instant();
  }

  /** Turns authentication on with {@code users}, or off with {@code null}. */
  public void authenticateWith(Users users) {
    this.authenticator = users == null ? null : new Authenticator(users);
  }

  public boolean authEnabled() {
    return authenticator != null;
  }

  public HttpOptions options() {
    return options;
  }

  public ApiResponse handle(ApiRequest request) {
    long start = System.nanoTime();
    String endpoint = endpoint(request.path());
    ApiResponse response;
    try {
      response = route(endpoint, request);
    } catch (RuntimeException e) {
      // A bug or a store failure: the client gets influxd's 500 shape, the log gets the trace.
      LOG.error("Internal error serving {} {}", request.method(), request.path(), e);
      response = error(500, e.toString());
    }
    metrics.request(endpoint, response.status(), System.nanoTime() - start);
    return response;
  }

  private static String endpoint(String path) {
    return switch (path) {
      case "/write", "/query", "/ping", "/health", "/metrics" -> path.substring(1);
      // influxd serves every path under /debug/vars with its expvar document.
      default -> path.startsWith("/debug/vars") ? "debug/vars" : "other";
    };
  }

  private ApiResponse route(String endpoint, ApiRequest request) {
    String method = request.method();
    return switch (endpoint) {
      case "write" -> switch (method) {
        case "POST" -> authenticated(request).orElseGet(() -> write(request));
        case "OPTIONS" -> empty(204);
        default -> methodNotAllowed("OPTIONS, POST");
      };
      case "query" -> switch (method) {
        case "GET", "POST" -> authenticated(request).orElseGet(() -> query(request));
        case "OPTIONS" -> empty(204);
        default -> methodNotAllowed("OPTIONS, GET, POST");
      };
      case "ping" -> switch (method) {
        case "GET", "HEAD" -> ping(request);
        default -> methodNotAllowed("GET, HEAD");
      };
      case "health" -> method.equals("GET")
          ? json(200, "{\"name\":\"influxdb\",\"message\":\"ready for queries and writes\","
              + "\"status\":\"pass\",\"checks\":[],\"version\":" + Json.string(options.version()) + "}")
          : methodNotAllowed("GET");
      case "metrics" -> method.equals("GET") ? prometheus() : methodNotAllowed("GET");
      // influxd asks no credentials here; Capstan does when authentication is on, as its
      // database names are the users' business (Telegraf's influxdb input can send them).
      case "debug/vars" -> authenticated(request).orElseGet(() -> debugVars());
      default -> plain(404, "404 page not found\n");
    };
  }

  private Optional<ApiResponse> authenticated(ApiRequest request) {
    Authenticator auth = authenticator;
    if (auth == null) {
      return Optional.empty();
    }
    return auth.check(request.param("u"), request.param("p"), request.header("authorization"))
        .map(message -> {
          Map<String, String> headers = routedHeaders();
          headers.put("Www-Authenticate", "Basic realm=\"InfluxDB\"");
          // influxd sends no X-Influxdb-Error for credential failures.
          return new ApiResponse(401, headers, Json.error(message).getBytes(StandardCharsets.UTF_8));
        });
  }

  private ApiResponse write(ApiRequest request) {
    String database = request.param("db");
    if (database == null || database.isEmpty()) {
      return error(400, "database is required");
    }
    if (!store.databases().contains(database)) {
      return databaseNotFound(database);
    }
    if (request.bodyTooLarge()) {
      return tooLarge();
    }
    byte[] body = request.body();
    if ("gzip".equals(request.header("content-encoding"))) {
      // Go reads the 10-byte header in full before looking at it; Java looks at the magic first.
      if (body.length < 10) {
        return error(400, body.length == 0 ? "EOF" : "unexpected EOF");
      }
      try {
        body = gunzip(body, options.maxBodySize());
      } catch (BodyTooLarge e) {
        return tooLarge();
      } catch (IOException e) {
        return error(400, gzipError(e));
      }
    }
    ParseResult parsed =
        LineProtocolParser.parse(body, Precision.fromParameter(request.param("precision")), clock.instant(), seriesKeys);
    metrics.pointsRejected(parsed.errors().size());
    if (parsed.points().isEmpty() && !parsed.errors().isEmpty()) {
      return error(400, parsed.errorMessage().orElseThrow());
    }
    String consistency = request.param("consistency");
    if (consistency != null && !consistency.isEmpty() && !CONSISTENCY.contains(consistency)) {
      return error(400, "invalid consistency level");
    }
    if (!parsed.points().isEmpty()) {
      String rp = request.param("rp");
      WriteOutcome outcome;
      try {
        outcome = store.write(database, rp == null || rp.isEmpty() ? null : rp, parsed.points());
      } catch (StoreException e) {
        return e.getMessage().startsWith("database not found")
            ? databaseNotFound(database) // dropped since the check above
            : error(500, e.getMessage()); // influxd answers 500 for an unknown policy, too
      }
      metrics.pointsWritten(outcome.written());
      metrics.pointsRejected(outcome.dropped());
      if (outcome.dropped() > 0) {
        return error(400, PartialWrite.message(outcome.error().orElse("points dropped"), outcome.dropped()));
      }
    }
    return parsed.errorMessage().map(message -> error(400, message)).orElseGet(() -> empty(204));
  }

  private ApiResponse query(ApiRequest request) {
    String q = request.formValue("q");
    if (q == null || q.isEmpty()) {
      return error(400, "missing required parameter \"q\"");
    }
    QueryRequest query =
        new QueryRequest(
            q,
            emptyToNull(request.formValue("db")),
            emptyToNull(request.formValue("rp")),
            emptyToNull(request.formValue("epoch")),
            "true".equals(request.formValue("pretty")),
            "true".equals(request.formValue("chunked")),
            chunkSize(request.formValue("chunk_size")),
            request.method().equals("GET"),
            monitor);
    QueryResponse answer = queries.execute(query);
    Map<String, String> headers = routedHeaders();
    answer.error().ifPresent(e -> headers.put("X-Influxdb-Error", oneLine(e)));
    byte[] body = answer.json();
    String accept = request.header("accept-encoding");
    if (accept != null && accept.toLowerCase(Locale.ROOT).contains("gzip")) {
      headers.put("Content-Encoding", "gzip");
      body = gzip(body);
    }
    return new ApiResponse(answer.status(), headers, body);
  }

  private static int chunkSize(String text) {
    try {
      return text == null ? 0 : Math.max(0, Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return 0; // influxd ignores a chunk_size it cannot read
    }
  }

  private ApiResponse ping(ApiRequest request) {
    String verbose = request.param("verbose");
    // influxd 1.7+ answers a verbose ping with its version; 1.6.7 ignores the parameter.
    if (verbose != null && !verbose.isEmpty() && !verbose.equals("0") && !verbose.equals("false")) {
      return json(200, "{\"version\":" + Json.string(options.version()) + "}");
    }
    return empty(204);
  }

  private ApiResponse debugVars() {
    // Served before influxd's router: no request id, its own content type.
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json; charset=utf-8");
    headers.put("X-Influxdb-Build", "OSS");
    headers.put("X-Influxdb-Version", options.version());
    return new ApiResponse(200, headers,
        DebugVars.render(started, clock.instant(), store, registry, DebugVars.Memory.now()));
  }

  private ApiResponse prometheus() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return new ApiResponse(200, headers, registry.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private ApiResponse databaseNotFound(String database) {
    return error(404, "database not found: " + Json.goQuote(database));
  }

  private ApiResponse tooLarge() {
    return error(413, "Request Entity Too Large");
  }

  /** The headers influxd sets on every request its router matched. */
  private Map<String, String> routedHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    String id = UUID.randomUUID().toString();
    headers.put("Content-Type", JSON_TYPE);
    headers.put("Request-Id", id);
    headers.put("X-Influxdb-Build", "OSS");
    headers.put("X-Influxdb-Version", options.version());
    headers.put("X-Request-Id", id);
    return headers;
  }

  private ApiResponse error(int status, String message) {
    Map<String, String> headers = routedHeaders();
    headers.put("X-Influxdb-Error", oneLine(message));
    return new ApiResponse(status, headers, Json.error(message).getBytes(StandardCharsets.UTF_8));
  }

  private ApiResponse empty(int status) {
    return new ApiResponse(status, routedHeaders(), new byte[0]);
  }

  private ApiResponse json(int status, String body) {
    return new ApiResponse(status, routedHeaders(), body.getBytes(StandardCharsets.UTF_8));
  }

  /** Go's http.Error for router-level failures: text, no request id. */
  private ApiResponse plain(int status, String text) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "text/plain; charset=utf-8");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Influxdb-Build", "OSS");
    headers.put("X-Influxdb-Version", options.version());
    return new ApiResponse(status, headers, text.getBytes(StandardCharsets.UTF_8));
  }

  private ApiResponse methodNotAllowed(String allow) {
    ApiResponse r = plain(405, "Method Not Allowed\n");
    Map<String, String> headers = new LinkedHashMap<>(r.headers());
    headers.put("Allow", allow);
    return new ApiResponse(405, headers, r.body());
  }

  /** Header values cannot hold line breaks; Go's header writer turns them into spaces. */
  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static final class BodyTooLarge extends IOException {
    BodyTooLarge() {
      super("body too large");
    }
  }

  /**
   * Inflates at most {@code max} bytes. influxd does not limit the inflated size, which lets a
   * few KB of gzip take gigabytes of memory; here the limit holds after inflating too.
   */
  static byte[] gunzip(byte[] gzipped, int max) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, gzipped.length * 4 + 64));
      byte[] buffer = new byte[16 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        if (out.size() + n > max) {
          throw new BodyTooLarge();
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }
  }

  /** The texts of Go's compress/gzip for the same failures. */
  private static String gzipError(IOException e) {
    if (e instanceof EOFException) {
      return "unexpected EOF";
    }
    String message = String.valueOf(e.getMessage());
    if (e instanceof ZipException && message.contains("GZIP format")) {
      return "gzip: invalid header";
    }
    if (message.contains("trailer") || message.contains("checksum")) {
      return "gzip: invalid checksum";
    }
    return "flate: corrupt input";
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory gzip cannot fail", e);
    }
    return out.toByteArray();
  }
}
