package dev.capstan.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Lets through the updates of a custom resource that need a reconciliation: a new generation
 * (the spec changed), the pause annotation set or removed, or deletion starting. Status-only
 * updates, our own included, are filtered out.
 *
 * <p>JOSDK's generation-aware processing would drop annotation-only changes, so a resource
 * would not notice that it was paused, nor that it was resumed. Controllers therefore turn it
 * off and use this filter instead.
 */
public final class SpecOrPauseChanged implements OnUpdateFilter<HasMetadata> {
  @Override
  public boolean accept(HasMetadata updated, HasMetadata old) {
    return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
        || Paused.isPaused(updated) != Paused.isPaused(old)
        || (updated.isMarkedForDeletion() && !old.isMarkedForDeletion());
  }
}
