package dev.capstan.controllers.topic;

import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.api.topic.MessageTopicStatus;
import dev.capstan.api.topic.MessageTopicSpec;
import dev.capstan.controllers.broker.MessageBrokerResources;
import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.common.Paused;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.EventRecorder;
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
 * Makes a Kafka topic what its MessageTopic declares, through the Kafka Admin API of the
 * cluster its MessageBroker names, and deletes it with the resource when
 * {@code spec.deletionPolicy} is Delete. It owns no Kubernetes objects.
 *
 * <p>What to change is decided by {@link TopicPlan}, a pure function; this class only asks
 * Kafka, applies the plan and writes the status. A topic in sync is checked again every
 * {@code resync}, which is what reverts a change made by hand; a Kafka error is retried with
 * a doubling delay.
 *
 * <p>The finalizer {@value #FINALIZER} deletes the Kafka topic whose id the status recorded,
 * never a later topic of the same name. When the MessageBroker is gone there is nothing left to
 * ask and the finalizer is removed; when Kafka does not answer it is kept and the deletion
 * retried, and docs/topics.md says how to remove it by hand.
 *
 * <p>Two informers besides the topics' own feed it: one on MessageBrokers, so that a broker
 * appearing or becoming ready re-reconciles the topics that name it; one on MessageTopics, so
 * that a topic coming or going re-reconciles the topics that claim the same Kafka topic, and
 * a refused one takes over when the first is deleted.
 */
@ControllerConfiguration(
    name = "messagetopic",
    finalizerName = MessageTopicReconciler.FINALIZER,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = TopicUpdateFilter.class))
public class MessageTopicReconciler implements Reconciler<MessageTopic>, Cleaner<MessageTopic>, AutoCloseable {
  public static final String FINALIZER = "capstan.dev/topic-deletion";
  private static final Logger log = LoggerFactory.getLogger(MessageTopicReconciler.class);
  static final String BROKERS = "brokers";
  static final String CLAIMS = "claims";
  private static final String BY_BROKER = "byBroker";
  private static final String BY_KAFKA_TOPIC = "byKafkaTopic";
  static final String INVALID_SPEC = "InvalidSpec";

  private final EventRecorder events;
  private final Clock clock;
  private final Function<String, KafkaTopics> kafka;
  private final SyncIntervals intervals;
  private final AutoCloseable ownedClients;
  /** Kafka failures in a row per topic, for the retry delay; forgotten on success. */
  private final Map<ResourceID, Integer> failures = new ConcurrentHashMap<>();

  /** Reaches Kafka through Admin clients of its own, which {@link #close()} closes. */
  public MessageTopicReconciler(EventRecorder events, Clock clock) {
    this(events, clock, new KafkaAdmins(), SyncIntervals.DEFAULTS, true);
  }

  /** Reaches Kafka through {@code kafka}, which maps bootstrap servers to their cluster's topics. */
  public MessageTopicReconciler(
      EventRecorder events, Clock clock, Function<String, KafkaTopics> kafka, SyncIntervals intervals) {
    this(events, clock, kafka, intervals, false);
  }

  private MessageTopicReconciler(EventRecorder events, Clock clock, Function<String, KafkaTopics> kafka,
      SyncIntervals intervals, boolean ownsClients) {
    this.events = events;
    this.clock = clock;
    this.kafka = kafka;
    this.intervals = intervals;
    this.ownedClients = ownsClients && kafka instanceof AutoCloseable c ? c : () -> {};
  }

  /**
   * How often a topic is checked against Kafka.
   *
   * @param resync after a successful check, to find and revert changes made by hand
   * @param firstRetry after the first Kafka error in a row; doubles with each further one
   * @param maxRetry the longest delay between retries
   */
  public record SyncIntervals(Duration resync, Duration firstRetry, Duration maxRetry) {
    public static final SyncIntervals DEFAULTS =
        new SyncIntervals(Duration.ofMinutes(2), Duration.ofSeconds(5), Duration.ofMinutes(5));

