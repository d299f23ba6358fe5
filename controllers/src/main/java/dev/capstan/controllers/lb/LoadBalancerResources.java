package dev.capstan.controllers.lb;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.config.BalancerConfig.StatusRange;
import dev.capstan.api.config.Ports;
import dev.capstan.api.lb.Backend;
import dev.capstan.api.lb.HashKey;
import dev.capstan.api.lb.HealthCheck;
import dev.capstan.api.lb.LeastTime;
import dev.capstan.api.lb.Listener;
import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.api.lb.LoadBalancerSpec;
import dev.capstan.api.lb.LoadBalancerSpec.Algorithm;
import dev.capstan.api.lb.LoadBalancerSpec.Mode;
import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import dev.capstan.api.lb.SessionPersistence;
import dev.capstan.api.lb.Timeouts;
import dev.capstan.api.lb.TwoChoices;
import dev.capstan.controllers.common.ConfigHash;
import dev.capstan.controllers.common.ConfigYaml;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.Labels;
import dev.capstan.controllers.common.PodTemplates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes objects a LoadBalancer should own, as pure functions of the resource: a
 * ConfigMap with the balancer configuration, a Service of the requested type with a port per
 * listener, the Deployment of balancer pods, and the balancers' identity: a ServiceAccount and
 * a Role, bound to it, to follow the EndpointSlices of Service backends.
 */
public final class LoadBalancerResources {
  public static final String COMPONENT = "lb";

  /** What an HTTP probe accepts when the user lists no statuses: any 2xx or 3xx. */
  static final List<StatusRange> DEFAULT_EXPECTED_STATUSES = List.of(new StatusRange(200, 399));

  /** Below this port a non-root process may not bind unless the pod lowers the limit. */
  static final int FIRST_UNPRIVILEGED_PORT = 1024;
  static final String UNPRIVILEGED_PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start";

  private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
  private static final Pattern CIDR = Pattern.compile("([0-9a-fA-F:.]+)/([0-9]{1,3})");
  /** Starts as InetAddress expects an IPv6 literal to, so that it never tries DNS instead. */
  private static final Pattern IPV6_SHAPE = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*");

  private LoadBalancerResources() {}

  public static String configMapName(LoadBalancer lb) {
    return lb.getMetadata().getName() + "-config";
  }

  public static String serviceName(LoadBalancer lb) {
    return lb.getMetadata().getName();
  }

  /** The port name of a listener in the Service and the pods. */
  public static String listenerName(Listener listener) {
    return listener.name() != null ? listener.name() : "l-" + listener.port();
  }

  /** The addresses clients inside the cluster use, one per listener. */
  public static List<String> endpoints(LoadBalancer lb) {
    String host = serviceName(lb) + "." + lb.getMetadata().getNamespace() + ".svc";
    return lb.getSpec().listeners().stream().map(l -> host + ":" + l.port()).toList();
  }

