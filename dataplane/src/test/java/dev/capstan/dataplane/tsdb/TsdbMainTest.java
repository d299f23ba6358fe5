package dev.capstan.dataplane.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code TsdbMain} as a process: start-up line, live configuration, SIGTERM, restart. */
class TsdbMainTest {

  private static final Pattern SERVING = Pattern.compile("serving the InfluxDB API on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();
  private Process process;

  /** A running child and what it logged. */
  record Node(Process process, Path log, int port) {
    String text() throws IOException {
      return Files.readString(log);
    }
  }

  private Path config(String duration) throws IOException {
    return Files.writeString(dir.resolve("tsdb.yaml"), """
        httpPort: 8086
        replicationFactor: 1
        authEnabled: false
        databases:
        - name: metrics
          retentionPolicies:
          - name: main
            duration: %s
            shardDuration: 1h
            defaultPolicy: true
          continuousQueries:
          - name: declared_max
            query: SELECT max(v) INTO cpu_max FROM cpu GROUP BY time(1m)
            resampleFor: 2m
        """.formatted(duration));
  }

  private Process launch(Path log, String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TsdbMain.class.getName()));
    command.addAll(List.of(args));
    // To a file: Process.destroy() closes the pipes, and the last lines come after SIGTERM.
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return process;
  }

  private Node start(String name) throws IOException {
    Path log = dir.resolve(name + ".log");
    Process p = launch(log, "--config", dir.resolve("tsdb.yaml").toString(), "--data", dir.resolve("data").toString(),
        "--http-bind", "127.0.0.1:0", "--admin-bind", "127.0.0.1:0");
    int[] port = new int[1];
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      String text = Files.readString(log);
      assertThat(p.isAlive()).as(text).isTrue();
      Matcher m = SERVING.matcher(text);
      if (m.find()) {
        port[0] = Integer.parseInt(m.group(1));
        return true;
      }
      return false;
    });
    return new Node(p, log, port[0]);
  }

  private String run(String... args) throws Exception {
    Path log = dir.resolve("run.log");
    Process p = launch(log, args);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + " " + Files.readString(log);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private HttpResponse<String> query(Node node, String q) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/query?db=metrics&epoch=s&q="
        + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesReloadsStopsOnSigtermAndKeepsTheDataAcrossARestart() throws Exception {
    config("7d");
    Node node = start("first");
    long now = System.currentTimeMillis() / 1000;

    HttpResponse<String> write = client.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + node.port() + "/write?db=metrics&precision=s"))
        .POST(HttpRequest.BodyPublishers.ofString("cpu,host=a v=1 " + (now - 1) + "\ncpu,host=a v=2 " + now)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(write.statusCode()).as(write.body()).isEqualTo(204);
    assertThat(write.headers().firstValue("X-Influxdb-Version")).hasValue("1.6.7-capstan");
    assertThat(query(node, "SHOW RETENTION POLICIES").body()).contains("[\"main\",\"168h0m0s\"");

    config("1d");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(query(node, "SHOW RETENTION POLICIES").body()).contains("[\"main\",\"24h0m0s\""));

    assertThat(query(node, "CREATE CONTINUOUS QUERY per_second ON metrics BEGIN"
        + " SELECT count(v) INTO cpu_count FROM cpu GROUP BY time(1s) END").body())
        .isEqualTo("{\"results\":[{\"statement_id\":0}]}\n");

    node.process().destroy(); // SIGTERM
    assertThat(node.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(node.process().exitValue()).isEqualTo(143);
    assertThat(node.text()).contains("TSDB node stopped");
    assertThat(node.text().lines().filter(l -> l.contains("serving the InfluxDB API"))).hasSize(1);

    Node again = start("second");
    assertThat(query(again, "SELECT v FROM cpu").body())
        .contains("[" + (now - 1) + ",1]").contains("[" + now + ",2]");
    assertThat(query(again, "SHOW RETENTION POLICIES").body()).contains("[\"main\",\"24h0m0s\"");

    // The continuous query came back with the node and runs: points of the coming seconds are
    // counted into cpu_count once each second has passed.
    assertThat(query(again, "SHOW CONTINUOUS QUERIES").body())
        .contains("[\"declared_max\",\"CREATE CONTINUOUS QUERY declared_max ON metrics RESAMPLE FOR 2m BEGIN"
            + " SELECT max(v) INTO cpu_max FROM cpu GROUP BY time(1m) END\"]")
        .contains("[\"per_second\",\"CREATE CONTINUOUS QUERY");
    long next = System.currentTimeMillis() / 1000 + 1;
    client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + again.port() + "/write?db=metrics&precision=s"))
        .POST(HttpRequest.BodyPublishers.ofString("cpu,host=a v=3 " + next + "\ncpu,host=b v=4 " + next)).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(query(again, "SELECT count FROM cpu_count").body()).contains("[" + next + ",2]"));
  }

  @Test
  void usageMistakesExitWithTwoAndOneLine() throws Exception {
    assertThat(run("--data", dir.toString())).isEqualTo("2 tsdb: flag --config is required\n");
    assertThat(run("--config", "x", "--data", "y", "--http-bind", "nope"))
        .isEqualTo("2 tsdb: --http-bind must be host:port (e.g. 0.0.0.0:8086), not 'nope'\n");
  }

  @Test
  void aMissingConfigFileIsNamedBeforeTheDataDirectoryIsTouched() throws Exception {
    Path absent = dir.resolve("absent.yaml");

    assertThat(run("--config", absent.toString(), "--data", dir.resolve("data").toString()))
        .isEqualTo("2 tsdb: " + absent + ": no such file; pass the configuration with --config\n");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
