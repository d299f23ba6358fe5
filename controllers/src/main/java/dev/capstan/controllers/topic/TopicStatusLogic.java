package dev.capstan.controllers.topic;

import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.api.topic.MessageTopicStatus;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.Conditions.Desired;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The status of a MessageTopic as a pure function of the topic, its broker, the other topics
 * of its namespace and what Kafka said.
 */
public final class TopicStatusLogic {
  public static final String RESOURCE_CONFLICT = "ResourceConflict";
  public static final String BROKER_NOT_FOUND = "BrokerNotFound";
  public static final String BROKER_NOT_READY = "BrokerNotReady";
  public static final String TOPIC_IN_SYNC = "TopicInSync";

  /** Oldest first; the name decides between two created in the same second. */
  static final Comparator<MessageTopic> OLDEST_FIRST =
      Comparator.comparing(TopicStatusLogic::createdAt).thenComparing(t -> t.getMetadata().getName());

  private TopicStatusLogic() {}

  /** The Kafka topic a MessageTopic manages: {@code spec.topicName}, else the resource's name. */
  public static String topicName(MessageTopic topic) {
    String declared = topic.getSpec().topicName();
    return declared == null ? topic.getMetadata().getName() : declared;
  }

  public static String brokerName(MessageTopic topic) {
    return topic.getSpec().brokerRef().name();
  }

  /**
   * The MessageTopic that owns the same Kafka topic in the same broker and was created first,
   * if it is not {@code topic} itself. As in Strimzi, the first resource keeps the topic and a
   * later one is refused, so that two resources never fight over one topic's configuration.
   */
  static Optional<MessageTopic> olderClaim(MessageTopic topic, Collection<MessageTopic> sameNamespace) {
    return sameNamespace.stream()
        .filter(other -> claimsSameTopic(topic, other))
        .min(OLDEST_FIRST)
        .filter(owner -> OLDEST_FIRST.compare(owner, topic) < 0);
  }

  private static boolean claimsSameTopic(MessageTopic topic, MessageTopic other) {
    return !other.getMetadata().getName().equals(topic.getMetadata().getName())
        && other.getMetadata().getNamespace().equals(topic.getMetadata().getNamespace())
        && other.getSpec() != null
        && brokerName(other).equals(brokerName(topic))
        && topicName(other).equals(topicName(topic));
  }

  // The API server sets creationTimestamp on every object; one without it is treated as newest.
  private static Instant createdAt(MessageTopic topic) {
    String created = topic.getMetadata().getCreationTimestamp();
    return created == null ? Instant.MAX : Instant.parse(created);
  }

  /**
   * Why the topic cannot be synchronised with Kafka now, as its Ready condition; empty when it
   * can. A conflict comes first: it does not go away when the broker appears or becomes ready,
   * only when one of the two resources is deleted. An external broker is never held back by
   * its Ready condition, which is the broker controller's last check, minutes old at worst: the
   * topic's own Admin calls answer for the cluster now, and say BrokerUnreachable themselves.
   *
   * @param broker the MessageBroker named by {@code spec.brokerRef}, or null when there is none
   */
  static Optional<Desired> blocked(MessageTopic topic, MessageBroker broker, Collection<MessageTopic> sameNamespace) {
    String name = topicName(topic);
    String brokerName = brokerName(topic);
    Optional<MessageTopic> owner = olderClaim(topic, sameNamespace);
    if (owner.isPresent()) {
      return Optional.of(Desired.isFalse(READY, RESOURCE_CONFLICT,
          "MessageTopic " + owner.get().getMetadata().getName() + " already manages topic " + name
              + " in MessageBroker " + brokerName + "; this resource is ignored until that one is"
              + " deleted, or set spec.topicName to another topic"));
    }
    if (broker == null) {
      return Optional.of(Desired.isFalse(READY, BROKER_NOT_FOUND,
          "MessageBroker " + brokerName + " (spec.brokerRef.name) not found in namespace "
              + topic.getMetadata().getNamespace()));
    }
    if (broker.getSpec() != null && broker.getSpec().usesExternalKafka()) {
      return Optional.empty();
    }
    var brokerStatus = broker.getStatus();
    Condition brokerReady = brokerStatus == null ? null : Conditions.find(brokerStatus.conditions(), READY);
    if (brokerReady == null || !"True".equals(brokerReady.getStatus())) {
      String why = brokerReady == null
          ? "it has no Ready condition yet"
          : brokerReady.getReason() + ": " + brokerReady.getMessage();
      return Optional.of(Desired.isFalse(READY, BROKER_NOT_READY,
          "MessageBroker " + brokerName + " is not ready (" + why + ")"));
    }
    return Optional.empty();
  }

  /** Ready=True: Kafka has the topic as declared. */
  static Desired inSync(MessageTopic topic, ObservedTopic kafka) {
    return Desired.isTrue(READY, TOPIC_IN_SYNC,
        "topic " + kafka.name() + " in MessageBroker " + brokerName(topic) + " has " + kafka.partitions()
            + " partitions, replication factor " + kafka.replicationFactor() + " and the declared config");
  }

  /**
   * A paused topic keeps what it said before, marked as paused, with the generation it last
   * reconciled.
   */
  static MessageTopicStatus paused(MessageTopic topic, Instant now) {
    MessageTopicStatus current = topic.getStatus();
    Long observed = current == null ? null : current.observedGeneration();
    return new MessageTopicStatus(
        observed,
        Conditions.paused(current == null ? null : current.conditions(), observed, now),
        topicName(topic),
        current == null ? null : current.topicId(),
        current == null ? null : current.partitions(),
        current == null ? null : current.replicationFactor());
  }

  /**
   * The status of the current generation with this Ready condition.
   *
   * @param kafka the topic as Kafka has it now, or null when Kafka was not asked or did not
   *     answer: the last known id, partitions and replication factor are kept then, since the
   *     id is what the finalizer deletes
   */
  static MessageTopicStatus status(MessageTopic topic, Desired ready, ObservedTopic kafka, Instant now) {
    MessageTopicStatus current = topic.getStatus();
    List<Condition> currentConditions = current == null || current.conditions() == null
        ? List.of() : current.conditions();
    Long generation = topic.getMetadata().getGeneration();
    return new MessageTopicStatus(
        generation, Conditions.merge(currentConditions, List.of(ready), generation, now), topicName(topic),
        kafka != null ? kafka.topicId() : current == null ? null : current.topicId(),
        kafka != null ? Integer.valueOf(kafka.partitions()) : current == null ? null : current.partitions(),
        kafka != null ? Integer.valueOf(kafka.replicationFactor())
            : current == null ? null : current.replicationFactor());
  }
}
