package dev.capstan.controllers.topic;

import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.api.topic.MessageTopicStatus;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.common.SpecOrPauseChanged;
import dev.capstan.controllers.common.StatusPatch;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles a MessageTopic's status from its MessageBroker and the other MessageTopics of its
 * namespace. It owns no Kubernetes objects; the Kafka topic itself comes with the broker data
 * plane, through the Kafka Admin API.
 *
 * <p>Two informers besides the topics' own feed it: one on MessageBrokers, so that a broker
 * appearing or becoming ready re-reconciles the topics that name it; one on MessageTopics, so
 * that a topic coming or going re-reconciles the topics that claim the same Kafka topic, and
 * a refused one takes over when the first is deleted.
 */
@ControllerConfiguration(
    name = "messagetopic",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrPauseChanged.class))
public class MessageTopicReconciler implements Reconciler<MessageTopic> {
  static final String BROKERS = "brokers";
  static final String CLAIMS = "claims";
  private static final String BY_BROKER = "byBroker";
  private static final String BY_KAFKA_TOPIC = "byKafkaTopic";

  private final EventRecorder events;
  private final Clock clock;

  public MessageTopicReconciler(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, MessageTopic>> prepareEventSources(EventSourceContext<MessageTopic> context) {
    IndexerResourceCache<MessageTopic> topics = context.getPrimaryCache();
    topics.addIndexer(BY_BROKER, t -> t.getSpec() == null ? List.of() : List.of(brokerKey(t)));
    topics.addIndexer(BY_KAFKA_TOPIC, t -> t.getSpec() == null ? List.of() : List.of(claimKey(t)));

    var brokers = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(MessageBroker.class, MessageTopic.class)
            .withName(BROKERS)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(broker -> ids(topics.byIndex(
                BY_BROKER, key(broker.getMetadata().getNamespace(), broker.getMetadata().getName()))))
            .withPrimaryToSecondaryMapper((PrimaryToSecondaryMapper<MessageTopic>) topic -> Set.of(
                new ResourceID(TopicStatusLogic.brokerName(topic), topic.getMetadata().getNamespace())))
            .build(),
        context);

    var claims = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(MessageTopic.class, MessageTopic.class)
            .withName(CLAIMS)
            .withNamespacesInheritedFromController()
            // Who owns a Kafka topic changes only when a MessageTopic comes or goes: the broker
            // and topic name are immutable and so is the creation time.
            .withOnUpdateFilter((newTopic, oldTopic) -> false)
            .withSecondaryToPrimaryMapper(topic -> topic.getSpec() == null
                ? Set.of()
                : ids(topics.byIndex(BY_KAFKA_TOPIC, claimKey(topic))))
            .build(),
        context);
    return List.of(brokers, claims);
  }

  @Override
  public UpdateControl<MessageTopic> reconcile(MessageTopic topic, Context<MessageTopic> context) {
    MessageBroker broker = context.getSecondaryResource(MessageBroker.class, BROKERS).orElse(null);
    MessageTopicStatus status =
        TopicStatusLogic.status(topic, broker, sameKafkaTopic(topic, context), clock.instant());
    MessageTopicStatus current = topic.getStatus();
    if (Objects.equals(status, current)) {
      return UpdateControl.noUpdate();
    }
    recordConflict(topic, current, status);
    return UpdateControl.patchStatus(StatusPatch.of(topic, status));
  }

  /**
   * The MessageTopics of the namespace that name the same broker and Kafka topic, read from the
   * informer whose events re-trigger this reconciliation: when a topic's deletion wakes the
   * one it blocked, this cache has already dropped it.
   */
  @SuppressWarnings("unchecked")
  private static Collection<MessageTopic> sameKafkaTopic(MessageTopic topic, Context<MessageTopic> context) {
    var claims = (InformerEventSource<MessageTopic, MessageTopic>)
        context.eventSourceRetriever().getEventSourceFor(MessageTopic.class, CLAIMS);
    String key = claimKey(topic);
    return claims.list(topic.getMetadata().getNamespace(),
            t -> t.getSpec() != null && key.equals(claimKey(t)))
        .toList();
  }

  private void recordConflict(MessageTopic topic, MessageTopicStatus current, MessageTopicStatus next) {
    Condition ready = Conditions.find(next.conditions(), READY);
    Condition before = current == null ? null : Conditions.find(current.conditions(), READY);
    if (ready != null && TopicStatusLogic.RESOURCE_CONFLICT.equals(ready.getReason())
        && (before == null || !TopicStatusLogic.RESOURCE_CONFLICT.equals(before.getReason()))) {
      events.warning(topic, TopicStatusLogic.RESOURCE_CONFLICT, ready.getMessage());
    }
  }

  private static String brokerKey(MessageTopic topic) {
    return key(topic.getMetadata().getNamespace(), TopicStatusLogic.brokerName(topic));
  }

  private static String claimKey(MessageTopic topic) {
    return key(brokerKey(topic), TopicStatusLogic.topicName(topic));
  }

  private static String key(String... parts) {
    return String.join("/", parts);
  }

  private static Set<ResourceID> ids(List<? extends HasMetadata> resources) {
    return resources.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
  }
}
