package dev.capstan.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericResourceUpdater;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kubernetes object a custom resource owns, kept equal to what a pure builder says it
 * should be. JOSDK creates it, updates it by server-side apply when it drifts, and adds the
 * owner reference that lets the garbage collector delete it with its owner. The informer
 * behind it watches only objects labelled as managed by Capstan.
 */
public final class OwnedResource<R extends HasMetadata, P extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, P> {
  private static final Logger log = LoggerFactory.getLogger(OwnedResource.class);
  private final Function<P, R> builder;

  public OwnedResource(Class<R> type, String name, Function<P, R> builder) {
    super(type, name);
    this.builder = builder;
    configureWith(
        new KubernetesDependentResourceConfigBuilder<R>()
            .withKubernetesDependentInformerConfig(
                InformerConfiguration.builder(type).withLabelSelector(Labels.MANAGED_SELECTOR).build())
            .build());
  }

  @Override
  protected R desired(P primary, Context<P> context) {
    return builder.apply(primary);
  }

  /**
   * Server-side apply cannot take back list entries that another field manager now owns: a
   * Service port changed by hand keeps its entry, ours is added beside it, and the merged
   * object is invalid (two ports named "http"). When the API server refuses the apply as
   * invalid, the object is replaced whole by the desired one instead, which puts it back.
   */
  @Override
  public R update(R actual, R desired, P primary, Context<P> context) {
    try {
      return super.update(actual, desired, primary, context);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422) {
        throw e;
      }
      log.warn("apply of {} {}/{} was refused ({}); replacing it with the desired object",
          actual.getKind(), actual.getMetadata().getNamespace(), actual.getMetadata().getName(),
          e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
      R replacement = GenericResourceUpdater.updateResource(actual, desired, context);
      return context.getClient().resource(replacement).update();
    }
  }
}
