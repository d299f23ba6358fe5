package dev.capstan.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs Capstan's data-plane pods as local processes (see the package documentation).
 *
 * <p>It registers a Node, binds every pending pod labelled {@code managed-by=capstan} to it,
 * gives the pod an address of its own (see {@link #podNetwork}), materialises its ConfigMap, claim and
 * emptyDir volumes as directories (ConfigMaps kept current, as a kubelet does), starts {@code
 * java -jar capstan-dataplane.jar <args>} with the mount paths in the arguments rewritten to
 * those directories, probes readiness as the pod says, and writes the pod's status. Servers
 * bind the address in {@code CAPSTAN_BIND_HOST}. Pods of other images are reported as not
 * runnable here.
 */
public final class LocalKubelet implements AutoCloseable {

  static final String MANAGED = "app.kubernetes.io/managed-by=capstan";
  static final String DATAPLANE_IMAGE = "capstan-dataplane";
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final KubernetesClient client;
  private final String nodeName;
  private final Path state;
  private final Path jar;
  private final Map<String, LocalPod> pods = new ConcurrentHashMap<>();
  // Each kubelet starts at a random /24, so processes left over by an earlier run that was
  // killed (kill -9 runs no shutdown hook) do not hold the addresses this run hands out.
  private final AtomicInteger nextAddress =
      new AtomicInteger(250 * java.util.concurrent.ThreadLocalRandom.current().nextInt(200));
  private final String podNetwork = podNetwork();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "local-kubelet");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  public LocalKubelet(KubernetesClient client, String nodeName, Path state, Path jar) {
    this.client = client;
    this.nodeName = nodeName;
    this.state = state;
    this.jar = jar;
  }

  /**
   * The first two octets of pod addresses. Kubernetes refuses loopback addresses in
   * EndpointSlices, so pods get addresses in 198.18.0.0/16 (a benchmarking range no real network
   * uses) made local to this machine by a route — {@code ip route add local 198.18.0.0/16 dev lo},
   * which needs root and is left in place. Without it, pods fall back to 127.1.0.0/16: they
   * still serve, but Services list no endpoints, so a LoadBalancer finds no Service backends.
   */
  static String podNetwork() {
    try {
      if (!run("ip", "route", "show", "table", "local").contains("local 198.18.0.0/16")) {
        run("ip", "route", "add", "local", "198.18.0.0/16", "dev", "lo");
        log("added the route 'local 198.18.0.0/16 dev lo' for pod addresses");
      }
      return "198.18.";
    } catch (IOException e) {
      log("pods get loopback addresses (127.1.0.0/16), which EndpointSlices refuse: " + e.getMessage()
          + "; as root, 'ip route add local 198.18.0.0/16 dev lo' gives them routable ones");
      return "127.1.";
    }
  }

  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + out.strip());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Registers the node and starts following pods and ConfigMaps. */
  public LocalKubelet start() {
    // The pods are child processes, which outlive this JVM unless stopped.
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "local-kubelet-stop"));
    registerNode();
    informers.add(client.pods().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "capstan")
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            loop.execute(() -> sync(pod));
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            loop.execute(() -> sync(pod));
          }

          @Override
          public void onDelete(Pod pod, boolean unknownFinalState) {
            loop.execute(() -> forget(pod));
          }
        }));
    informers.add(client.configMaps().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "capstan")
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {}

          @Override
          public void onUpdate(ConfigMap old, ConfigMap cm) {
            loop.execute(() -> refreshConfigMap(cm));
          }

          @Override
          public void onDelete(ConfigMap cm, boolean unknownFinalState) {}
        }));
    loop.scheduleWithFixedDelay(this::heartbeat, 0, 10, TimeUnit.SECONDS);
    loop.scheduleWithFixedDelay(this::probeAll, 1, 1, TimeUnit.SECONDS);
    loop.scheduleWithFixedDelay(this::writeHostsFile, 1, 2, TimeUnit.SECONDS);
    return this;
  }

  private void registerNode() {
    if (client.nodes().withName(nodeName).get() == null) {
      client.nodes().resource(new NodeBuilder()
          .withNewMetadata().withName(nodeName)
          .addToLabels("kubernetes.io/hostname", nodeName)
          .addToLabels("kubernetes.io/os", "linux")
          .endMetadata()
          .build()).create();
    }
    heartbeat();
  }

  /** Node status and lease, so the node lifecycle controller keeps the node and its pods Ready. */
  private void heartbeat() {
    try {
      String now = Instant.now().toString();
      Map<String, Object> status = Map.of("status", Map.of(
          "conditions", List.of(Map.of("type", "Ready", "status", "True", "reason", "KubeletReady",
              "message", "capstan local kubelet", "lastHeartbeatTime", now, "lastTransitionTime", now)),
          "addresses", List.of(Map.of("type", "InternalIP", "address", "127.0.0.1"),
              Map.of("type", "Hostname", "address", nodeName)),
          "capacity", Map.of("cpu", "64", "memory", "256Gi", "pods", "250"),
          "allocatable", Map.of("cpu", "64", "memory", "256Gi", "pods", "250"),
          "nodeInfo", Map.of("kubeletVersion", "capstan-local", "operatingSystem", "linux",
              "architecture", "amd64", "containerRuntimeVersion", "process://local",
              "kernelVersion", "", "osImage", "", "kubeProxyVersion", "", "machineID", "",
              "systemUUID", "", "bootID", "")));
      client.nodes().withName(nodeName).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(status));
      Lease lease = new LeaseBuilder().withNewMetadata().withName(nodeName).withNamespace("kube-node-lease").endMetadata()
          .withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(40)
          .withRenewTime(java.time.ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build();
      client.resource(lease).serverSideApply();
    } catch (KubernetesClientException e) {
      log("node heartbeat failed: " + e.getMessage());
    }
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private void sync(Pod pod) {
    String key = key(pod);
    LocalPod local = pods.get(key);
    if (local != null && !local.uid.equals(pod.getMetadata().getUid())) {
      local.stop(Duration.ZERO);
      pods.remove(key);
      local = null;
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (local != null) {
        long grace = Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L);
        local.stop(Duration.ofSeconds(Math.min(grace, 20)));
        pods.remove(key);
      }
      try {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
            .withGracePeriod(0).delete();
      } catch (KubernetesClientException e) {
        log(key + ": final delete failed: " + e.getMessage());
      }
      return;
    }
    if (pod.getSpec().getNodeName() == null) {
      bind(pod);
      return; // the update that carries nodeName starts it
    }
    if (!nodeName.equals(pod.getSpec().getNodeName()) || local != null) {
      return;
    }
    int n = nextAddress.getAndIncrement();
    String address = podNetwork + (n / 250) + "." + (n % 250 + 1);
    local = new LocalPod(pod, address);
    pods.put(key, local);
    try {
      local.launch();
    } catch (IOException | RuntimeException e) {
      local.notRunnable("StartError", e.getMessage());
    }
    writeStatus(local);
  }

  private void bind(Pod pod) {
    try {
      client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
          .withNewMetadata().withName(pod.getMetadata().getName()).endMetadata()
          .withTarget(new ObjectReferenceBuilder().withKind("Node").withApiVersion("v1").withName(nodeName).build())
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        log(key(pod) + ": binding failed: " + e.getMessage());
      }
    }
  }

  private void forget(Pod pod) {
    LocalPod local = pods.remove(key(pod));
    if (local != null) {
      local.stop(Duration.ofSeconds(5));
    }
  }

  private void refreshConfigMap(ConfigMap cm) {
    for (LocalPod pod : pods.values()) {
      pod.refresh(cm);
    }
  }

  private void probeAll() {
    for (LocalPod pod : pods.values()) {
      try {
        if (pod.check()) {
          writeStatus(pod);
        }
      } catch (RuntimeException e) {
        log(pod.key + ": probe failed: " + e);
      }
    }
  }

  /**
   * Cluster DNS for JVMs on this machine: a hosts file ({@code -Djdk.net.hosts.file}) naming
   * every pod this kubelet runs by its pod and headless-Service names, and every Service of those
   * namespaces by a ready pod behind it (there is no kube-proxy, so a ClusterIP leads nowhere).
   */
  private void writeHostsFile() {
    try {
      Map<String, String> names = new java.util.TreeMap<>();
      names.put("localhost", "127.0.0.1"); // the file replaces name resolution, so keep the basics
      String hostname = System.getenv().getOrDefault("HOSTNAME", "");
      if (!hostname.isEmpty()) {
        names.put(hostname, "127.0.0.1");
      }
      for (LocalPod pod : pods.values()) {
        String sub = pod.pod.getSpec().getSubdomain();
        if (sub != null) {
          for (String suffix : List.of(".svc.cluster.local", ".svc")) {
            names.put(pod.name + "." + sub + "." + pod.namespace + suffix, pod.address);
          }
        }
      }
      for (String ns : pods.values().stream().map(p -> p.namespace).distinct().toList()) {
        for (var svc : client.services().inNamespace(ns).list().getItems()) {
          Map<String, String> selector = svc.getSpec().getSelector();
          if (selector == null || selector.isEmpty()) {
            continue;
          }
          pods.values().stream()
              .filter(p -> p.namespace.equals(ns) && p.ready)
              .filter(p -> p.pod.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
              .map(p -> p.address)
              .sorted()
              .findFirst()
              .ifPresent(ip -> {
                String base = svc.getMetadata().getName() + "." + ns;
                for (String suffix : List.of(".svc.cluster.local", ".svc", "")) {
                  names.put(base + suffix, ip);
                }
              });
        }
      }
      StringBuilder text = new StringBuilder("# written by the capstan local kubelet\n");
      names.forEach((host, ip) -> text.append(ip).append(' ').append(host).append('\n'));
      Path hosts = state.resolve("hosts");
      if (!Files.exists(hosts) || !Files.readString(hosts).contentEquals(text)) {
        Path tmp = state.resolve(".hosts.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException | KubernetesClientException e) {
      log("hosts file not updated: " + e.getMessage());
    }
  }

  /** The hosts file JVMs here resolve cluster names with ({@code -Djdk.net.hosts.file=...}). */
  public Path hostsFile() {
    return state.resolve("hosts");
  }

  private void writeStatus(LocalPod pod) {
    try {
      client.pods().inNamespace(pod.namespace).withName(pod.name).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", pod.status())));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log(pod.key + ": status update failed: " + e.getMessage());
      }
    }
  }

  static void log(String line) {
    System.out.println("local-kubelet: " + line);
    System.out.flush();
  }

  @Override
  public synchronized void close() {
    informers.forEach(SharedIndexInformer::close);
    loop.shutdownNow();
    // SIGTERM to every pod first, as a node shutting down does: one grace period in all, not one
    // per pod (sequential stops kept the JVM in shutdown for a long time)
    pods.values().forEach(LocalPod::terminate);
    pods.values().forEach(p -> p.stop(Duration.ofSeconds(10)));
    pods.clear();
  }

  /** One pod: its directories, its process and what its status says. */
  private final class LocalPod {
    final String key;
    final String namespace;
    final String name;
    final String uid;
    final String address;
    final Pod pod;
    final Container container;
    final Path dir;
    final Map<String, Path> mounts = new LinkedHashMap<>();
    final Map<String, String> configMapVolumes = new LinkedHashMap<>();
    final Instant startTime = Instant.now();
    Process process;
    Instant startedAt;
    int restarts;
    boolean ready;
    String waitingReason;
    String waitingMessage;
    Instant nextStart = Instant.EPOCH;

    LocalPod(Pod pod, String address) {
      this.pod = pod;
      this.key = key(pod);
      this.namespace = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.uid = pod.getMetadata().getUid();
      this.address = address;
      this.container = pod.getSpec().getContainers().get(0);
      this.dir = state.resolve("pods").resolve(namespace + "_" + name);
    }

    void launch() throws IOException {
      if (!container.getImage().contains(DATAPLANE_IMAGE)) {
        notRunnable("ImageNotRunnable", "the local kubelet runs only " + DATAPLANE_IMAGE + " images");
        return;
      }
      Files.createDirectories(dir);
      for (Volume v : pod.getSpec().getVolumes()) {
        Path host;
        if (v.getConfigMap() != null) {
          host = dir.resolve("configmaps").resolve(v.getName());
          configMapVolumes.put(v.getConfigMap().getName(), v.getName());
          ConfigMap cm = client.configMaps().inNamespace(namespace).withName(v.getConfigMap().getName()).get();
          if (cm == null) {
            notRunnable("CreateContainerConfigError", "configmap " + v.getConfigMap().getName() + " not found");
            return;
          }
          writeConfigMap(host, cm);
        } else if (v.getPersistentVolumeClaim() != null) {
          host = state.resolve("claims").resolve(namespace).resolve(v.getPersistentVolumeClaim().getClaimName());
        } else {
          host = dir.resolve("empty").resolve(v.getName());
          deleteTree(host);
        }
        Files.createDirectories(host);
        mounts.put(v.getName(), host);
      }
      // StatefulSet claims come from volumeClaimTemplates: <template>-<pod>.
      for (VolumeMount m : container.getVolumeMounts()) {
        if (!mounts.containsKey(m.getName())) {
          Path host = state.resolve("claims").resolve(namespace).resolve(m.getName() + "-" + name);
          Files.createDirectories(host);
          mounts.put(m.getName(), host);
        }
      }
      start();
    }

    /** A plain value of the container's environment; empty when unset or taken from elsewhere. */
    private String containerEnv(String name) {
      return Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of()).stream()
          .filter(e -> e.getName().equals(name) && e.getValue() != null)
          .map(EnvVar::getValue)
          .findFirst()
          .orElse("");
    }

    void start() throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx256m");
      // Small JVMs for many pods on one machine; a collector the pod names itself wins (two
      // collectors would stop the JVM from starting).
      if (!containerEnv("JAVA_TOOL_OPTIONS").matches(".*-XX:\\+Use\\w+GC.*")) {
        cmd.add("-XX:+UseSerialGC");
      }
      cmd.add("-Djdk.net.hosts.file=" + hostsFile());
      Path tmp = hostPathOf("/tmp");
      if (tmp != null) {
        cmd.add("-Djava.io.tmpdir=" + tmp);
      }
      cmd.add("-jar");
      cmd.add(jar.toString());
      for (String arg : Objects.requireNonNullElse(container.getArgs(), List.<String>of())) {
        cmd.add(rewrite(arg));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile()));
      for (EnvVar e : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
        String value = e.getValue();
        if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
          value = switch (e.getValueFrom().getFieldRef().getFieldPath()) {
            case "metadata.name" -> name;
            case "metadata.namespace" -> namespace;
            case "status.podIP" -> address;
            case "spec.nodeName" -> nodeName;
            default -> null;
          };
        }
        if (value != null) {
          pb.environment().put(e.getName(), value);
        }
      }
      pb.environment().put("CAPSTAN_BIND_HOST", address);
      Path kubeconfig = serviceAccountKubeconfig();
      if (kubeconfig != null) {
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
      }
      process = pb.start();
      startedAt = Instant.now();
      waitingReason = null;
      log(key + " started on " + address + " (pid " + process.pid() + ", log " + dir.resolve("log") + ")");
    }

    /**
     * What a kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount, as a kubeconfig
     * (the process runs outside the cluster network): the API server, its CA and a token of the
     * pod's ServiceAccount. None when the pod opts out of a token, as a kubelet would do.
     */
    Path serviceAccountKubeconfig() throws IOException {
      if (Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
        return null;
      }
      String account = Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
      String token = client.serviceAccounts().inNamespace(namespace).withName(account)
          .tokenRequest(new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
              .withNewSpec().withExpirationSeconds(24 * 3600L)
              .withNewBoundObjectRef().withKind("Pod").withApiVersion("v1").withName(name).withUid(uid).endBoundObjectRef()
              .endSpec().build())
          .getStatus().getToken();
      var config = client.getConfiguration();
      String ca = config.getCaCertData();
      if (ca == null && config.getCaCertFile() != null) {
        ca = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
      }
      Path file = dir.resolve("serviceaccount.kubeconfig");
      Files.writeString(file, """
          apiVersion: v1
          kind: Config
          clusters: [{name: local, cluster: {server: "%s", certificate-authority-data: "%s"}}]
          users: [{name: %s, user: {token: "%s"}}]
          contexts: [{name: local, context: {cluster: local, user: %s, namespace: %s}}]
          current-context: local
          """.formatted(config.getMasterUrl(), ca, account, token, account, namespace));
      return file;
    }

    String rewrite(String arg) {
      return container.getVolumeMounts().stream()
          .sorted(Comparator.comparingInt((VolumeMount m) -> m.getMountPath().length()).reversed())
          .filter(m -> arg.equals(m.getMountPath()) || arg.startsWith(m.getMountPath() + "/"))
          .findFirst()
          .map(m -> mounts.get(m.getName()) + arg.substring(m.getMountPath().length()))
          .orElse(arg);
    }

    Path hostPathOf(String mountPath) {
      return container.getVolumeMounts().stream()
          .filter(m -> m.getMountPath().equals(mountPath))
          .findFirst()
          .map(m -> mounts.get(m.getName()))
          .orElse(null);
    }

    void refresh(ConfigMap cm) {
      if (!namespace.equals(cm.getMetadata().getNamespace())) {
        return;
      }
      String volume = configMapVolumes.get(cm.getMetadata().getName());
      if (volume != null) {
        try {
          writeConfigMap(mounts.get(volume), cm);
          log(key + ": configmap " + cm.getMetadata().getName() + " updated in place");
        } catch (IOException e) {
          log(key + ": configmap update failed: " + e.getMessage());
        }
      }
    }

    /** Returns whether the status changed. */
    boolean check() {
      if (process == null) {
        return false;
      }
      if (!process.isAlive()) {
        if (startedAt != null) {
          int exit = process.exitValue();
          log(key + " exited with " + exit + "; restarting with back-off (log " + dir.resolve("log") + ")");
          restarts++;
          startedAt = null;
          ready = false;
          waitingReason = "CrashLoopBackOff";
          waitingMessage = "exited with " + exit;
          nextStart = Instant.now().plusSeconds(Math.min(60, 5L << Math.min(restarts, 4)));
          return true;
        }
        if (Instant.now().isAfter(nextStart)) {
          try {
            start();
          } catch (IOException e) {
            waitingMessage = e.getMessage();
          }
          return true;
        }
        return false;
      }
      boolean now = probe(container.getReadinessProbe());
      boolean changed = now != ready;
      ready = now;
      return changed;
    }

    boolean probe(Probe probe) {
      if (probe == null) {
        return true;
      }
      try {
        if (probe.getHttpGet() != null) {
          int port = port(probe.getHttpGet().getPort());
          HttpResponse<Void> r = http.send(HttpRequest.newBuilder(
                  URI.create("http://" + address + ":" + port + probe.getHttpGet().getPath()))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
          return r.statusCode() >= 200 && r.statusCode() < 400;
        }
        if (probe.getTcpSocket() != null) {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port(probe.getTcpSocket().getPort())), 1000);
            return true;
          }
        }
        return true;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    int port(IntOrString port) {
      if (port.getIntVal() != null) {
        return port.getIntVal();
      }
      return Objects.requireNonNullElse(container.getPorts(), List.<ContainerPort>of()).stream()
          .filter(p -> port.getStrVal().equals(p.getName()))
          .findFirst()
          .map(ContainerPort::getContainerPort)
          .orElseThrow(() -> new IllegalStateException("no container port named " + port.getStrVal()));
    }

    void notRunnable(String reason, String message) {
      waitingReason = reason;
      waitingMessage = message;
      log(key + " not runnable: " + reason + ": " + message);
    }

    Map<String, Object> status() {
      String now = Instant.now().toString();
      boolean running = process != null && process.isAlive();
      Map<String, Object> containerState = running
          ? Map.of("running", Map.of("startedAt", startedAt.toString()))
          : Map.of("waiting", Map.of("reason", Objects.requireNonNullElse(waitingReason, "ContainerCreating"),
              "message", Objects.requireNonNullElse(waitingMessage, "")));
      String readyText = ready && running ? "True" : "False";
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("phase", running ? "Running" : "Pending");
      status.put("hostIP", "127.0.0.1");
      status.put("hostIPs", List.of(Map.of("ip", "127.0.0.1")));
      status.put("podIP", address);
      status.put("podIPs", List.of(Map.of("ip", address)));
      status.put("startTime", startTime.toString());
      status.put("conditions", List.of(
          Map.of("type", "PodScheduled", "status", "True", "lastTransitionTime", startTime.toString()),
          Map.of("type", "Initialized", "status", "True", "lastTransitionTime", startTime.toString()),
          Map.of("type", "ContainersReady", "status", readyText, "lastTransitionTime", now),
          Map.of("type", "Ready", "status", readyText, "lastTransitionTime", now)));
      status.put("containerStatuses", List.of(Map.of(
          "name", container.getName(),
          "image", container.getImage(),
          "imageID", "",
          "containerID", process == null ? "" : "process://" + process.pid(),
          "ready", ready && running,
          "started", running,
          "restartCount", restarts,
          "state", containerState)));
      return status;
    }

    /** Asks the process to stop (SIGTERM) without waiting. */
    void terminate() {
      if (process != null && process.isAlive()) {
        process.destroy();
      }
    }

    void stop(Duration grace) {
      if (process == null || !process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      log(key + " stopped");
    }
  }

  private static void writeConfigMap(Path dir, ConfigMap cm) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> e : Objects.requireNonNullElse(cm.getData(), Map.<String, String>of()).entrySet()) {
      Path tmp = dir.resolve("." + e.getKey() + ".tmp");
      Files.writeString(tmp, e.getValue(), StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(e.getKey()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** {@code LocalKubelet STATE_DIR DATAPLANE_JAR}, with KUBECONFIG naming the cluster; stops on SIGTERM. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: LocalKubelet STATE_DIR DATAPLANE_JAR   (KUBECONFIG names the cluster)");
      System.exit(2);
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    LocalKubelet kubelet = new LocalKubelet(client, "capstan-local", Path.of(args[0]), Path.of(args[1])).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kubelet.close();
      client.close();
    }));
    log("node capstan-local registered; running pods labelled " + MANAGED);
    Thread.currentThread().join();
  }
}
