package dev.capstan.controllers.broker;

import static dev.capstan.controllers.broker.MessageBrokerResourcesTest.EXTERNAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.MessageBrokerStatus;
import dev.capstan.controllers.broker.ExternalCluster.Answered;
import dev.capstan.controllers.broker.ExternalCluster.Check;
import dev.capstan.controllers.broker.ExternalCluster.Event;
import dev.capstan.controllers.broker.ExternalCluster.Failed;
import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.topic.KafkaCluster;
import dev.capstan.controllers.topic.MessageTopicReconciler.SyncIntervals;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a MessageBroker with spec.external says, from what its cluster answered. */
class ExternalClusterTest {
  private static final String SERVERS = "kafka-0.corp:9092,kafka-1.corp:9092";
  private static final Answered ANSWERED = new Answered(new KafkaCluster("MkU3OEVBNTcwNTJENDM2Qg", 3));
  private static final Failed UNREACHABLE = ExternalCluster.failed(SERVERS,
      new TimeoutException("Timed out waiting for a node assignment. Call: describeCluster"));
  private static final Instant NOW = Instant.parse("2026-11-28T03:00:00Z");
  private static final SyncIntervals CHECKS =
      new SyncIntervals(Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofMinutes(5));

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("no answer", new TimeoutException("Timed out waiting for a node assignment.\nCall: describeCluster"),
            "Unreachable",
            "Kafka at " + SERVERS + " did not answer while trying to describe the cluster: Timed out waiting for"
                + " a node assignment. Call: describeCluster"),
        Arguments.of("no name resolves", new ConfigException("No resolvable bootstrap urls given in bootstrap.servers"),
            "Unreachable",
            "Kafka at " + SERVERS + " did not answer while trying to describe the cluster: No resolvable"
                + " bootstrap urls given in bootstrap.servers"),
        Arguments.of("refused", new ClusterAuthorizationException("Cluster authorization failed."),
            "ClusterAuthorizationFailed",
            "Kafka at " + SERVERS + " refused to describe the cluster: Cluster authorization failed."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aFailureIsOneLineNamingTheServersAndTheCause(String what, org.apache.kafka.common.KafkaException e,
      String reason, String message) {
    Failed failed = ExternalCluster.failed(SERVERS, e);
    assertThat(failed.reason()).isEqualTo(reason);
    assertThat(failed.message()).isEqualTo(message).doesNotContain("\n");
  }

  @Test
  void anAnsweringClusterIsReadyWithItsIdAndBrokerCount() {
    List<Desired> conditions = ExternalCluster.conditions(EXTERNAL, ANSWERED, Optional.empty());
    assertThat(conditions).containsExactly(
        Desired.isTrue("Ready", "ClusterReachable",
            "Kafka cluster MkU3OEVBNTcwNTJENDM2Qg at " + SERVERS + " answered with 3 brokers"),
        Desired.isFalse("Progressing", "ExternalCluster",
            "spec.external is set: Capstan runs no broker pods for this resource"),
        Desired.isFalse("Degraded", "ExternalCluster",
            "Capstan runs nothing for an external cluster; Ready says whether the cluster answers"));
    assertThat(ExternalCluster.conditions(EXTERNAL, new Answered(new KafkaCluster("x", 1)), Optional.empty())
        .get(0).message()).endsWith("answered with 1 broker");
  }

  @Test
  void anUnreachableClusterIsNotReadyAndSaysWhy() {
    Desired ready = ExternalCluster.conditions(EXTERNAL, UNREACHABLE, Optional.empty()).get(0);
    assertThat(ready).isEqualTo(Desired.isFalse("Ready", "Unreachable", UNREACHABLE.message()));
  }

  @Test
  void podsLeftFromBeforeTheSwitchToExternalAreReportedWhateverTheClusterSays() {
    for (Check check : List.of(ANSWERED, UNREACHABLE)) {
      Desired degraded = ExternalCluster.conditions(EXTERNAL, check, Optional.of("events")).get(2);
      assertThat(degraded.status()).isTrue();
      assertThat(degraded.reason()).isEqualTo("LeftoverWorkload");
      assertThat(degraded.message()).contains("StatefulSet events").contains("events-brokers", "events-bootstrap");
    }
  }

  static Stream<Arguments> clusterIds() {
    return Stream.of(
        Arguments.of("answered: its id", null, ANSWERED, "MkU3OEVBNTcwNTJENDM2Qg"),
        Arguments.of("another cluster answers at the same servers", status(SERVERS, "old", ready("True")),
            ANSWERED, "MkU3OEVBNTcwNTJENDM2Qg"),
        Arguments.of("never answered", null, UNREACHABLE, null),
        Arguments.of("down: the last id of the same servers stays", status(SERVERS, "old", ready("True")),
            UNREACHABLE, "old"),
        Arguments.of("down after the servers changed: no id", status("elsewhere:9092", "old", ready("True")),
            UNREACHABLE, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clusterIds")
  void theClusterId(String what, MessageBrokerStatus before, Check check, String expected) {
    assertThat(ExternalCluster.clusterId(withStatus(before), check)).isEqualTo(expected);
  }

  static Stream<Arguments> events() {
    Event reachable = new Event(false, "ClusterReachable",
        "Kafka cluster MkU3OEVBNTcwNTJENDM2Qg at " + SERVERS + " answered with 3 brokers");
    Event unreachable = new Event(true, "Unreachable", UNREACHABLE.message());
    return Stream.of(
        Arguments.of("first answer", null, ANSWERED, Optional.of(reachable)),
        Arguments.of("first check fails", null, UNREACHABLE, Optional.of(unreachable)),
        Arguments.of("answers again: nothing new",
            status(SERVERS, "MkU3OEVBNTcwNTJENDM2Qg", ready("True", "ClusterReachable")), ANSWERED, Optional.empty()),
        Arguments.of("another cluster answers",
            status(SERVERS, "old", ready("True", "ClusterReachable")), ANSWERED, Optional.of(reachable)),
        Arguments.of("comes back", status(SERVERS, "MkU3OEVBNTcwNTJENDM2Qg", ready("False", "Unreachable")),
            ANSWERED, Optional.of(reachable)),
        Arguments.of("goes away", status(SERVERS, "MkU3OEVBNTcwNTJENDM2Qg", ready("True", "ClusterReachable")),
            UNREACHABLE, Optional.of(unreachable)),
        Arguments.of("still away: nothing new", status(SERVERS, null, ready("False", "Unreachable")),
            UNREACHABLE, Optional.empty()),
        Arguments.of("was not checked before (older operator)",
            status(SERVERS, null, ready("False", "ConnectivityNotChecked")), UNREACHABLE, Optional.of(unreachable)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void anEventOnlyWhenSomethingChanged(String what, MessageBrokerStatus before, Check check, Optional<Event> expected) {
    assertThat(ExternalCluster.event(withStatus(before), check)).isEqualTo(expected);
  }

  static Stream<Arguments> rechecks() {
    return Stream.of(
        Arguments.of("answered", readySince("True", null), ANSWERED, Duration.ofMinutes(2)),
        Arguments.of("answered after an outage", readySince("False", "2026-11-28T02:00:00Z"), ANSWERED, Duration.ofMinutes(2)),
        Arguments.of("first failure, no status yet", null, UNREACHABLE, Duration.ofSeconds(30)),
        Arguments.of("first failure after Ready", readySince("True", "2026-11-28T02:00:00Z"), UNREACHABLE,
            Duration.ofSeconds(30)),
        Arguments.of("down for 10 s", readySince("False", "2026-11-28T02:59:50Z"), UNREACHABLE, Duration.ofSeconds(30)),
        Arguments.of("down for 30 s", readySince("False", "2026-11-28T02:59:30Z"), UNREACHABLE, Duration.ofSeconds(30)),
        Arguments.of("down for 70 s", readySince("False", "2026-11-28T02:58:50Z"), UNREACHABLE, Duration.ofSeconds(70)),
        Arguments.of("down for 4 min", readySince("False", "2026-11-28T02:56:00Z"), UNREACHABLE, Duration.ofMinutes(4)),
        Arguments.of("down for an hour", readySince("False", "2026-11-28T02:00:00Z"), UNREACHABLE, Duration.ofMinutes(5)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rechecks")
  void checkedAgainSoonWhileDownBackingOffAndPeriodicallyWhenFine(
      String what, Condition before, Check check, Duration expected) {
    assertThat(ExternalCluster.recheckAfter(check, before, NOW, CHECKS)).isEqualTo(expected);
  }

  @Test
  void theBackOffDoublesWhileTheOutageLasts() {
    // Each check happens when the previous one asked, all measured from the same transition.
    Instant down = NOW;
    Instant at = NOW;
    List<Duration> delays = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Duration next = ExternalCluster.recheckAfter(UNREACHABLE, readySince("False", down.toString()), at, CHECKS);
      delays.add(next);
      at = at.plus(next);
    }
    assertThat(delays).extracting(Duration::toSeconds).containsExactly(30L, 30L, 60L, 120L, 240L, 300L, 300L);
  }

  private static MessageBroker withStatus(MessageBrokerStatus status) {
    MessageBroker broker = MessageBrokerResourcesTest.broker("external: {bootstrapServers: \"" + SERVERS + "\"}");
    broker.setStatus(status);
    return broker;
  }

  private static MessageBrokerStatus status(String servers, String clusterId, Condition ready) {
    return new MessageBrokerStatus(1L, List.of(ready), null, null, null, servers, clusterId);
  }

  private static Condition ready(String status) {
    return ready(status, "ClusterReachable");
  }

  private static Condition ready(String status, String reason) {
    return new ConditionBuilder().withType("Ready").withStatus(status).withReason(reason).build();
  }

  private static Condition readySince(String status, String lastTransitionTime) {
    return new ConditionBuilder().withType("Ready").withStatus(status).withReason("Whatever")
        .withLastTransitionTime(lastTransitionTime).build();
  }
}
