package dev.capstan.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The objects in a namespace that name a given owner, counted by kind. */
final class Owned {
  static final List<Class<? extends HasMetadata>> KINDS =
      List.of(StatefulSet.class, Deployment.class, Service.class, ConfigMap.class, PodDisruptionBudget.class,
          ServiceAccount.class, Role.class, RoleBinding.class);

  private Owned() {}

  static List<HasMetadata> by(KubernetesClient client, String namespace, String ownerUid) {
    List<HasMetadata> owned = new ArrayList<>();
    for (var kind : KINDS) {
      for (HasMetadata o : client.resources(kind).inNamespace(namespace).list().getItems()) {
        if (o.getMetadata().getOwnerReferences().stream().anyMatch(r -> ownerUid.equals(r.getUid()))) {
          owned.add(o);
        }
      }
    }
    return owned;
  }

  static Map<String, Integer> countByKind(List<HasMetadata> objects) {
    Map<String, Integer> counts = new TreeMap<>();
    objects.forEach(o -> counts.merge(o.getKind(), 1, Integer::sum));
    return counts;
  }

  /** What each kind of Capstan resource owns; an external MessageBroker owns nothing. */
  static Map<String, Integer> expectedFor(HasMetadata resource) {
    return switch (resource.getKind()) {
      case "TsdbCluster" -> Map.of("StatefulSet", 1, "Service", 2, "ConfigMap", 1, "PodDisruptionBudget", 1);
      case "LoadBalancer" -> Map.of("Deployment", 1, "Service", 1, "ConfigMap", 1,
          "ServiceAccount", 1, "Role", 1, "RoleBinding", 1);
      case "MessageBroker" -> {
        Object spec = ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) resource).getAdditionalProperties().get("spec");
        boolean external = spec instanceof Map<?, ?> m && m.containsKey("external");
        yield external ? Map.of() : Map.of("StatefulSet", 1, "Service", 2, "ConfigMap", 1, "PodDisruptionBudget", 1);
      }
      default -> Map.of();
    };
  }
}
