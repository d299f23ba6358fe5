package dev.capstan.controllers.broker;

import static dev.capstan.api.common.ConditionTypes.DEGRADED;
import static dev.capstan.api.common.ConditionTypes.PROGRESSING;
import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.MessageBrokerStatus;
import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.common.Labels;
import dev.capstan.controllers.common.OwnedResource;
import dev.capstan.controllers.common.SpecOrPauseChanged;
import dev.capstan.controllers.common.WorkloadHealth;
import dev.capstan.controllers.common.WorkloadReconciler;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a MessageBroker into its ConfigMap, Services, StatefulSet and PDB; a broker with
 * {@code spec.external} gets no objects, only a status naming its bootstrap servers.
 */
@ControllerConfiguration(
    name = "messagebroker",
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrPauseChanged.class))
public class MessageBrokerReconciler extends WorkloadReconciler<MessageBroker, MessageBrokerStatus> {
  private final OwnedResource<ConfigMap, MessageBroker> configMap =
      new OwnedResource<>(ConfigMap.class, "config", MessageBrokerResources::configMap);
  private final OwnedResource<Service, MessageBroker> headless =
      new OwnedResource<>(Service.class, "headless", MessageBrokerResources::headlessService);
  private final OwnedResource<Service, MessageBroker> bootstrap =
      new OwnedResource<>(Service.class, "bootstrap", MessageBrokerResources::bootstrapService);
  private final OwnedResource<StatefulSet, MessageBroker> statefulSet;
  private final OwnedResource<PodDisruptionBudget, MessageBroker> pdb =
      new OwnedResource<>(PodDisruptionBudget.class, "pdb", MessageBrokerResources::podDisruptionBudget);

  public MessageBrokerReconciler(ControllerSettings settings, EventRecorder events, Clock clock) {
    super(events, clock);
    this.statefulSet =
        new OwnedResource<>(StatefulSet.class, "brokers", b -> MessageBrokerResources.statefulSet(b, settings));
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

  @Override
  protected List<Desired> observedConditions(MessageBroker broker, Context<MessageBroker> context) {
    if (broker.getSpec().usesExternalKafka()) {
      // Objects applied while the broker ran pods keep their owner reference; only a StatefulSet
      // is worth a warning, because it keeps pods running.
      Optional<String> leftover = context.getSecondaryResourcesAsStream(StatefulSet.class)
          .map(s -> s.getMetadata().getName())
          .findFirst();
      return externalConditions(broker, leftover);
    }
    return health(broker, context).conditions();
  }

  /**
   * Ready, Progressing and Degraded of a broker that names an existing Kafka cluster. Capstan
   * does not connect to it yet, so Ready stays False rather than claim what nobody checked.
   *
   * @param leftoverStatefulSet the broker StatefulSet from before {@code spec.external} was set,
   *     if it still exists
   */
  static List<Desired> externalConditions(MessageBroker broker, Optional<String> leftoverStatefulSet) {
    String servers = MessageBrokerResources.bootstrapServers(broker);
    Desired ready = Desired.isFalse(READY, "ConnectivityNotChecked",
        "the external Kafka cluster at " + servers + " is not checked yet: Capstan connects to it"
            + " once topics are managed through the Kafka Admin API");
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
        .orElseGet(() -> Desired.isFalse(DEGRADED, "ConnectivityNotChecked",
            "no fault observed; the external cluster is not checked yet"));
    return List.of(ready, progressing, degraded);
  }

  @Override
  protected MessageBrokerStatus status(
      MessageBroker broker, Context<MessageBroker> context, Long generation, List<Condition> conditions) {
    String bootstrapServers = MessageBrokerResources.bootstrapServers(broker);
    if (broker.getSpec().usesExternalKafka()) {
      return new MessageBrokerStatus(generation, conditions, null, null, null, bootstrapServers, null);
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
