package dev.capstan.dataplane.lb.discovery;

import dev.capstan.dataplane.lb.balancing.Server;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the EndpointSlices of one Service (label kubernetes.io/service-name) and reports its
 * ready servers on every change. The Service is read once, at start, to name its port: a change
 * of a Service's port names is rare and is picked up by the pod's next restart.
 */
public final class ServiceEndpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceEndpoints.class);

  private final SharedIndexInformer<EndpointSlice> informer;

  private ServiceEndpoints(SharedIndexInformer<EndpointSlice> informer) {
    this.informer = informer;
  }

  /** @param onChange gets the full list of ready servers after each change, on the informer's thread */
  public static ServiceEndpoints follow(KubernetesClient client, String namespace, String service,
      int port, int weight, Consumer<List<Server>> onChange) {
    Service svc = client.services().inNamespace(namespace).withName(service).get();
    String portName = EndpointSliceServers.portName(svc, port).orElseGet(() -> {
      LOG.warn("service {}/{} {}; using its unnamed port", namespace, service,
          svc == null ? "does not exist (yet)" : "has no port " + port);
      return "";
    });
    SharedIndexInformer<EndpointSlice> informer = client.resources(EndpointSlice.class)
        .inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service)
        .runnableInformer(0);
    Runnable publish = () ->
        onChange.accept(EndpointSliceServers.servers(portName, informer.getStore().list(), weight));
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(EndpointSlice obj) {
        publish.run();
      }

      @Override
      public void onUpdate(EndpointSlice oldObj, EndpointSlice newObj) {
        publish.run();
      }

      @Override
      public void onDelete(EndpointSlice obj, boolean deletedFinalStateUnknown) {
        publish.run();
      }
    });
    informer.start();
    return new ServiceEndpoints(informer);
  }

  @Override
  public void close() {
    informer.close();
  }
}
