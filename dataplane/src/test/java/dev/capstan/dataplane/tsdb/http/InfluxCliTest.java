package dev.capstan.dataplane.tsdb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.dataplane.server.EventLoops;
import dev.capstan.dataplane.tsdb.engine.EngineOptions;
import dev.capstan.dataplane.tsdb.engine.TsdbEngine;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code influx} 1.6.7 CLI against Capstan's server, real engine and InfluxQL. */
class InfluxCliTest {

  @TempDir Path dir;
  private Path cli;
  private EventLoops loops;
  private TsdbEngine engine;
  private InfluxHttpServer server;
  private InfluxApi api;

  record Run(int exit, String output) {}

  static Optional<Path> binary() {
    for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, "influx");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @BeforeEach
  void setUp() throws Exception {
    Optional<Path> found = binary();
    assumeTrue(found.isPresent(), "the influx CLI is not installed (PATH, /usr/bin): CLI tests skipped");
    cli = found.get();
    loops = EventLoops.start("cli-http", 1);
    engine = TsdbEngine.open(dir.resolve("data"), EngineOptions.defaults(), Clock.systemUTC());
    engine.createDatabase("metrics");
    api = new InfluxApi(engine, new InfluxQlQueries(engine, Clock.systemUTC()), Clock.systemUTC(),
        HttpOptions.defaults(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server = InfluxHttpServer.start(loops, "127.0.0.1", 0, api);
  }

  @AfterEach
  void tearDown() throws IOException {
    if (server != null) {
      server.close();
      loops.close();
      engine.close();
    }
  }

  private Run influx(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(cli.toString(), "-host", "127.0.0.1", "-port",
        Integer.toString(server.port())));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void executeShowDatabases() throws Exception {
    Run run = influx("-execute", "SHOW DATABASES");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).isEqualTo("name: databases\nname\n----\nmetrics\n");
  }

  @Test
  void showDiagnosticsAndStatsAnswerAsInfluxdsDo() throws Exception {
    Run build = influx("-execute", "SHOW DIAGNOSTICS FOR 'build'");
    Run stats = influx("-execute", "SHOW STATS FOR 'database'");

    assertThat(build.exit()).as(build.output()).isZero();
    // Branch, Build Time and Commit are empty (influxd says unknown there); the CLI pads them.
    assertThat(build.output()).matches("name: build\nBranch Build Time Commit Version\n[- ]+\n +"
        + java.util.regex.Pattern.quote(HttpOptions.VERSION) + "\n");
    assertThat(stats.exit()).as(stats.output()).isZero();
    assertThat(stats.output()).startsWith("name: database\ntags: database=metrics\nnumMeasurements numSeries\n");
  }

  @Test
  void executeReportsAnInvalidQueryWithExitCodeOne() throws Exception {
    Run run = influx("-execute", "SELEC x");

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.output()).contains("error parsing query: found SELEC");
  }

  @Test
  void importsDdlAndDmlWithPrecisionSeconds() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    Path file = Files.writeString(dir.resolve("import.txt"), """
        # DDL
        CREATE DATABASE imported
        CREATE RETENTION POLICY oneday ON imported DURATION 1d REPLICATION 1

        # DML
        # CONTEXT-DATABASE: imported
        # CONTEXT-RETENTION-POLICY: oneday
        cpu,host=a usage=1.5 %d
        cpu,host=b usage=2.5 %d
        mem,host=a free=10i %d
        """.formatted(now - 20, now - 10, now));

    Run run = influx("-import", "-path=" + file, "-precision=s");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Processed 2 commands").contains("Processed 3 inserts").contains("Failed 0 inserts");
    assertThat(engine.retentionPolicies("imported")).extracting(RetentionPolicy::name).contains("oneday");
    Run select = influx("-database", "imported", "-precision", "s", "-execute",
        "SELECT usage FROM oneday.cpu; SELECT free FROM oneday.mem");
    assertThat(select.output()).contains(Long.toString(now - 20) + " 1.5").contains(Long.toString(now - 10) + " 2.5")
        .contains(now + " 10");
  }

  @Test
  void credentialsFromTheCommandLineAndTheirAbsence() throws Exception {
    api.authenticateWith(Users.of(Map.of("admin", "pw")));

    Run without = influx("-execute", "SHOW DATABASES");
    Run with = influx("-username", "admin", "-password", "pw", "-execute", "SHOW DATABASES");

    assertThat(without.exit()).isEqualTo(1);
    assertThat(without.output()).contains("unable to parse authentication credentials");
    assertThat(with.exit()).isZero();
    assertThat(with.output()).contains("metrics");
    // the users of the Secret, each one an admin
    Run users = influx("-username", "admin", "-password", "pw", "-execute", "SHOW USERS");
    assertThat(users.output()).containsPattern("admin\\s+true");
  }

  @Test
  void writesThroughTheCliLandInTheEngine() throws Exception {
    Run run = influx("-database", "metrics", "-execute", "INSERT cpu,host=z v=42 1000000000");
    Run show = influx("-database", "metrics", "-execute", "SELECT v FROM cpu WHERE host = 'z'");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(show.output()).contains("1000000000 42");
    assertThat(engine.measurements("metrics")).contains("cpu");
  }

}
