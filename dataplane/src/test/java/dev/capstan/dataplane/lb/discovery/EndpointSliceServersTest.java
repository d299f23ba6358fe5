package dev.capstan.dataplane.lb.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.lb.balancing.Server;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSliceServersTest {

  private static final Service SERVICE = new ServiceBuilder()
      .withNewMetadata().withName("web").endMetadata()
      .withNewSpec()
      .addNewPort().withName("http").withPort(80).endPort()
      .addNewPort().withName("metrics").withPort(9090).endPort()
      .endSpec().build();

  private static EndpointSlice slice(String name, Boolean... readiness) {
    EndpointSliceBuilder b = new EndpointSliceBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).endPort()
        .addNewPort().withName("metrics").withPort(9100).endPort();
    for (int i = 0; i < readiness.length; i++) {
      var e = b.addNewEndpoint().withAddresses("10.0." + name.length() + "." + i);
      if (readiness[i] != null) {
        e.withNewConditions().withReady(readiness[i]).endConditions();
      }
      e.endEndpoint();
    }
    return b.build();
  }

  @Test
  void theServicePortNumberNamesTheSlicePort() {
    assertThat(EndpointSliceServers.portName(SERVICE, 80)).contains("http");
    assertThat(EndpointSliceServers.portName(SERVICE, 9090)).contains("metrics");
    assertThat(EndpointSliceServers.portName(SERVICE, 81)).isEmpty();
    assertThat(EndpointSliceServers.portName(null, 80)).isEmpty();
  }

  @Test
  void readyEndpointsOfEverySliceAtTheTargetPort() {
    List<Server> servers = EndpointSliceServers.servers("http",
        List.of(slice("a", true, false, null), slice("bb", true)), 5);
    // Not ready (false) is left out; a missing condition counts as ready.
    assertThat(servers).containsExactly(
        new Server("10.0.1.0", 8080, 5), new Server("10.0.1.2", 8080, 5), new Server("10.0.2.0", 8080, 5));
    assertThat(EndpointSliceServers.servers("metrics", List.of(slice("a", true)), 1))
        .containsExactly(new Server("10.0.1.0", 9100, 1));
  }

  @Test
  void anUnnamedSinglePortMatchesAnUnnamedSlicePortAndAnUnknownNameNothing() {
    EndpointSlice unnamed = new EndpointSliceBuilder()
        .withNewMetadata().withName("u").endMetadata()
        .addNewPort().withPort(3000).endPort()
        .addNewEndpoint().withAddresses("10.9.9.9").endEndpoint()
        .build();
    assertThat(EndpointSliceServers.servers("", List.of(unnamed), 1)).containsExactly(new Server("10.9.9.9", 3000, 1));
    assertThat(EndpointSliceServers.servers("grpc", List.of(slice("a", true)), 1)).isEmpty();
  }
}
