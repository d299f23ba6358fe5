package dev.capstan.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Records Kubernetes Events about a custom resource, as {@code kubectl describe} shows them. */
public interface EventRecorder {
  void normal(HasMetadata about, String reason, String message);

  void warning(HasMetadata about, String reason, String message);

  /** Records nothing; for tests that do not look at events. */
  EventRecorder NONE =
      new EventRecorder() {
        @Override
        public void normal(HasMetadata about, String reason, String message) {}

        @Override
        public void warning(HasMetadata about, String reason, String message) {}
      };
}
