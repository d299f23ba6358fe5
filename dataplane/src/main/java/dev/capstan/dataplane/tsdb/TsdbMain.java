package dev.capstan.dataplane.tsdb;

import dev.capstan.api.config.Ports;
import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.dataplane.server.BindAddress;
import dev.capstan.dataplane.server.CommandLine;
import dev.capstan.dataplane.server.ConfigFile;
import dev.capstan.dataplane.server.CommandLine.UsageException;
import dev.capstan.dataplane.server.ConfigFile.InvalidConfigException;
import dev.capstan.dataplane.server.NettyDefaults;
import dev.capstan.dataplane.tsdb.engine.EngineOptions;
import dev.capstan.dataplane.tsdb.engine.TsdbEngine;
import dev.capstan.dataplane.tsdb.http.HttpOptions;
import dev.capstan.dataplane.tsdb.http.InfluxQlQueries;
import dev.capstan.dataplane.tsdb.http.TsdbNode;
import dev.capstan.dataplane.tsdb.influxql.ContinuousQueries;
import dev.capstan.dataplane.tsdb.influxql.ContinuousQueryRunner;
import dev.capstan.dataplane.tsdb.influxql.QueryExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tsdb --config tsdb.yaml --data DIR [--http-bind host:port] [--admin-bind host:port]
 * [--users FILE]}: a TSDB node serving the InfluxDB 1.x HTTP API.
 *
 * <p>The API listens on the configuration's {@code httpPort} unless {@code --http-bind} says
 * otherwise; {@code /health}, {@code /metrics} and {@code /status} on the admin port. With
 * {@code authEnabled}, the users are {@code CAPSTAN_TSDB_ADMIN_USER}/{@code
 * CAPSTAN_TSDB_ADMIN_PASSWORD} (from the cluster's Secret) and the {@code user:password} lines
 * of {@code --users}. The configuration file is polled and re-applied live. SIGTERM stops the
 * servers, lets requests in flight finish and closes the engine.
 */
public final class TsdbMain {

  private static final Logger LOG = LoggerFactory.getLogger(TsdbMain.class);
  private static final long CONFIG_POLL_MILLIS = 2000;
  /** Continuous queries created through InfluxQL, beside the engine's files in the data directory. */
  static final String CONTINUOUS_QUERIES_FILE = "continuous_queries.json";

  private TsdbMain() {}

  public static void main(String[] args) {
    NettyDefaults.apply(System.getProperties());
    try {
      run(args);
    } catch (UsageException | InvalidConfigException | IllegalArgumentException e) {
      System.err.println("tsdb: " + e.getMessage());
      System.exit(2);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("tsdb: " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(String[] args) throws IOException, InterruptedException {
    CommandLine cl = CommandLine.parse(List.of(args), Set.of("config", "data", "http-bind", "admin-bind", "users"));
    Path config = Path.of(cl.required("config"));
    Path data = Path.of(cl.required("data"));
    HostPort http = cl.value("http-bind").map(v -> HostPort.parse("--http-bind", v)).orElse(null);
    HostPort admin = cl.value("admin-bind").map(v -> HostPort.parse("--admin-bind", v))
        .orElse(new HostPort(BindAddress.host(), Ports.ADMIN));
    TsdbNode.Settings settings = new TsdbNode.Settings(
        config,
        http == null ? BindAddress.host() : http.host(),
        http == null ? null : http.port(),
        admin.host(),
        admin.port(),
        cl.path("users").orElse(null),
        System.getenv(),
        HttpOptions.defaults(),
        CONFIG_POLL_MILLIS);

    // A configuration mistake is reported before the data directory is opened (or created).
    ConfigFile.of(config, TsdbNodeConfig.class).load();
    Clock clock = Clock.systemUTC();
    TsdbEngine engine = TsdbEngine.open(data, EngineOptions.defaults(), clock);
    TsdbNode node;
    ContinuousQueryRunner continuousQueries;
    try {
      ContinuousQueries queries = ContinuousQueries.open(data.resolve(CONTINUOUS_QUERIES_FILE));
      QueryExecutor executor = new QueryExecutor(engine, clock, queries);
      // Databases and policies first: the continuous queries the configuration declares need them.
      node = TsdbNode.start(settings, TsdbNode.Storage.of(engine, nodeConfig -> {
        engine.applyConfig(nodeConfig);
        queries.applyDeclared(nodeConfig).forEach(LOG::info);
      }, () -> close(engine)), store -> new InfluxQlQueries(executor), clock);
      continuousQueries = ContinuousQueryRunner.start(executor, queries, clock);
    } catch (RuntimeException | InterruptedException | IOException e) {
      close(engine);
      throw e;
    }
    LOG.info("TSDB node serving the InfluxDB API on {}:{} (admin on {}:{}, data in {}, authentication {})",
        settings.httpHost(), node.httpPort(), settings.adminHost(), node.adminPort(), data,
        node.authEnabled() ? "on" : "off");

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      continuousQueries.close();
      node.close();
      LOG.info("TSDB node stopped; data in {} closed", data);
      stopped.countDown();
    }, "tsdb-shutdown"));
    stopped.await(); // the event loops are daemon threads: main keeps the JVM up
  }

  private static void close(TsdbEngine engine) {
    try {
      // Everything is in the WAL already; writing it out as column files now makes the next
      // start quick (nothing to replay) and leaves the data in its compact form.
      engine.flushAndCompact();
      engine.close();
    } catch (IOException e) {
      LOG.error("Closing the storage engine failed: {}", e.toString());
    }
  }

  /** A {@code host:port} flag value. */
  record HostPort(String host, int port) {
    static HostPort parse(String flag, String value) {
      int colon = value.lastIndexOf(':');
      try {
        int port = Integer.parseInt(value.substring(colon + 1));
        if (colon < 0 || port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        String host = value.substring(0, colon);
        return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
      } catch (NumberFormatException e) {
        throw new UsageException(flag + " must be host:port (e.g. 0.0.0.0:" + Ports.TSDB_HTTP + "), not '" + value + "'");
      }
    }
  }
}
