package dev.capstan.controllers.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.api.tsdb.TsdbCluster;
import dev.capstan.controllers.broker.MessageBrokerResources;
import dev.capstan.controllers.lb.LoadBalancerResources;
import dev.capstan.controllers.support.Fixtures;
import dev.capstan.controllers.tsdb.TsdbClusterResources;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every data-plane pod needs from its template, whichever controller builds it. */
class DataPlanePodsTest {
  private static final ControllerSettings SETTINGS = new ControllerSettings("capstan/dataplane:test");

  static Stream<Arguments> pods() {
    TsdbCluster tsdb = Fixtures.parse(TsdbCluster.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: TsdbCluster
        metadata: {name: metrics, namespace: obs}
        spec: {}
        """);
    MessageBroker broker = Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec: {}
        """);
    LoadBalancer lb = Fixtures.parse(LoadBalancer.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: LoadBalancer
        metadata: {name: web, namespace: shop}
        spec:
          listeners: [{port: 8080}]
          backends: [{host: 192.0.2.10, port: 80}]
        """);
    return Stream.of(
        Arguments.of("tsdb", TsdbClusterResources.statefulSet(tsdb, SETTINGS).getSpec().getTemplate().getSpec()),
        Arguments.of("broker", MessageBrokerResources.statefulSet(broker, SETTINGS).getSpec().getTemplate().getSpec()),
        Arguments.of("lb", LoadBalancerResources.deployment(lb, SETTINGS).getSpec().getTemplate().getSpec()));
  }

  /**
   * Netty's native epoll and snappy-java extract their libraries to java.io.tmpdir and the JVM
   * writes hsperfdata there: with a read-only root, /tmp must be a volume of its own.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void aReadOnlyRootComesWithAWritableBoundedTmp(String server, PodSpec pod) {
    assertThat(pod.getContainers()).singleElement().satisfies(c -> {
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/tmp"))
          .singleElement()
          .satisfies(m -> assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE))
          .extracting(VolumeMount::getName)
          .isEqualTo(PodTemplates.SCRATCH_VOLUME);
    });
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(PodTemplates.SCRATCH_VOLUME))
        .singleElement()
        .extracting(Volume::getEmptyDir)
        .satisfies(dir -> {
          assertThat(dir).isNotNull();
          // On disk, not tmpfs: tmpfs pages would count against the container's memory limit.
          assertThat(dir.getMedium()).isNull();
          assertThat(dir.getSizeLimit()).isEqualTo(new Quantity("64Mi"));
        });
    // Every mount names a volume of the pod (or a claim template, checked per controller).
    assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotHaveDuplicates();
  }

  /**
   * The JVM sizes its heap from the container's memory limit (by default it would take a quarter
   * of it) and exits on running out of heap, so the kubelet restarts it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void theJvmSizesItsHeapFromTheContainerAndExitsWhenOutOfIt(String server, PodSpec pod) {
    assertThat(pod.getContainers()).singleElement().satisfies(c ->
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
            .singleElement()
            .satisfies(e -> assertThat(e.getValue().split(" "))
                .contains("-XX:MaxRAMPercentage=50.0", "-XX:+ExitOnOutOfMemoryError")));
  }

  /** Small heaps of short-lived buffers take the parallel collector; the TSDB's memtables G1. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void theCollectorFollowsWhatTheHeapHolds(String server, PodSpec pod) {
    String options = pod.getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue();
    if (server.equals("tsdb")) {
      assertThat(options).doesNotContain("GC");
    } else {
      assertThat(options.split(" ")).containsOnlyOnce("-XX:+UseParallelGC");
    }
    // The balancer promotes its start-up state at the second young collection, not the eighth.
    if (server.equals("lb")) {
      assertThat(options.split(" ")).containsOnlyOnce("-XX:MaxTenuringThreshold=1");
    } else {
      assertThat(options).doesNotContain("TenuringThreshold");
    }
  }

  /**
   * The balancer's JVM keeps no performance-counter file (its sampler thread would wake 20 times
   * a second) and compiles its rare branches instead of trapping on them (each trap sent the
   * event loop's request path back to the interpreter); the other servers keep the defaults.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void onlyTheBalancerRunsWithoutPerformanceCountersOrUncommonTraps(String server, PodSpec pod) {
    String options = pod.getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue();
    if (server.equals("lb")) {
      assertThat(options.split(" ")).containsOnlyOnce("-XX:-UsePerfData", "-XX:PerMethodTrapLimit=0");
    } else {
      assertThat(options).doesNotContain("PerfData").doesNotContain("TrapLimit");
    }
  }
}
