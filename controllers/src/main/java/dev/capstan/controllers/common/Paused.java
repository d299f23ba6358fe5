package dev.capstan.controllers.common;

import dev.capstan.api.common.ConditionTypes;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** The {@code capstan.dev/paused: "true"} annotation. */
public final class Paused {
  private Paused() {}

  public static boolean isPaused(HasMetadata resource) {
    var annotations = resource.getMetadata().getAnnotations();
    return annotations != null
        && "true".equalsIgnoreCase(annotations.get(ConditionTypes.PAUSED_ANNOTATION));
  }
}
