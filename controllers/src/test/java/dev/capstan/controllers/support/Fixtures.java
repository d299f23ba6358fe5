package dev.capstan.controllers.support;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Custom resources for tests, written as a user writes them: YAML. */
public final class Fixtures {
  private Fixtures() {}

  /** Parses a resource and gives it the metadata the API server would (namespace, generation, uid). */
  public static <T extends CustomResource<?, ?>> T parse(Class<T> type, String yaml) {
    T resource = Serialization.unmarshal(yaml, type);
    var meta = resource.getMetadata();
    if (meta.getNamespace() == null) {
      meta.setNamespace("default");
    }
    if (meta.getGeneration() == null) {
      meta.setGeneration(1L);
    }
    if (meta.getUid() == null) {
      meta.setUid("00000000-0000-0000-0000-" + String.format("%012d", Math.abs(meta.getName().hashCode())));
    }
    return resource;
  }
}
