package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.testing.InMemoryTsdbStore;
import dev.capstan.dataplane.tsdb.lineprotocol.LineProtocolParser;
import dev.capstan.dataplane.tsdb.lineprotocol.Precision;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.SeriesVisitor;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** SHOW QUERIES and KILL QUERY over influxd's task table. */
class RunningQueriesTest {

  @Test
  void listsRunningQueriesWithInfluxdsTruncatedDurationsAndKillsThem() {
    AtomicLong nanos = new AtomicLong(1_000);
    RunningQueries running = new RunningQueries(nanos::get);
    RunningQueries.Query slow = running.attach("SELECT mean(v) FROM cpu", "db");
    nanos.addAndGet(3_700_000_123L);
    RunningQueries.Query fast = running.attach("SHOW QUERIES", null);
    nanos.addAndGet(2_345_678);

    assertThat(running.rows()).containsExactly(
        List.of(1L, "SELECT mean(v) FROM cpu", "db", "3s", "running"),
        List.of(2L, "SHOW QUERIES", "", "2ms", "running"));

    running.kill(1);
    assertThat(running.rows().get(0)).element(4).isEqualTo("killed");
    assertThatThrownBy(slow::checkpoint).hasMessage("query interrupted");
    fast.checkpoint(); // not killed: no error
    assertThatThrownBy(() -> running.kill(9)).hasMessage("no such query id: 9");

    running.detach(slow);
    running.detach(fast);
    assertThat(running.rows()).isEmpty();
  }

  @Test
  void aKilledSelectStopsWithQueryInterrupted() throws Exception {
    InMemoryTsdbStore data = new InMemoryTsdbStore();
    data.createDatabase("db");
    data.write("db", null, LineProtocolParser.parse("cpu,host=a v=1 1\ncpu,host=b v=2 2\n".getBytes(StandardCharsets.UTF_8),
        Precision.NANOSECONDS, Instant.EPOCH).points());
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // A store whose reads wait, so that the query is still running when it is killed.
    TsdbStore slow = (TsdbStore) Proxy.newProxyInstance(TsdbStore.class.getClassLoader(), new Class<?>[] {TsdbStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("read")) {
            reading.countDown();
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
          }
          try {
            return method.invoke(data, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    QueryExecutor executor = new QueryExecutor(slow, Clock.systemUTC());
    QueryContext ctx = new QueryContext("db", null);

    CompletableFuture<List<StatementResult>> select =
        CompletableFuture.supplyAsync(() -> executor.execute("SELECT v FROM cpu", ctx));
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
    List<List<Object>> shown = executor.execute("SHOW QUERIES", ctx).get(0).series().get(0).values();
    assertThat(shown).extracting(row -> row.get(1)).containsExactly("SELECT v FROM cpu", "SHOW QUERIES");
    long qid = (Long) shown.get(0).get(0);

    assertThat(executor.execute("KILL QUERY " + qid, ctx).get(0).error()).isNull();
    release.countDown();

    assertThat(select.get(10, TimeUnit.SECONDS).get(0).error()).isEqualTo("query interrupted");
    assertThat(executor.execute("SHOW QUERIES", ctx).get(0).series().get(0).values())
        .as("finished queries leave the table").extracting(row -> row.get(1)).containsExactly("SHOW QUERIES");
  }
}