  /**
   * Why the spec cannot be served, for rules the schema cannot express; empty when fine. Every
   * problem is named, so that one round of fixes is enough.
   */
  public static Optional<String> invalid(LoadBalancer lb) {
    LoadBalancerSpec spec = lb.getSpec();
    List<String> problems = new ArrayList<>();
    checkListeners(spec, problems);
    checkBackends(lb, problems);
    List<String> proxies = spec.trustedProxiesOrEmpty();
    for (int i = 0; i < proxies.size(); i++) {
      String field = "trustedProxies[" + i + "] ";
      cidrProblem(proxies.get(i)).ifPresent(p -> problems.add(field + p));
    }
    checkDurations(spec, problems);
    // The schema refuses this too; a resource stored before the rule existed is caught here,
    // rather than by balancers that would refuse the configuration.
    if (spec.proxyProtocolOrDefault() != ProxyProtocol.None && spec.modeOrDefault() != Mode.TCP) {
      problems.add("proxyProtocol " + spec.proxyProtocol() + " needs mode TCP; in mode HTTP servers get "
          + "the client address in X-Forwarded-For");
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  private static void checkListeners(LoadBalancerSpec spec, List<String> problems) {
    Map<String, Integer> firstWithName = new HashMap<>();
    List<Listener> listeners = spec.listeners();
    for (int i = 0; i < listeners.size(); i++) {
      Listener l = listeners.get(i);
      String field = "listeners[" + i + "]";
      if (l.port() == Ports.ADMIN) {
        problems.add(field + ".port " + Ports.ADMIN + " is taken by the balancer's admin port");
      }
      String name = listenerName(l);
      if (name.equals(PodTemplates.ADMIN_PORT_NAME)) {
        problems.add(field + ".name admin is taken by the balancer's admin port");
      }
      Integer earlier = firstWithName.putIfAbsent(name, i);
      if (earlier != null) {
        boolean generated = l.name() == null || listeners.get(earlier).name() == null;
        problems.add("listeners[" + earlier + "] and " + field + " share the port name " + name
            + (generated ? " (a listener without a name is called l-<port>)" : ""));
      }
    }
  }

  private static void checkBackends(LoadBalancer lb, List<String> problems) {
    List<Backend> backends = lb.getSpec().backends();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      Backend b = backends.get(i);
      String field = "backends[" + i + "]";
      if (b.service() != null && b.service().name().equals(serviceName(lb))) {
        problems.add(field + ".service " + b.service().name()
            + " is this LoadBalancer's own Service, so traffic would loop back to the balancers");
      }
      String target = b.service() != null
          ? "service " + b.service().name() + " port " + b.service().port()
          : "host " + b.host() + " port " + b.port();
      int earlier = seen.indexOf(target);
      if (earlier >= 0) {
        problems.add(field + " repeats backends[" + earlier + "] (" + target
            + "): raise the weight of one instead");
      }
      seen.add(target);
    }
  }

  /** What is wrong with a CIDR block, judged without any name lookup. */
  static Optional<String> cidrProblem(String cidr) {
    Matcher m = CIDR.matcher(cidr);
    if (!m.matches()) {
      return Optional.of(cidr + " is not a CIDR block such as 10.0.0.0/8");
    }
    String address = m.group(1);
    boolean v6 = address.contains(":");
    // InetAddress looks up through DNS whatever it does not take for a literal, and takes
    // shorthands such as 10.1 for IPv4; so IPv4 is checked here and IPv6 handed over only in
    // a shape it parses or refuses.
    if (!v6 && !isDottedQuad(address)) {
      return Optional.of(cidr + ": " + address + " is not an IPv4 address such as 10.0.0.0");
    }
    if (v6) {
      try {
        if (!IPV6_SHAPE.matcher(address).matches()) {
          throw new UnknownHostException(address);
        }
        InetAddress.getByName(address);
      } catch (UnknownHostException e) {
        return Optional.of(cidr + ": " + address + " is not an IPv6 address such as fd00::");
      }
    }
    int maxPrefix = v6 ? 128 : 32;
    if (Integer.parseInt(m.group(2)) > maxPrefix) {
      return Optional.of(cidr + ": the prefix length must be at most " + maxPrefix);
    }
    return Optional.empty();
  }

  private static boolean isDottedQuad(String text) {
    Matcher m = IPV4.matcher(text);
    if (!m.matches()) {
      return false;
    }
    for (int g = 1; g <= 4; g++) {
      String octet = m.group(g);
      // A leading zero reads as octal to some parsers and decimal to others; refuse it.
      if (Integer.parseInt(octet) > 255 || (octet.length() > 1 && octet.startsWith("0"))) {
        return false;
      }
    }
    return true;
  }

  private static void checkDurations(LoadBalancerSpec spec, List<String> problems) {
    Timeouts t = spec.timeouts();
    if (t != null) {
      positiveDuration("timeouts.connect", t.connect(), problems);
      positiveDuration("timeouts.response", t.response(), problems);
      positiveDuration("timeouts.idle", t.idle(), problems);
    }
    HealthCheck hc = spec.healthCheck();
    if (hc != null && hc.active() != null) {
      HealthCheck.Active a = hc.active();
      Optional<Duration> interval =
          positiveDuration("healthCheck.active.interval", a.intervalOrDefault(), problems);
      Optional<Duration> timeout =
          positiveDuration("healthCheck.active.timeout", a.timeoutOrDefault(), problems);
      if (interval.isPresent() && timeout.isPresent() && timeout.get().compareTo(interval.get()) > 0) {
        problems.add("healthCheck.active.timeout " + a.timeoutOrDefault() + " is longer than interval "
            + a.intervalOrDefault() + ", so probes would overlap");
      }
    }
    if (hc != null && hc.passive() != null) {
      positiveDuration("healthCheck.passive.failTimeout", hc.passive().failTimeout(), problems);
    }
    SessionPersistence sp = spec.sessionPersistence();
    if (sp != null && sp.cookie() != null && sp.cookie().ttl() != null) {
      positiveDuration("sessionPersistence.cookie.ttl", sp.cookie().ttl(), problems)
          .filter(ttl -> ttl.compareTo(Duration.ofSeconds(1)) < 0)
          .ifPresent(ttl -> problems.add("sessionPersistence.cookie.ttl " + sp.cookie().ttl()
              + " is under 1s, but a cookie's Max-Age counts whole seconds and 0 deletes the cookie"));
    }
  }

  /** The duration when it is set and valid; a problem is recorded when it is set and not. */
  private static Optional<Duration> positiveDuration(String field, String text, List<String> problems) {
    if (text == null) {
      return Optional.empty();
    }
    Duration d;
    try {
      d = BalancerConfig.parseDuration(text);
    } catch (IllegalArgumentException e) {
      problems.add(field + ": " + e.getMessage());
      return Optional.empty();
    }
    if (d.isZero()) {
      problems.add(field + " must be longer than 0");
      return Optional.empty();
    }
    return Optional.of(d);
  }

  /** The balancer configuration with every default resolved. */
  public static BalancerConfig balancerConfig(LoadBalancer lb) {
    LoadBalancerSpec spec = lb.getSpec();
    Algorithm algorithm = spec.algorithmOrDefault();
    boolean twoChoices = algorithm == Algorithm.RandomTwoChoices;
    TwoChoices.Basis twoChoicesBasis = twoChoices ? TwoChoices.basisOf(spec.twoChoices()) : null;
    boolean timed = algorithm == Algorithm.LeastTime || twoChoicesBasis == TwoChoices.Basis.LeastTime;
    Timeouts timeouts = spec.timeoutsOrDefault();
    return new BalancerConfig(
        spec.modeOrDefault(),
        algorithm,
        algorithm == Algorithm.Hash ? hashKey(spec.hashKey()) : null,
        timed ? LeastTime.basisOf(spec.leastTime()) : null,
        twoChoicesBasis,
        sessionCookie(spec.sessionPersistence()),
        spec.trustedProxiesOrEmpty(),
        // Absent when None, so the balancers of LoadBalancers that never set it read the same file.
        spec.proxyProtocolOrDefault() == ProxyProtocol.None ? null : spec.proxyProtocolOrDefault(),
        spec.listeners().stream().map(l -> new BalancerConfig.Listener(listenerName(l), l.port())).toList(),
        spec.backends().stream().map(b -> backend(lb, b)).toList(),
        activeHealthCheck(spec.healthCheck()),
        passiveHealthCheck(spec.healthCheck()),
        new BalancerConfig.Timeouts(
            timeouts.connectOrDefault(), timeouts.responseOrDefault(), timeouts.idleOrDefault()),
        Ports.ADMIN);
  }

  private static BalancerConfig.HashKey hashKey(HashKey key) {
    // The schema requires a hashKey with Hash; this guards an object the API server never saw.
    if (key == null) {
      throw new IllegalArgumentException("hashKey is required when algorithm is Hash");
    }
    return new BalancerConfig.HashKey(key.source(), key.name());
  }

  private static BalancerConfig.SessionCookie sessionCookie(SessionPersistence persistence) {
    if (persistence == null || persistence.type() != SessionPersistence.Type.Cookie) {
      return null;
    }
    SessionPersistence.Cookie cookie =
        persistence.cookie() == null ? SessionPersistence.Cookie.DEFAULTS : persistence.cookie();
    return new BalancerConfig.SessionCookie(cookie.nameOrDefault(), cookie.pathOrDefault(), cookie.ttl());
  }

  private static BalancerConfig.Backend backend(LoadBalancer lb, Backend b) {
    if (b.service() != null) {
      return BalancerConfig.Backend.ofService(
          b.service().name(), lb.getMetadata().getNamespace(), b.service().port(), b.weightOrDefault());
    }
    return BalancerConfig.Backend.ofHost(b.host(), b.port(), b.weightOrDefault());
  }

  private static BalancerConfig.ActiveHealthCheck activeHealthCheck(HealthCheck hc) {
    if (hc == null || hc.active() == null) {
      return null;
    }
    HealthCheck.Active a = hc.active();
    boolean http = a.type() == HealthCheck.Active.Type.HTTP;
    List<StatusRange> statuses = a.expectedStatuses() == null || a.expectedStatuses().isEmpty()
        ? DEFAULT_EXPECTED_STATUSES
        : a.expectedStatuses().stream().map(StatusRange::of).toList();
    return new BalancerConfig.ActiveHealthCheck(
        a.type(),
        http ? a.pathOrDefault() : null,
        http ? statuses : null,
        a.intervalOrDefault(),
        a.timeoutOrDefault(),
        a.healthyThresholdOrDefault(),
        a.unhealthyThresholdOrDefault());
  }

  private static BalancerConfig.PassiveHealthCheck passiveHealthCheck(HealthCheck hc) {
    HealthCheck.Passive p = hc == null || hc.passive() == null ? HealthCheck.Passive.DEFAULTS : hc.passive();
    return new BalancerConfig.PassiveHealthCheck(p.maxFailsOrDefault(), p.failTimeoutOrDefault());
  }

  public static ConfigMap configMap(LoadBalancer lb) {
    return new ConfigMapBuilder()
        .withMetadata(Labels.metadata(COMPONENT, lb, configMapName(lb)))
        .withData(configData(lb))
        .build();
  }

  static Map<String, String> configData(LoadBalancer lb) {
    return Map.of(BalancerConfig.FILE, ConfigYaml.render(balancerConfig(lb)));
  }

  /**
   * The part of the balancer configuration a balancer reads only at start — mode, listeners,
   * admin port — which the pod template's config hash covers. Algorithm, backends, health checks,
   * persistence, timeouts and the PROXY protocol (sent on each new server connection) are
   * reloaded live from the mounted ConfigMap without dropping
   * connections, so changing them does not roll the balancers.
   */
  static Map<String, String> restartConfigData(LoadBalancer lb) {
    BalancerConfig c = balancerConfig(lb);
    BalancerConfig atStart = new BalancerConfig(c.mode(), null, null, null, null, null, null, null,
        c.listeners(), null, null, null, null, c.adminPort());
    return Map.of(BalancerConfig.FILE, ConfigYaml.render(atStart));
  }

  public static Service service(LoadBalancer lb) {
    List<ServicePort> ports = lb.getSpec().listeners().stream()
        .map(l -> new ServicePortBuilder()
            .withName(listenerName(l))
            .withProtocol("TCP")
            .withPort(l.port())
            .withTargetPort(new IntOrString(listenerName(l)))
            .build())
        .toList();
    return new ServiceBuilder()
        .withMetadata(Labels.metadata(COMPONENT, lb, serviceName(lb)))
        .withNewSpec()
        .withType(lb.getSpec().serviceTypeOrDefault().name())
        .withSelector(Labels.selector(COMPONENT, lb))
        .withPorts(ports)
        .endSpec()
        .build();
  }

  /**
   * The name of the balancer pods' ServiceAccount, and of the Role and RoleBinding that give
   * it its permissions. Not the bare LoadBalancer name: the application behind a LoadBalancer
   * "web" often has a ServiceAccount "web" of its own, which the operator would otherwise take
   * over and, through the owner reference, delete with the LoadBalancer.
   */
  public static String identityName(LoadBalancer lb) {
    return lb.getMetadata().getName() + "-balancer";
  }

  /** Whether some backend is a Service, whose EndpointSlices the balancers then follow. */
  public static boolean followsServices(LoadBalancer lb) {
    return lb.getSpec().backends().stream().anyMatch(b -> b.service() != null);
  }

  /**
   * The identity of the balancer pods. It and the Role exist whatever the backends are, so
   * that switching backends between hosts and Services never leaves an object behind or asks
   * for one that is missing; whether the pods get a token is decided on the pod template.
   */
  public static ServiceAccount serviceAccount(LoadBalancer lb) {
    return new ServiceAccountBuilder()
        .withMetadata(Labels.metadata(COMPONENT, lb, identityName(lb)))
        .build();
  }

  /**
   * What a balancer reads to follow a Service backend, in its own namespace only: the
   * EndpointSlices (watched for ready endpoints) and the Service (to map the Service port to
   * the endpoints' target port). Backends are Services of the LoadBalancer's namespace, so a
   * namespaced Role is enough. The operator must itself hold these permissions to grant them
   * (the RBAC escalation check), which the Helm chart gives it.
   */
  public static Role role(LoadBalancer lb) {
    return new RoleBuilder()
        .withMetadata(Labels.metadata(COMPONENT, lb, identityName(lb)))
        .addNewRule()
        .withApiGroups("discovery.k8s.io")
        .withResources("endpointslices")
        .withVerbs("get", "list", "watch")
        .endRule()
        .addNewRule()
        .withApiGroups("")
        .withResources("services")
        .withVerbs("get")
        .endRule()
        .build();
  }

  public static RoleBinding roleBinding(LoadBalancer lb) {
    return new RoleBindingBuilder()
        .withMetadata(Labels.metadata(COMPONENT, lb, identityName(lb)))
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(identityName(lb))
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(identityName(lb))
        .withNamespace(lb.getMetadata().getNamespace())
        .endSubject()
        .build();
  }

  public static Deployment deployment(LoadBalancer lb, ControllerSettings settings) {
    LoadBalancerSpec spec = lb.getSpec();
    Map<String, String> selector = Labels.selector(COMPONENT, lb);
    return new DeploymentBuilder()
        .withMetadata(Labels.metadata(COMPONENT, lb, lb.getMetadata().getName()))
        .withNewSpec()
        .withReplicas(spec.replicasOrDefault())
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        // A new pod is ready before an old one goes, so a change never lowers capacity.
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.of(COMPONENT, lb))
        .withAnnotations(Map.of(ConfigHash.ANNOTATION, ConfigHash.of(restartConfigData(lb))))
        .endMetadata()
        .withNewSpec()
        .withSecurityContext(podSecurityContext(spec))
        .withAffinity(PodTemplates.spreadOverNodes(selector))
        .withTerminationGracePeriodSeconds(30L)
        .withServiceAccountName(identityName(lb))
        // Only a balancer that follows EndpointSlices talks to the API server; one with fixed
        // hosts alone faces clients without holding any credential. Changing backends changes
        // the configuration hash, so the pods roll either way and pick the new setting up.
        .withAutomountServiceAccountToken(followsServices(lb))
        .addNewContainer()
        .withName(COMPONENT)
        .withImage(settings.imageOr(spec.image()))
        .withArgs("lb", "--config", PodTemplates.CONFIG_DIR + "/" + BalancerConfig.FILE)
        .withPorts(containerPorts(spec))
        .withEnv(PodTemplates.serverEnv(PodTemplates.THROUGHPUT_GC, PodTemplates.EARLY_TENURING,
            PodTemplates.NO_PERF_DATA, PodTemplates.NO_UNCOMMON_TRAPS))
        .withResources(spec.resources())
        .withReadinessProbe(PodTemplates.httpProbe("/health", Ports.ADMIN, 5, 3))
        .withLivenessProbe(PodTemplates.httpProbe("/health", Ports.ADMIN, 10, 6))
        .withSecurityContext(PodTemplates.containerSecurityContext())
        .addToVolumeMounts(PodTemplates.configMount(), PodTemplates.scratchMount())
        .endContainer()
        .addToVolumes(PodTemplates.configVolume(configMapName(lb)), PodTemplates.scratchVolume())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static List<ContainerPort> containerPorts(LoadBalancerSpec spec) {
    List<ContainerPort> ports = new ArrayList<>();
    for (Listener l : spec.listeners()) {
      ports.add(new ContainerPortBuilder().withName(listenerName(l)).withContainerPort(l.port()).build());
    }
    ports.add(new ContainerPortBuilder().withName(PodTemplates.ADMIN_PORT_NAME).withContainerPort(Ports.ADMIN).build());
    return ports;
  }

  /**
   * The shared non-root pod context; when a listener is below 1024 (80, 443), the pod's own
   * network namespace lets unprivileged processes bind from that port on. Kubernetes counts
   * this sysctl as safe: it reaches no other pod.
   */
  private static PodSecurityContext podSecurityContext(LoadBalancerSpec spec) {
    int lowest = spec.listeners().stream().mapToInt(Listener::port).min().orElse(FIRST_UNPRIVILEGED_PORT);
    if (lowest >= FIRST_UNPRIVILEGED_PORT) {
      return PodTemplates.podSecurityContext();
    }
    return new PodSecurityContextBuilder(PodTemplates.podSecurityContext())
        .addNewSysctl()
        .withName(UNPRIVILEGED_PORT_SYSCTL)
        .withValue(Integer.toString(lowest))
        .endSysctl()
        .build();
  }
}
