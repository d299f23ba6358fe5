package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.server.AdminServer.Health;
import java.time.Duration;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BrokerReadinessTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a single broker, serving", 3, none(), Duration.ZERO,
            new Health(true, "ready: listener serving, 3 partitions recovered, every peer seen")),
        Arguments.of("every peer seen", 1, none(), Duration.ofSeconds(2),
            new Health(true, "ready: listener serving, 1 partition recovered, every peer seen")),
        Arguments.of("a peer not seen yet", 0, peers(2), Duration.ofSeconds(12),
            new Health(false, "waiting for broker 2 at events-2.events-brokers:9092 to answer (12s of 60s);"
                + " listener serving, 0 partitions recovered")),
        Arguments.of("two peers not seen yet", 0, peers(0, 2), Duration.ofMillis(59_999),
            new Health(false, "waiting for broker 0 at events-0.events-brokers:9092, broker 2 at"
                + " events-2.events-brokers:9092 to answer (59s of 60s); listener serving, 0 partitions recovered")),
        Arguments.of("a peer never seen within the wait", 4, peers(2), WAIT,
            new Health(true, "ready: listener serving, 4 partitions recovered; never saw broker 2 at"
                + " events-2.events-brokers:9092 within 60s, serving without them")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readiness(String what, int partitions, SortedMap<Integer, ClusterLayout.HostPort> unseen, Duration waited,
      Health expected) {
    assertThat(BrokerReadiness.of(partitions, unseen, waited, WAIT)).isEqualTo(expected);
  }

  private static SortedMap<Integer, ClusterLayout.HostPort> none() {
    return new TreeMap<>();
  }

  private static SortedMap<Integer, ClusterLayout.HostPort> peers(int... ids) {
    SortedMap<Integer, ClusterLayout.HostPort> peers = new TreeMap<>();
    for (int id : ids) {
      peers.put(id, new ClusterLayout.HostPort("events-" + id + ".events-brokers", 9092));
    }
    return peers;
  }
}
