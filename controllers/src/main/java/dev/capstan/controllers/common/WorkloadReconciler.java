package dev.capstan.controllers.common;

import static dev.capstan.api.common.ConditionTypes.DEGRADED;
import static dev.capstan.api.common.ConditionTypes.PROGRESSING;
import static dev.capstan.api.common.ConditionTypes.READY;

import dev.capstan.api.common.CapstanStatus;
import dev.capstan.controllers.common.Conditions.Desired;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape every Capstan controller that runs pods shares, read top to bottom:
 *
 * <ol>
 *   <li>paused? then only say so in the status;
 *   <li>invalid in a way the schema cannot catch? then say why and touch nothing;
 *   <li>apply each owned object in order (ConfigMap before the pods that read it);
 *   <li>compute the status from what is observed and patch it when it changed.
 * </ol>
 *
 * <p>Subclasses supply the owned objects, the semantic checks and the status fields of their
 * kind. The user's spec is never written.
 */
public abstract class WorkloadReconciler<P extends CustomResource<?, S>, S extends CapstanStatus>
    implements Reconciler<P> {
  private static final Logger log = LoggerFactory.getLogger(WorkloadReconciler.class);

  protected final EventRecorder events;
  protected final Clock clock;

  protected WorkloadReconciler(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  /** The objects this resource owns, in the order they are applied. */
  protected abstract List<OwnedResource<?, P>> ownedResources();

  /**
   * The owned objects this resource needs as its spec stands, in order; all of them unless a
   * kind overrides this. Every one of {@link #ownedResources()} is still watched.
   */
  protected List<OwnedResource<?, P>> ownedResourcesFor(P primary) {
    return ownedResources();
  }

  /** Why the spec cannot be reconciled, for rules the API server cannot check; empty if fine. */
  protected Optional<String> invalidSpec(P primary) {
    return Optional.empty();
  }

  /** Ready, Progressing and Degraded from the observed secondaries. */
  protected abstract List<Desired> observedConditions(P primary, Context<P> context);

  /** The status of this kind: its own fields plus the given generation and conditions. */
  protected abstract S status(
      P primary, Context<P> context, Long observedGeneration, List<Condition> conditions);

  /**
   * How long after an applied reconcile to compute the status again though no watched object
   * changed, for status read from somewhere no informer watches; empty (the default): only
   * when something changes.
   */
  protected Optional<Duration> recheckAfter(P primary) {
    return Optional.empty();
  }

  @Override
  public List<EventSource<?, P>> prepareEventSources(EventSourceContext<P> context) {
    return EventSourceUtils.dependentEventSources(
        context, ownedResources().toArray(OwnedResource[]::new));
  }

  @Override
  public UpdateControl<P> reconcile(P primary, Context<P> context) {
    S current = primary.getStatus();
    List<Condition> currentConditions = current == null ? List.of() : current.conditions();
    Long observed = current == null ? null : current.observedGeneration();

    if (Paused.isPaused(primary)) {
      return patchIfChanged(primary, status(primary, context, observed,
          Conditions.paused(currentConditions, observed, clock.instant())));
    }

    Long generation = primary.getMetadata().getGeneration();
    Optional<String> invalid = invalidSpec(primary);
    if (invalid.isPresent()) {
      events.warning(primary, "InvalidSpec", invalid.get());
      List<Desired> conditions =
          List.of(
              Desired.isFalse(READY, "InvalidSpec", invalid.get()),
              Desired.isFalse(PROGRESSING, "InvalidSpec", "nothing applied until the spec is fixed"),
              Desired.isTrue(DEGRADED, "InvalidSpec", invalid.get()));
      return patchIfChanged(primary, status(primary, context, generation, merge(currentConditions, conditions, generation)));
    }

    for (OwnedResource<?, P> owned : ownedResourcesFor(primary)) {
      ReconcileResult<?> result = owned.reconcile(primary, context);
      record(primary, owned, result);
    }
    List<Desired> conditions = observedConditions(primary, context);
    UpdateControl<P> control =
        patchIfChanged(primary, status(primary, context, generation, merge(currentConditions, conditions, generation)));
    return recheckAfter(primary).map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public ErrorStatusUpdateControl<P> updateErrorStatus(P primary, Context<P> context, Exception e) {
    String message = rootMessage(e);
    log.warn("reconciling {} {}/{} failed: {}", primary.getKind(), primary.getMetadata().getNamespace(),
        primary.getMetadata().getName(), message);
    events.warning(primary, "ReconcileFailed", message);
    S current = primary.getStatus();
    List<Condition> currentConditions = current == null ? List.of() : current.conditions();
    Long generation = primary.getMetadata().getGeneration();
    List<Desired> conditions =
        List.of(
            Desired.isFalse(READY, "ReconcileFailed", message),
            Desired.isFalse(PROGRESSING, "ReconcileFailed", "will retry"),
            Desired.isTrue(DEGRADED, "ReconcileFailed", message));
    S status = status(primary, context, generation, merge(currentConditions, conditions, generation));
    if (Objects.equals(status, current)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(primary, status));
  }

  private List<Condition> merge(List<Condition> current, List<Desired> desired, Long generation) {
    return Conditions.merge(current, desired, generation, clock.instant());
  }

  private void record(P primary, OwnedResource<?, P> owned, ReconcileResult<?> result) {
    var operation = result.getSingleOperation();
    String what = owned.resourceType().getSimpleName() + " " + result.getSingleResource()
        .map(r -> ((io.fabric8.kubernetes.api.model.HasMetadata) r).getMetadata().getName())
        .orElse(owned.name());
    switch (operation) {
      case CREATED -> events.normal(primary, "Created", "created " + what);
      case UPDATED -> events.normal(primary, "Updated", "updated " + what);
      default -> {}
    }
  }

  /** A status patch when {@code status} differs from the current status. */
  protected UpdateControl<P> patchIfChanged(P primary, S status) {
    S current = primary.getStatus();
    if (Objects.equals(status, current)) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.patchStatus(StatusPatch.of(primary, status));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.length() > 512 ? m.substring(0, 512) : m;
  }
}
