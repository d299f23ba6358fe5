package dev.capstan.controllers.common;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;

/** The object a reconciler hands JOSDK to patch a custom resource's status. */
public final class StatusPatch {
  private StatusPatch() {}

  /**
   * A fresh object with only name, namespace and status, so that the server-side-apply status
   * patch claims nothing but the status.
   */
  public static <P extends CustomResource<?, S>, S> P of(P primary, S status) {
    try {
      @SuppressWarnings("unchecked")
      P fresh = (P) primary.getClass().getDeclaredConstructor().newInstance();
      fresh.setMetadata(
          new ObjectMetaBuilder()
              .withName(primary.getMetadata().getName())
              .withNamespace(primary.getMetadata().getNamespace())
              .build());
      fresh.setStatus(status);
      return fresh;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(primary.getClass() + " needs a public no-argument constructor", e);
    }
  }
}
