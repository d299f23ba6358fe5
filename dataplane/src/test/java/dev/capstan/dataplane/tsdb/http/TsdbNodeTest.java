package dev.capstan.dataplane.tsdb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.config.InfluxDuration;
import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's wiring: configuration applied at start and live, auth from it, clean close. */
class TsdbNodeTest {

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();

  /** Applies a configuration to the in-memory store as the engine's applyConfig would. */
  private static TsdbNode.Storage storage(InMemoryTsdbStore store, AtomicBoolean closed) {
    return TsdbNode.Storage.of(store, config -> {
      for (TsdbNodeConfig.Database db : config.databases()) {
        store.createDatabase(db.name());
        for (TsdbNodeConfig.RetentionPolicy rp : db.retentionPolicies()) {
          store.createRetentionPolicy(db.name(), new RetentionPolicy(rp.name(), InfluxDuration.parse(rp.duration()),
              InfluxDuration.parse(rp.shardDuration()), 1, rp.defaultPolicy()));
        }
      }
    }, () -> closed.set(true));
  }

  private Path config(boolean auth, String... databases) throws IOException {
    StringBuilder yaml = new StringBuilder("httpPort: 8086\nreplicationFactor: 1\nauthEnabled: " + auth + "\ndatabases:\n");
    for (String db : databases) {
      yaml.append("- name: ").append(db).append("\n  retentionPolicies:\n  - name: week\n    duration: 7d\n"
          + "    shardDuration: 1d\n    defaultPolicy: true\n");
    }
    return Files.writeString(dir.resolve("tsdb.yaml"), yaml.toString());
  }

  private TsdbNode.Settings settings(Map<String, String> env) {
    return new TsdbNode.Settings(dir.resolve("tsdb.yaml"), "127.0.0.1", 0, "127.0.0.1", 0, null, env,
        HttpOptions.defaults().withWorkers(2, 16), 20);
  }

  private int write(TsdbNode node, String db, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/write?db=" + db))
        .POST(HttpRequest.BodyPublishers.ofString("cpu v=1"));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void appliesTheConfigurationAtStartAndWhenTheFileChanges() throws Exception {
    config(false, "metrics");
    InMemoryTsdbStore store = new InMemoryTsdbStore();
    AtomicBoolean closed = new AtomicBoolean();
    Map<String, String> env = Map.of(Users.ENV_USER, "admin", Users.ENV_PASSWORD, "pw");
    try (TsdbNode node = TsdbNode.start(settings(env), storage(store, closed), FakeQueries::new, Clock.systemUTC())) {
      assertThat(store.retentionPolicies("metrics")).extracting(RetentionPolicy::name).contains("week");
      assertThat(write(node, "metrics", null)).isEqualTo(204);
      assertThat(write(node, "logs", null)).isEqualTo(404);

      config(true, "metrics", "logs");

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(write(node, "logs", null)).isEqualTo(401);
        assertThat(write(node, "logs", InfluxApiTest.basic("admin", "pw"))).isEqualTo(204);
      });
      HttpResponse<String> status = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.adminPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(status.body()).contains("\"authEnabled\" : true").contains("logs");
      assertThat(closed).isFalse();
    }
    assertThat(closed).as("closing the node closes (flushes) the store").isTrue();
  }

  @Test
  void aBadChangeKeepsTheLastGoodConfiguration() throws Exception {
    config(false, "metrics");
    InMemoryTsdbStore store = new InMemoryTsdbStore();
    try (TsdbNode node = TsdbNode.start(settings(Map.of()), storage(store, new AtomicBoolean()), FakeQueries::new,
        Clock.systemUTC())) {
      TsdbNodeConfig noUsers = new TsdbNodeConfig(8086, 1, true,
          List.of(new TsdbNodeConfig.Database("logs", List.of())));

      assertThatThrownBy(() -> node.reload(noUsers)).hasMessageStartingWith("authEnabled is true but there are no users");
      assertThat(store.databases()).containsExactly("metrics");
      assertThat(write(node, "metrics", null)).isEqualTo(204);
    }
  }

  @Test
  void refusesToStartWithAuthAndNoUsers() throws Exception {
    config(true, "metrics");
    InMemoryTsdbStore store = new InMemoryTsdbStore();

    assertThatThrownBy(() -> TsdbNode.start(settings(Map.of()), storage(store, new AtomicBoolean()), FakeQueries::new,
        Clock.systemUTC()))
        .hasMessage("authEnabled is true but there are no users: set CAPSTAN_TSDB_ADMIN_USER and "
            + "CAPSTAN_TSDB_ADMIN_PASSWORD or pass --users FILE");
    assertThat(store.databases()).isEmpty();
  }
}
