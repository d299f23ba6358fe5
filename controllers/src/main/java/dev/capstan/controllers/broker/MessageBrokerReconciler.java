package dev.capstan.controllers.broker;

import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.MessageBrokerStatus;
import dev.capstan.controllers.broker.ExternalCluster.Answered;
import dev.capstan.controllers.broker.ExternalCluster.Check;
import dev.capstan.controllers.broker.ExternalCluster.Failed;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.common.Labels;
import dev.capstan.controllers.common.OwnedResource;
import dev.capstan.controllers.common.Paused;
import dev.capstan.controllers.common.SpecOrPauseChanged;
import dev.capstan.controllers.common.WorkloadHealth;
import dev.capstan.controllers.common.WorkloadReconciler;
import dev.capstan.controllers.topic.KafkaAdmins;
import dev.capstan.controllers.topic.MessageTopicReconciler.SyncIntervals;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a MessageBroker into its ConfigMap, Services, StatefulSet and PDB. A broker with
 * {@code spec.external} gets no objects: the controller asks its cluster who it is (Kafka's
 * describeCluster, a few seconds at most) and reports the answer, Ready=True with the cluster
 * id, or Ready=False naming the servers and the cause, and asks again after a while.
 */
@ControllerConfiguration(
    name = "messagebroker",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrPauseChanged.class))
