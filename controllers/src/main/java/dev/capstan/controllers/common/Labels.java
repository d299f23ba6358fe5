package dev.capstan.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The recommended Kubernetes labels on everything Capstan creates. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY_VALUE = "capstan";

  /** Selects every object Capstan manages; the operator's informers watch only these. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  private Labels() {}

  /** Labels that select the pods of one custom resource; stable for the resource's life. */
  public static Map<String, String> selector(String component, HasMetadata owner) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, component);
    labels.put(INSTANCE, owner.getMetadata().getName());
    return labels;
  }

  /** The selector plus the labels that describe who manages the object. */
  public static Map<String, String> of(String component, HasMetadata owner) {
    Map<String, String> labels = selector(component, owner);
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    labels.put(PART_OF, "capstan");
    return labels;
  }

  /** Metadata of an object {@code owner} owns: its name, the owner's namespace, the labels. */
  public static ObjectMeta metadata(String component, HasMetadata owner, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(of(component, owner))
        .build();
  }

  /** The selector as the string a scale subresource reports. */
  public static String selectorString(String component, HasMetadata owner) {
    return selector(component, owner).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .reduce((a, b) -> a + "," + b)
        .orElse("");
  }
}
