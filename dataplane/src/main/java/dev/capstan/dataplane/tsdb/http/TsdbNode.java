package dev.capstan.dataplane.tsdb.http;

import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.dataplane.server.AdminServer;
import dev.capstan.dataplane.server.ConfigFile;
import dev.capstan.dataplane.server.EventLoops;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running TSDB node: the store, the InfluxDB HTTP API on the configured port, the admin
 * endpoint, and the configuration file watched and re-applied live (databases, retention
 * policies, authentication). Closing it stops the servers, then closes the store, which
 * flushes.
 */
public final class TsdbNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TsdbNode.class);

  /** The storage engine as the node drives it. */
  public interface Storage extends AutoCloseable {
    TsdbStore store();

    /** Creates and alters databases and policies to match the configuration. */
    void apply(TsdbNodeConfig config);

    @Override
    void close();

    static Storage of(TsdbStore store, java.util.function.Consumer<TsdbNodeConfig> apply, Runnable close) {
      return new Storage() {
        @Override
        public TsdbStore store() {
          return store;
        }

        @Override
        public void apply(TsdbNodeConfig config) {
          apply.accept(config);
        }

        @Override
        public void close() {
          close.run();
        }
      };
    }
  }

  /**
   * How to run.
   *
   * @param httpPort the API's port; {@code null}: the configuration's {@code httpPort}
   * @param usersFile {@code user:password} lines, or {@code null}
   * @param env where {@link Users#ENV_USER} and {@link Users#ENV_PASSWORD} are looked up
   */
  public record Settings(
      Path configFile,
      String httpHost,
      Integer httpPort,
      String adminHost,
      int adminPort,
      Path usersFile,
      Map<String, String> env,
      HttpOptions http,
      long configPollMillis) {}

  private final ConfigFile<TsdbNodeConfig> configFile;
  private final Storage storage;
  private final EventLoops loops;
  private final InfluxHttpServer http;
  private final AdminServer admin;
  private final InfluxApi api;

  private final Settings settings;
  private TsdbNodeConfig current;

  private TsdbNode(ConfigFile<TsdbNodeConfig> configFile, Storage storage, EventLoops loops,
      InfluxHttpServer http, AdminServer admin, InfluxApi api, Settings settings, TsdbNodeConfig config) {
    this.api = api;
    this.settings = settings;
    this.current = config;
    this.configFile = configFile;
    this.storage = storage;
    this.loops = loops;
    this.http = http;
    this.admin = admin;
  }

  /**
   * Loads the configuration, applies it to {@code storage} and starts serving. On failure
   * everything started is stopped again and the exception (with a one-line message) thrown.
   */
  public static TsdbNode start(
      Settings settings, Storage storage, Function<TsdbStore, QueryHandler> queries, Clock clock)
      throws InterruptedException {
    ConfigFile<TsdbNodeConfig> configFile = ConfigFile.of(settings.configFile(), TsdbNodeConfig.class);
    TsdbNodeConfig config = configFile.load();
    Users users = users(config, settings);
    storage.apply(config);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InfluxApi api = new InfluxApi(storage.store(), queries.apply(storage.store()), clock, settings.http(), registry);
    api.authenticateWith(users);

    EventLoops loops = EventLoops.start("tsdb-io", 0);
    InfluxHttpServer http = null;
    try {
      int port = settings.httpPort() != null ? settings.httpPort() : config.httpPort();
      http = InfluxHttpServer.start(loops, settings.httpHost(), port, api);
      InfluxHttpServer httpServer = http;
      AdminServer admin = AdminServer.start(loops, settings.adminHost(), settings.adminPort(), registry,
          AdminServer.Health::ok,
          () -> Map.of(
              "httpPort", httpServer.port(),
              "authEnabled", api.authEnabled(),
              "databases", storage.store().databases(),
              "transport", loops.transport()));
      TsdbNode node = new TsdbNode(configFile, storage, loops, http, admin, api, settings, config);
      configFile.watch(settings.configPollMillis(), node::reload);
      return node;
    } catch (InterruptedException | RuntimeException e) {
      configFile.close();
      if (http != null) {
        http.close();
      }
      loops.close();
      throw e;
    }
  }

  /**
   * Applies a changed configuration: databases and policies, then authentication. A
   * configuration that cannot be applied throws before anything changed (the engine validates
   * before it changes anything), so the node keeps its last good one.
   */
  synchronized void reload(TsdbNodeConfig changed) {
    Users changedUsers = users(changed, settings);
    storage.apply(changed);
    api.authenticateWith(changedUsers);
    if (changed.httpPort() != current.httpPort() && settings.httpPort() == null) {
      LOG.warn("httpPort changed to {}; the node keeps serving on {} until it restarts", changed.httpPort(), http.port());
    }
    current = changed;
    LOG.info("Applied configuration: {} databases, authentication {}",
        changed.databases() == null ? 0 : changed.databases().size(), changedUsers != null ? "on" : "off");
  }

  /** The users when the configuration turns authentication on, else {@code null}. */
  private static Users users(TsdbNodeConfig config, Settings settings) {
    if (!config.authEnabled()) {
      return null;
    }
    Users users = Users.load(settings.env(), settings.usersFile());
    if (users.isEmpty()) {
      throw new IllegalArgumentException("authEnabled is true but there are no users: set "
          + Users.ENV_USER + " and " + Users.ENV_PASSWORD + " or pass --users FILE");
    }
    return users;
  }

  public int httpPort() {
    return http.port();
  }

  public boolean authEnabled() {
    return api.authEnabled();
  }

  public int adminPort() {
    return admin.port();
  }

  public TsdbStore store() {
    return storage.store();
  }

  /** Stops the watcher and servers, then closes the store (flushing it). */
  @Override
  public void close() {
    configFile.close();
    http.close();
    admin.close();
    loops.close(100);
    storage.close();
  }
}
