package dev.capstan.controllers.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HealthyServersTest {

  static Stream<Arguments> reports() {
    return Stream.of(
        // asked, answers (address=count), count, why unknown
        Arguments.of("", "", null, null),
        Arguments.of("a", "a=3", 3, null),
        Arguments.of("a b c", "a=3 b=3 c=3", 3, null),
        Arguments.of("a b c", "a=3 b=2 c=3", 2, null), // they disagree: the count all agree on
        Arguments.of("a b c", "a=0 b=2", 0, null), // none healthy is a count, not unknown
        Arguments.of("a b c", "b=2", 2, null), // c and a did not answer: ignored
        Arguments.of("a b", "b=2 z=0", 2, null), // a balancer no longer ready is not counted
        Arguments.of("a", "", null,
            "healthyServers unknown: the ready balancer did not answer GET /status on port 9901"),
        Arguments.of("a b", "", null,
            "healthyServers unknown: none of the 2 ready balancers answered GET /status on port 9901"));
  }

  @ParameterizedTest(name = "asked [{0}], answers [{1}] -> {2}")
  @MethodSource("reports")
  void theCountIsTheLowestAnyReadyBalancerReports(String asked, String answers, Integer count, String unknown) {
    List<String> addresses = asked.isEmpty() ? List.of() : Arrays.asList(asked.split(" "));
    Map<String, Integer> reported = new HashMap<>();
    for (String a : answers.isEmpty() ? new String[0] : answers.split(" ")) {
      String[] kv = a.split("=");
      reported.put(kv[0], Integer.parseInt(kv[1]));
    }
    assertThat(HealthyServers.of(addresses, reported, 9901)).isEqualTo(new HealthyServers(count, unknown));
  }

  @Test
  void readyBalancersAreTheReadyEndpointsOfAllSlices() {
    List<EndpointSlice> slices = List.of(
        slice(endpoint(true, "10.0.0.2"), endpoint(false, "10.0.0.3"), endpoint(null, "10.0.0.1")),
        slice(endpoint(true, "10.0.0.4", "fd00::4")),
        new EndpointSliceBuilder().withAddressType("IPv4").build()); // a Service with no pods yet
    assertThat(HealthyServers.readyAddresses(slices)).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.4");
  }

  @Test
  void noSlicesNoBalancers() {
    assertThat(HealthyServers.readyAddresses(List.of())).isEmpty();
  }

  static EndpointSlice slice(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
    return new EndpointSliceBuilder().withAddressType("IPv4").withEndpoints(endpoints).build();
  }

  /** @param ready null: the readiness is not given, which counts as ready */
  static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(Boolean ready, String... addresses) {
    return new EndpointBuilder().withAddresses(addresses).withNewConditions().withReady(ready).endConditions().build();
  }
}