    /** The delay before retrying after {@code failures} (at least 1) Kafka errors in a row. */
    public Duration retryAfter(int failures) {
      int doublings = Math.min(Math.max(failures, 1) - 1, 30);
      Duration delay = firstRetry.multipliedBy(1L << doublings);
      return delay.compareTo(maxRetry) > 0 ? maxRetry : delay;
    }
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
    MessageTopicStatus current = topic.getStatus();
    if (Paused.isPaused(topic)) {
      return patchIfChanged(topic, TopicStatusLogic.paused(topic, clock.instant()));
    }
    MessageBroker broker = context.getSecondaryResource(MessageBroker.class, BROKERS).orElse(null);
    Optional<Desired> blocked = TopicStatusLogic.blocked(topic, broker, sameKafkaTopic(topic, context));
    if (blocked.isPresent()) {
      // The broker and claims informers wake this topic when that changes.
      failures.remove(ResourceID.fromResource(topic));
      MessageTopicStatus status = TopicStatusLogic.status(topic, blocked.get(), null, clock.instant());
      recordProblem(topic, current, status);
      return patchIfChanged(topic, status);
    }
    Sync sync = sync(topic, broker);
    MessageTopicStatus status = TopicStatusLogic.status(topic, sync.ready(), sync.kafka(), clock.instant());
    recordProblem(topic, current, status);
    UpdateControl<MessageTopic> control = patchIfChanged(topic, status);
    return sync.next() == null ? control : control.rescheduleAfter(sync.next());
  }

  /** What one pass against Kafka found: the Ready condition, the topic and when to look again. */
  private record Sync(Desired ready, ObservedTopic kafka, Duration next) {}

  private Sync sync(MessageTopic topic, MessageBroker broker) {
    ResourceID id = ResourceID.fromResource(topic);
    String name = TopicStatusLogic.topicName(topic);
    DesiredTopic desired;
    try {
      desired = DesiredTopic.of(topic, broker);
    } catch (IllegalArgumentException e) {
      // Only a new spec or broker can fix this, and either wakes the topic.
      return new Sync(Desired.isFalse(READY, INVALID_SPEC, e.getMessage()), null, null);
    }
    String servers = bootstrapServers(broker);
    String step = "describe topic " + name;
    try {
      KafkaTopics topics = kafka.apply(servers);
      Optional<ObservedTopic> observed = topics.describe(name);
      TopicPlan plan = TopicPlan.of(desired, observed);
      if (plan instanceof TopicPlan.Refuse refuse) {
        failures.remove(id);
        return new Sync(Desired.isFalse(READY, refuse.reason(), refuse.message()), observed.orElse(null),
            intervals.resync());
      }
      ObservedTopic now = observed.orElse(null);
      for (TopicPlan.Action action : ((TopicPlan.Apply) plan).actions()) {
        step = action.describe(name);
        now = apply(topics, action, now, desired);
        log.info("MessageTopic {}/{}: {} in Kafka at {}", topic.getMetadata().getNamespace(),
            topic.getMetadata().getName(), step, servers);
        events.normal(topic, action.eventReason(), step);
      }
      failures.remove(id);
      return new Sync(TopicStatusLogic.inSync(topic, now), now, intervals.resync());
    } catch (InterruptException e) {
      // The operator is stopping; nothing to report.
      throw e;
    } catch (KafkaException e) {
      int failed = failures.merge(id, 1, Integer::sum);
      return new Sync(Desired.isFalse(READY, KafkaErrors.reason(e), KafkaErrors.message(step, servers, e)),
          null, intervals.retryAfter(failed));
    }
  }

  private static ObservedTopic apply(KafkaTopics topics, TopicPlan.Action action, ObservedTopic before,
      DesiredTopic desired) {
    if (action instanceof TopicPlan.Create c) {
      return topics.create(c.name(), c.partitions(), c.replicationFactor(), c.configs());
    }
    if (action instanceof TopicPlan.CreatePartitions p) {
      topics.createPartitions(before.name(), p.totalCount());
      return before.withPartitions(p.totalCount());
    }
    var alter = (TopicPlan.AlterConfigs) action;
    topics.alterConfigs(before.name(), alter.set(), alter.delete());
    return before.withOverrides(desired.configs());
  }

  /**
   * Where Kafka clients reach the broker: what its status shows as bootstrapServers, worked out
   * from the spec so that a changed {@code spec.external} counts before the broker's status says so.
   */
  static String bootstrapServers(MessageBroker broker) {
    return MessageBrokerResources.bootstrapServers(broker);
  }