public class MessageBrokerReconciler extends WorkloadReconciler<MessageBroker, MessageBrokerStatus>
    implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessageBrokerReconciler.class);
  private final OwnedResource<ConfigMap, MessageBroker> configMap =
      new OwnedResource<>(ConfigMap.class, "config", MessageBrokerResources::configMap);
  private final OwnedResource<Service, MessageBroker> headless =
      new OwnedResource<>(Service.class, "headless", MessageBrokerResources::headlessService);
  private final OwnedResource<Service, MessageBroker> bootstrap =
      new OwnedResource<>(Service.class, "bootstrap", MessageBrokerResources::bootstrapService);
  private final OwnedResource<StatefulSet, MessageBroker> statefulSet;
  private final OwnedResource<PodDisruptionBudget, MessageBroker> pdb =
      new OwnedResource<>(PodDisruptionBudget.class, "pdb", MessageBrokerResources::podDisruptionBudget);

  /**
   * How often an external cluster is asked who it is: every 2 minutes while it answers; after
   * 30 s when it does not, doubling up to 5 minutes.
   */
  public static final SyncIntervals EXTERNAL_CHECKS =
      new SyncIntervals(Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofMinutes(5));

  private final KafkaClusterProbe probe;
  private final SyncIntervals externalChecks;
  private final AutoCloseable ownedClients;

  /** Asks external clusters through Admin clients of its own, which {@link #close()} closes. */
  public MessageBrokerReconciler(ControllerSettings settings, EventRecorder events, Clock clock) {
    this(settings, events, clock, new KafkaAdmins());
  }

  /**
   * Asks external clusters through {@code admins}, which the topic controller may share (one
   * Admin client per cluster), and closes them in {@link #close()}.
   */
  public MessageBrokerReconciler(ControllerSettings settings, EventRecorder events, Clock clock, KafkaAdmins admins) {
    this(settings, events, clock, admins::describeCluster, EXTERNAL_CHECKS, admins);
  }

  /** Asks external clusters through {@code probe}, at {@code externalChecks}; closes nothing. */
  public MessageBrokerReconciler(ControllerSettings settings, EventRecorder events, Clock clock,
      KafkaClusterProbe probe, SyncIntervals externalChecks) {
    this(settings, events, clock, probe, externalChecks, () -> {});
  }

  private MessageBrokerReconciler(ControllerSettings settings, EventRecorder events, Clock clock,
      KafkaClusterProbe probe, SyncIntervals externalChecks, AutoCloseable ownedClients) {
    super(events, clock);
    this.statefulSet =
        new OwnedResource<>(StatefulSet.class, "brokers", b -> MessageBrokerResources.statefulSet(b, settings));
    this.probe = probe;
    this.externalChecks = externalChecks;
    this.ownedClients = ownedClients;
  }

  @Override
  public void close() throws Exception {
    ownedClients.close();
  }

  @Override
  protected List<OwnedResource<?, MessageBroker>> ownedResources() {
    return List.of(configMap, headless, bootstrap, statefulSet, pdb);
  }

  @Override
  protected List<OwnedResource<?, MessageBroker>> ownedResourcesFor(MessageBroker broker) {
    return broker.getSpec().usesExternalKafka() ? List.of() : ownedResources();
  }

  @Override
  protected Optional<String> invalidSpec(MessageBroker broker) {
    return MessageBrokerResources.invalid(broker);
  }

  /**
   * A broker with {@code spec.external} (not paused, spec valid) applies nothing: it asks its
   * cluster who it is, says so in the status and asks again after a while. Everything else
   * goes the way of every workload.
   */
  @Override
  public UpdateControl<MessageBroker> reconcile(MessageBroker broker, Context<MessageBroker> context) {
    if (!broker.getSpec().usesExternalKafka() || Paused.isPaused(broker) || invalidSpec(broker).isPresent()) {
      return super.reconcile(broker, context);
    }
    Check check = check(broker);
    ExternalCluster.event(broker, check).ifPresent(event -> {
      log.info("MessageBroker {}/{}: {}", broker.getMetadata().getNamespace(), broker.getMetadata().getName(),
          event.message());
      if (event.warning()) {
        events.warning(broker, event.reason(), event.message());
      } else {
        events.normal(broker, event.reason(), event.message());
      }
    });
    MessageBrokerStatus current = broker.getStatus();
    List<Condition> currentConditions = current == null ? List.of() : current.conditions();
    Long generation = broker.getMetadata().getGeneration();
    Instant now = clock.instant();
    List<Condition> conditions = Conditions.merge(currentConditions,
        ExternalCluster.conditions(broker, check, leftoverStatefulSet(context)), generation, now);
    MessageBrokerStatus status = new MessageBrokerStatus(generation, conditions, null, null, null,
        MessageBrokerResources.bootstrapServers(broker), ExternalCluster.clusterId(broker, check));
    return patchIfChanged(broker, status).rescheduleAfter(ExternalCluster.recheckAfter(
        check, Conditions.find(currentConditions, READY), now, externalChecks));
  }

  /** One describeCluster of the broker's cluster; never throws but when the operator stops. */
  private Check check(MessageBroker broker) {
    String servers = MessageBrokerResources.bootstrapServers(broker);
    try {
      return new Answered(probe.describe(servers));
    } catch (InterruptException e) {
      throw e;
    } catch (KafkaException e) {
      Failed failed = ExternalCluster.failed(servers, e);
      log.debug("MessageBroker {}/{}: {}", broker.getMetadata().getNamespace(), broker.getMetadata().getName(),
          failed.message());
      return failed;
    }
  }

  // Objects applied while the broker ran pods keep their owner reference; only a StatefulSet
  // is worth a warning, because it keeps pods running.
  private static Optional<String> leftoverStatefulSet(Context<MessageBroker> context) {
    return context.getSecondaryResourcesAsStream(StatefulSet.class)
        .map(s -> s.getMetadata().getName())
        .findFirst();
  }

  @Override
  protected List<Desired> observedConditions(MessageBroker broker, Context<MessageBroker> context) {
    return health(broker, context).conditions();
  }

  @Override
  protected MessageBrokerStatus status(
      MessageBroker broker, Context<MessageBroker> context, Long generation, List<Condition> conditions) {
    String bootstrapServers = MessageBrokerResources.bootstrapServers(broker);
    if (broker.getSpec().usesExternalKafka()) {
      // Paused or invalid: the cluster was not asked, so the last id it gave stays.
      return new MessageBrokerStatus(generation, conditions, null, null, null, bootstrapServers,
          ExternalCluster.lastClusterId(broker));
    }
    WorkloadHealth health = health(broker, context);
    return new MessageBrokerStatus(
        generation,
        conditions,
        health.current(),
        health.ready(),
        Labels.selectorString(MessageBrokerResources.COMPONENT, broker),
        bootstrapServers,
        null);
  }

  private WorkloadHealth health(MessageBroker broker, Context<MessageBroker> context) {
    return WorkloadHealth.of(
        statefulSet.getSecondaryResource(broker, context), broker.getSpec().replicasOrDefault());
  }
}
