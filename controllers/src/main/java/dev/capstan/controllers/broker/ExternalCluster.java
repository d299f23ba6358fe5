package dev.capstan.controllers.broker;

import static dev.capstan.api.common.ConditionTypes.DEGRADED;
import static dev.capstan.api.common.ConditionTypes.PROGRESSING;
import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.MessageBrokerStatus;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.topic.KafkaCluster;
import dev.capstan.controllers.topic.KafkaErrors;
import dev.capstan.controllers.topic.MessageTopicReconciler.SyncIntervals;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;

/**
 * The status of a MessageBroker with {@code spec.external} as a pure function of the resource
 * and of what its Kafka cluster answered to one {@code describeCluster}: the conditions, the
 * cluster id, the event worth recording and when to ask again.
 */
final class ExternalCluster {
  static final String REACHABLE = "ClusterReachable";
  static final String UNREACHABLE = "Unreachable";

  private ExternalCluster() {}

  /** What one check of the cluster found. */
  sealed interface Check permits Answered, Failed {}

  /** The cluster answered. */
  record Answered(KafkaCluster cluster) implements Check {}

  /**
   * The cluster did not answer, or refused.
   *
   * @param reason {@value #UNREACHABLE} when it did not answer, else Kafka's error, such as
   *     ClusterAuthorizationFailed
   * @param message one line naming the bootstrap servers and the cause
   */
  record Failed(String reason, String message) implements Check {}

  /** A Kubernetes event to record. */
  record Event(boolean warning, String reason, String message) {}

  static Failed failed(String bootstrapServers, KafkaException e) {
    String reason = KafkaErrors.reason(e);
    return new Failed(KafkaErrors.BROKER_UNREACHABLE.equals(reason) ? UNREACHABLE : reason,
        KafkaErrors.message("describe the cluster", bootstrapServers, e));
  }

  /**
   * Ready, Progressing and Degraded.
   *
   * @param leftoverStatefulSet the broker StatefulSet from before {@code spec.external} was set,
   *     if it still exists
   */
  static List<Desired> conditions(MessageBroker broker, Check check, Optional<String> leftoverStatefulSet) {
    Desired ready = check instanceof Answered a
        ? Desired.isTrue(READY, REACHABLE, answeredMessage(broker, a.cluster()))
        : Desired.isFalse(READY, ((Failed) check).reason(), ((Failed) check).message());
    Desired progressing = Desired.isFalse(PROGRESSING, "ExternalCluster",
        "spec.external is set: Capstan runs no broker pods for this resource");
    Desired degraded = leftoverStatefulSet
        .map(name -> Desired.isTrue(DEGRADED, "LeftoverWorkload",
            "StatefulSet " + name + " from before spec.external was set still runs broker pods;"
                + " Capstan no longer updates it and removes it only with this MessageBroker."
                + " Delete it, with Services " + MessageBrokerResources.headlessServiceName(broker)
                + " and " + MessageBrokerResources.bootstrapServiceName(broker) + ", ConfigMap "
                + MessageBrokerResources.configMapName(broker) + " and its PodDisruptionBudget,"
                + " once its data is no longer needed"))
        .orElseGet(() -> Desired.isFalse(DEGRADED, "ExternalCluster",
            "Capstan runs nothing for an external cluster; Ready says whether the cluster answers"));
    return List.of(ready, progressing, degraded);
  }

  private static String answeredMessage(MessageBroker broker, KafkaCluster cluster) {
    return "Kafka cluster " + cluster.clusterId() + " at " + MessageBrokerResources.bootstrapServers(broker)
        + " answered with " + cluster.brokers() + (cluster.brokers() == 1 ? " broker" : " brokers");
  }

  /**
   * The cluster id for the status: the one that answered; when none did, the last one known
   * for the same bootstrap servers, since a cluster that is down keeps its id, but none for
   * servers that never answered.
   */
  static String clusterId(MessageBroker broker, Check check) {
    return check instanceof Answered a ? a.cluster().clusterId() : lastClusterId(broker);
  }

  /** The cluster id the status has, if it is of the bootstrap servers the spec names now. */
  static String lastClusterId(MessageBroker broker) {
    MessageBrokerStatus current = broker.getStatus();
    boolean sameServers = current != null
        && MessageBrokerResources.bootstrapServers(broker).equals(current.bootstrapServers());
    return sameServers ? current.clusterId() : null;
  }

  /**
   * The event this check is worth, compared with the broker's current status: one when the
   * cluster starts or stops answering, when the reason it fails changes, or when another
   * cluster answers; nothing when it says again what the status says.
   */
  static Optional<Event> event(MessageBroker broker, Check check) {
    MessageBrokerStatus current = broker.getStatus();
    Condition ready = current == null ? null : Conditions.find(current.conditions(), READY);
    String readyReason = ready == null ? null : ready.getReason();
    if (check instanceof Answered a) {
      boolean said = REACHABLE.equals(readyReason) && "True".equals(ready.getStatus())
          && a.cluster().clusterId().equals(current.clusterId());
      return said ? Optional.empty() : Optional.of(new Event(false, REACHABLE, answeredMessage(broker, a.cluster())));
    }
    Failed f = (Failed) check;
    boolean said = ready != null && "False".equals(ready.getStatus()) && f.reason().equals(readyReason);
    return said ? Optional.empty() : Optional.of(new Event(true, f.reason(), f.message()));
  }

  /**
   * When to check again. A cluster that answered is checked every {@code resync}. One that did
   * not is checked again after as long as it has been not Ready (by the Ready condition's
   * transition time), at least {@code firstRetry} and at most {@code maxRetry}: the delay
   * doubles while the outage lasts, and an operator restart does not reset it.
   *
   * @param previousReady the Ready condition before this check, or null
   */
  static Duration recheckAfter(Check check, Condition previousReady, Instant now, SyncIntervals intervals) {
    if (check instanceof Answered) {
      return intervals.resync();
    }
    Duration notReadyFor = Duration.ZERO;
    if (previousReady != null && "False".equals(previousReady.getStatus())
        && previousReady.getLastTransitionTime() != null) {
      notReadyFor = Duration.between(Instant.parse(previousReady.getLastTransitionTime()), now);
    }
    Duration delay = notReadyFor.compareTo(intervals.firstRetry()) < 0 ? intervals.firstRetry() : notReadyFor;
    return delay.compareTo(intervals.maxRetry()) > 0 ? intervals.maxRetry() : delay;
  }
}
