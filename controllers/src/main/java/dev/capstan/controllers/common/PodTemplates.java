package dev.capstan.controllers.common;

import dev.capstan.api.common.StorageSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Map;

/** Pod-template pieces every data-plane workload shares. */
public final class PodTemplates {
  /** The uid of the non-root user the data-plane image runs as. */
  public static final long RUN_AS_USER = 10001L;
  /** Where every data-plane server reads the file its ConfigMap holds. */
  public static final String CONFIG_DIR = "/etc/capstan";
  public static final String CONFIG_VOLUME = "config";
  /** The port name of /health and /metrics ({@code Ports.ADMIN}). */
  public static final String ADMIN_PORT_NAME = "admin";
  static final String DATA_VOLUME = "data";
  /** The writable scratch directory: java.io.tmpdir of the data-plane JVM. */
  public static final String SCRATCH_DIR = "/tmp";
  public static final String SCRATCH_VOLUME = "tmp";
  /**
   * Bounds the scratch space, which holds only the extracted native libraries (Netty epoll,
   * snappy) and the JVM's hsperfdata, a few MiB; a pod writing more is evicted, not the node.
   */
  static final String SCRATCH_SIZE_LIMIT = "64Mi";

  private PodTemplates() {}

  public static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS_USER)
        .withFsGroup(RUN_AS_USER)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  public static SecurityContext containerSecurityContext() {
    Capabilities none = new CapabilitiesBuilder().withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withCapabilities(none)
        .build();
  }

  /** Spread replicas over nodes when the scheduler can, without refusing to schedule. */
  public static Affinity spreadOverNodes(Map<String, String> selector) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewLabelSelector()
        .withMatchLabels(selector)
        .endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  /** The ConfigMap of a data-plane server as a pod volume. */
  public static Volume configVolume(String configMapName) {
    return new VolumeBuilder()
        .withName(CONFIG_VOLUME)
        .withNewConfigMap()
        .withName(configMapName)
        .endConfigMap()
        .build();
  }

  /** The server's configuration, read-only at {@link #CONFIG_DIR}. */
  public static VolumeMount configMount() {
    return new VolumeMountBuilder().withName(CONFIG_VOLUME).withMountPath(CONFIG_DIR).withReadOnly(true).build();
  }

  /**
   * Writable scratch space for a container whose root filesystem is read-only: Netty's native
   * epoll transport and snappy-java extract their shared libraries to java.io.tmpdir before
   * loading them, and the JVM writes its hsperfdata there. Without it the servers fall back to
   * NIO or fail to start. On the node's disk (the default medium), so it is not counted
   * against the pod's memory limit as tmpfs would be.
   */
  public static Volume scratchVolume() {
    return new VolumeBuilder()
        .withName(SCRATCH_VOLUME)
        .withNewEmptyDir()
        .withSizeLimit(new Quantity(SCRATCH_SIZE_LIMIT))
        .endEmptyDir()
        .build();
  }

  /** {@link #scratchVolume()} at {@link #SCRATCH_DIR}. */
  public static VolumeMount scratchMount() {
    return new VolumeMountBuilder().withName(SCRATCH_VOLUME).withMountPath(SCRATCH_DIR).build();
  }

  /**
   * The StatefulSet every stateful data-plane server (tsdb, broker) runs in, named after its
   * owner: pods started in parallel behind a headless Service, spread over nodes, rolled when the
   * configuration's hash changes, with the ConfigMap at {@link #CONFIG_DIR}, scratch space at
   * {@link #SCRATCH_DIR} and one volume per replica at {@code dataDir}.
   *
   * @param restartConfig the configuration the server reads only at start: its hash on the pod
   *     template rolls the pods when it changes
   * @param server the server container — name, image, args, ports, env, resources, probes; the
   *     security context and the three mounts are added here
   */
  public static StatefulSet statefulServer(
      String component,
      HasMetadata owner,
      String headlessService,
      int replicas,
      String configMapName,
      Map<String, String> restartConfig,
      StorageSpec storage,
      String dataDir,
      Container server) {
    Map<String, String> selector = Labels.selector(component, owner);
    Container container = new ContainerBuilder(server)
        .withSecurityContext(containerSecurityContext())
        .addNewVolumeMount()
        .withName(DATA_VOLUME)
        .withMountPath(dataDir)
        .endVolumeMount()
        .addToVolumeMounts(configMount(), scratchMount())
        .build();
    return new StatefulSetBuilder()
        .withMetadata(Labels.metadata(component, owner, owner.getMetadata().getName()))
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(headlessService)
        // Replicas start together: one waiting for another to be ready would wait forever when
        // the first needs its peers to become ready.
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.of(component, owner))
        .withAnnotations(Map.of(ConfigHash.ANNOTATION, ConfigHash.of(restartConfig)))
        .endMetadata()
        .withNewSpec()
        .withSecurityContext(podSecurityContext())
        .withAffinity(spreadOverNodes(selector))
        .withTerminationGracePeriodSeconds(30L)
        .withContainers(container)
        .withVolumes(configVolume(configMapName), scratchVolume())
        .endSpec()
        .endTemplate()
        .addToVolumeClaimTemplates(dataVolumeClaim(DATA_VOLUME, component, owner, storage))
        .endSpec()
        .build();
  }

  /** An HTTP GET probe with the timeout every data-plane server meets. */
  public static Probe httpProbe(String path, int port, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(port))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(2)
        .build();
  }

  /** The claim template of each replica's data volume. */
  private static PersistentVolumeClaim dataVolumeClaim(
      String volume, String component, HasMetadata owner, StorageSpec storage) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(volume)
        .withLabels(Labels.of(component, owner))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.storageClassName())
        .withNewResources()
        .withRequests(Map.of("storage", new Quantity(storage.sizeOrDefault())))
        .endResources()
        .endSpec()
        .build();
  }

  /** Lets voluntary disruptions (drains, upgrades) take one replica at a time. */
  public static PodDisruptionBudget oneAtATime(String component, HasMetadata owner, String name) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(Labels.metadata(component, owner, name))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(Labels.selector(component, owner))
        .endSelector()
        .endSpec()
        .build();
  }

  /**
   * The data-plane JVM's options, read by the JVM itself from {@code JAVA_TOOL_OPTIONS}. The heap
   * is sized from the container's memory limit; half of it, because Netty's direct buffers (up
   * to the heap's size again), metaspace, thread stacks and the TSDB's file mappings live beside
   * it. A JVM out of heap exits so that the kubelet restarts it, instead of limping on.
   */
  static final String JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError";

  /**
   * The collector of the servers whose heap holds only short-lived request buffers (balancer,
   * broker: records live in the page cache): the parallel collector's cheaper barriers and
   * allocation paths cost less CPU per request than G1's, and the young collections of a small
   * heap stay short (docs/BENCHMARKS.md has the A/B). The TSDB keeps G1: its memtables are a
   * large, long-lived heap whose full collections the parallel collector would stop for.
   */
  public static final String THROUGHPUT_GC = "-XX:+UseParallelGC";

  /**
   * With {@link #THROUGHPUT_GC}, for the balancer: what survives one young collection is
   * promoted at the next. What survives there is the server's own state, made at start (some
   * 7 MB: strings, tables, pools), while a request's garbage is dead by the next collection.
   * The parallel collector's default keeps survivors for up to seven collections and copies
   * them at each: under bench/lb.sh on a busy 2-vCPU machine those collections stopped the event
   * loop for 20-70 ms each, the ones after the promotion for 1-2 ms.
   */
  public static final String EARLY_TENURING = "-XX:MaxTenuringThreshold=1";

  /**
   * For the balancer, whose one event loop per core shares the node's cores with everything
   * else: no performance-counter memory. With it, the JVM's periodic task thread wakes every
   * 50 ms to sample counters into a file under /tmp (about 22 wake-ups a second, each a
   * preemption of whatever runs on that core: under bench/lb.sh, 220 in 10 s against 2 without
   * it). jcmd still attaches by pid; only jps and jstat no longer list the JVM.
   */
  public static final String NO_PERF_DATA = "-XX:-UsePerfData";

  /**
   * For the balancer: C2 compiles both sides of a branch its profile never saw taken instead
   * of leaving a trap there. A proxy's rare branches are taken sooner or later in steady
   * traffic (a backend connection to open when the pool is empty, a write to a client that just
   * closed, the first idle timer firing after a minute), and each trap threw the event loop's
   * whole request path (read, choose, attach, flush; the epoll loop itself) back to the
   * interpreter until C2 had compiled it again: 200-400 ms of compiler CPU every few windows of
   * a 70-second load, beside an event loop running slow code meanwhile. With no trap limit, the
   * same load compiled 140-380 ms in all after its first 10 seconds, against 670-940 ms, and no
   * burst over 100 ms, at no cost per request (event-loop CPU 27 against 29 microseconds a request;
   * bench/lb.sh's load in 5-second windows, three A/B pairs of JVMs on a busy machine).
   */
  public static final String NO_UNCOMMON_TRAPS = "-XX:PerMethodTrapLimit=0";

  /**
   * The environment of every data-plane server: {@code JAVA_TOOL_OPTIONS} ({@link
   * #JAVA_TOOL_OPTIONS} and the server's own {@code jvmOptions}), and POD_NAME and POD_NAMESPACE
   * from the downward API. The field references spell out apiVersion v1, which the API server
   * would otherwise default: the difference made every new workload look drifted and be applied
   * a second time.
   */
  public static List<EnvVar> serverEnv(String... jvmOptions) {
    String options = jvmOptions.length == 0 ? JAVA_TOOL_OPTIONS
        : JAVA_TOOL_OPTIONS + " " + String.join(" ", jvmOptions);
    return List.of(
        new EnvVarBuilder().withName("JAVA_TOOL_OPTIONS").withValue(options).build(),
        new EnvVarBuilder()
            .withName("POD_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withApiVersion("v1")
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("POD_NAMESPACE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withApiVersion("v1")
            .withFieldPath("metadata.namespace")
            .endFieldRef()
            .endValueFrom()
            .build());
  }
}