  @Override
  public DeleteControl cleanup(MessageTopic topic, Context<MessageTopic> context) {
    String who = topic.getMetadata().getNamespace() + "/" + topic.getMetadata().getName();
    String name = TopicStatusLogic.topicName(topic);
    MessageTopicStatus current = topic.getStatus();
    String topicId = current == null ? null : current.topicId();
    ResourceID id = ResourceID.fromResource(topic);
    if (topic.getSpec() != null && topic.getSpec().deletionPolicy() == MessageTopicSpec.DeletionPolicy.Retain) {
      log.info("MessageTopic {} deleted; topic {} retained in Kafka (deletionPolicy Retain)", who, name);
      return finalizerRemoved(id);
    }
    if (topicId == null) {
      // Never created nor adopted a Kafka topic (a refused claim, a broker never reached).
      return finalizerRemoved(id);
    }
    MessageBroker broker = context.getSecondaryResource(MessageBroker.class, BROKERS).orElse(null);
    if (broker == null) {
      log.warn("MessageTopic {} deleted after its MessageBroker {}: topic {} is left wherever it was",
          who, TopicStatusLogic.brokerName(topic), name);
      return finalizerRemoved(id);
    }
    String servers = bootstrapServers(broker);
    try {
      boolean deleted = kafka.apply(servers).delete(topicId);
      log.info("MessageTopic {} deleted; topic {} (id {}) {} in Kafka at {}", who, name, topicId,
          deleted ? "deleted" : "was already gone", servers);
      return finalizerRemoved(id);
    } catch (InterruptException e) {
      // The operator is stopping; nothing to report.
      throw e;
    } catch (KafkaException e) {
      int failed = failures.merge(id, 1, Integer::sum);
      Duration retry = intervals.retryAfter(failed);
      String message = KafkaErrors.message("delete topic " + name + " (id " + topicId + ")", servers, e)
          + "; retrying in " + retry.toSeconds() + "s. If the cluster is gone for good, remove the finalizer "
          + FINALIZER + " by hand (docs/topics.md)";
      log.warn("MessageTopic {}: {}", who, message);
      patchStatus(context, topic, TopicStatusLogic.status(
          topic, Desired.isFalse(READY, KafkaErrors.reason(e), message), null, clock.instant()));
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(retry);
    }
  }

  private DeleteControl finalizerRemoved(ResourceID id) {
    failures.remove(id);
    return DeleteControl.defaultDelete();
  }

  // A cleaner cannot hand JOSDK a status, so a failed deletion writes its own: a JSON patch of
  // /status alone, which claims nothing else of the object whatever else writes it.
  private static void patchStatus(Context<MessageTopic> context, MessageTopic topic, MessageTopicStatus status) {
    try {
      context.getClient().resources(MessageTopic.class)
          .inNamespace(topic.getMetadata().getNamespace())
          .withName(topic.getMetadata().getName())
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), Serialization.asJson(
              List.of(Map.of("op", "add", "path", "/status", "value", status))));
    } catch (KubernetesClientException e) {
      log.warn("could not write the status of MessageTopic {}/{}: {}", topic.getMetadata().getNamespace(),
          topic.getMetadata().getName(), e.getMessage());
    }
  }

  /** Closes the Admin clients this reconciler made; call when the operator stops. */
  @Override
  public void close() throws Exception {
    ownedClients.close();
  }

  private static UpdateControl<MessageTopic> patchIfChanged(MessageTopic topic, MessageTopicStatus status) {
    return Objects.equals(status, topic.getStatus())
        ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(StatusPatch.of(topic, status));
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

  /** A Warning event, and a log line, when Ready turns False for a new reason. */
  private void recordProblem(MessageTopic topic, MessageTopicStatus current, MessageTopicStatus next) {
    Condition ready = Conditions.find(next.conditions(), READY);
    Condition before = current == null ? null : Conditions.find(current.conditions(), READY);
    if (ready == null || !"False".equals(ready.getStatus())
        || (before != null && "False".equals(before.getStatus()) && ready.getReason().equals(before.getReason()))) {
      return;
    }
    log.info("MessageTopic {}/{} not ready: {}: {}", topic.getMetadata().getNamespace(),
        topic.getMetadata().getName(), ready.getReason(), ready.getMessage());
    if (!TopicStatusLogic.BROKER_NOT_FOUND.equals(ready.getReason())
        && !TopicStatusLogic.BROKER_NOT_READY.equals(ready.getReason())) {
      events.warning(topic, ready.getReason(), ready.getMessage());
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
