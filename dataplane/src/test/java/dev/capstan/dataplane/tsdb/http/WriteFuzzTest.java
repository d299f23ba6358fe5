package dev.capstan.dataplane.tsdb.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.dataplane.server.EventLoops;
import dev.capstan.dataplane.tsdb.engine.EngineOptions;
import dev.capstan.dataplane.tsdb.engine.TsdbEngine;
import java.nio.file.Path;
import java.time.Duration;
import dev.capstan.dataplane.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutations of valid line protocol (plain and gzip) sent over one keep-alive
 * connection: every answer is a 204 or a 4xx with influxd's JSON error, the connection
 * survives every one, and what was written before is still there afterwards.
 */
class WriteFuzzTest {

  private static final int ROUNDS = 300;
  private static final byte[] SPECIAL = " ,=\\\"\n\r\t#ie.-+0123456789tfTF\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventLoops loops;
  @TempDir Path dir;
  private TsdbEngine store;
  private InfluxHttpServer server;

  @BeforeEach
  void setUp() throws InterruptedException, IOException {
    loops = EventLoops.start("fuzz-http", 1);
    // fsync per batch would make this a disk benchmark; robustness of the HTTP path is the point
    store = TsdbEngine.open(dir, EngineOptions.defaults().withFsync(FsyncPolicy.INTERVAL, Duration.ofSeconds(1)),
        Clock.systemUTC());
    store.createDatabase("db");
    InfluxApi api = new InfluxApi(store, new InfluxQlQueries(store, Clock.systemUTC()), Clock.systemUTC(),
        HttpOptions.defaults().withMaxBodySize(64 * 1024), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server = InfluxHttpServer.start(loops, "127.0.0.1", 0, api);
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
    loops.close();
    store.close();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void mutatedBatchesNeverBreakTheServer(long seed) throws IOException {
    Random random = new Random(seed);
    try (RawHttp http = new RawHttp(server.port())) {
      RawHttp.Response sentinel = http.exchange(RawHttp.request("POST", "/write?db=db",
          "sentinel,k=v a=1i,b=\"x\" 1000\nsentinel,k=w a=2i,b=\"y\" 2000\n".getBytes(StandardCharsets.UTF_8)));
      assertThat(sentinel.status()).isEqualTo(204);

      int accepted = 0;
      for (int round = 0; round < ROUNDS; round++) {
        byte[] body = mutate(random, batch(random), 1 + random.nextInt(4));
        boolean gzip = random.nextInt(10) == 0;
        byte[] sent = gzip ? mutate(random, gzip(body), random.nextInt(2)) : body;
        String precision = List.of("n", "u", "ms", "s", "m", "h").get(random.nextInt(6));
        RawHttp.Response r = http.exchange(RawHttp.request("POST", "/write?db=db&precision=" + precision, sent,
            gzip ? new String[] {"Content-Encoding", "gzip"} : new String[0]));

        assertThat(r.status()).as("round %d, body %s", round, new String(sent, StandardCharsets.ISO_8859_1))
            .isIn(204, 400, 413);
        if (r.status() == 204) {
          accepted++;
        } else {
          assertThat(JSON.readTree(r.body()).get("error").asText()).isNotBlank();
        }
      }
      assertThat(accepted).as("some mutations stay valid").isPositive();
      assertThat(http.exchange(RawHttp.request("GET", "/ping", new byte[0])).status()).isEqualTo(204);
      RawHttp.Response sentinels = http.exchange(RawHttp.request("GET",
          "/query?db=db&epoch=ns&q=SELECT+a,b+FROM+sentinel+GROUP+BY+k", new byte[0]));
      assertThat(sentinels.text()).isEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
          + "{\"name\":\"sentinel\",\"tags\":{\"k\":\"v\"},\"columns\":[\"time\",\"a\",\"b\"],\"values\":[[1000,1,\"x\"]]},"
          + "{\"name\":\"sentinel\",\"tags\":{\"k\":\"w\"},\"columns\":[\"time\",\"a\",\"b\"],\"values\":[[2000,2,\"y\"]]}]}]}\n");
    }
  }

  /** A valid batch: a few points with tags, every field type and escapes. */
  private static byte[] batch(Random random) {
    StringBuilder sb = new StringBuilder();
    int lines = 1 + random.nextInt(6);
    for (int i = 0; i < lines; i++) {
      sb.append("m").append(random.nextInt(3));
      if (random.nextBoolean()) {
        sb.append(",host=h").append(random.nextInt(4)).append(",re\\ gion=e\\,u");
      }
      // one field type per key, so only mutations cause type conflicts
      sb.append(" f=").append(random.nextDouble() * 100)
          .append(",i=").append(random.nextInt()).append('i')
          .append(",s=\"q \\\"").append(random.nextInt(100)).append("\\\" z\"")
          .append(",b=").append(random.nextBoolean() ? "t" : "FALSE");
      if (random.nextInt(4) > 0) {
        // small times keep the points in a few shard groups whatever the precision: the engine
        // opens files per group, and the fuzz is about the HTTP path
        sb.append(' ').append(random.nextInt(1000));
      }
      sb.append(random.nextInt(5) == 0 ? "\n# comment\n\n" : "\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] mutate(Random random, byte[] input, int mutations) {
    byte[] b = input;
    for (int m = 0; m < mutations && b.length > 0; m++) {
      int at = random.nextInt(b.length);
      byte special = SPECIAL[random.nextInt(SPECIAL.length)];
      b = switch (random.nextInt(5)) {
        case 0 -> set(b, at, (byte) random.nextInt(256));
        case 1 -> set(b, at, special);
        case 2 -> RawHttp.concat(RawHttp.concat(java.util.Arrays.copyOf(b, at), new byte[] {special}),
            java.util.Arrays.copyOfRange(b, at, b.length));
        case 3 -> RawHttp.concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, at + 1, b.length));
        default -> java.util.Arrays.copyOf(b, at);
      };
    }
    return b;
  }

  private static byte[] set(byte[] b, int at, byte value) {
    byte[] copy = b.clone();
    copy[at] = value;
    return copy;
  }

  private static byte[] gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    }
    return out.toByteArray();
  }
}
