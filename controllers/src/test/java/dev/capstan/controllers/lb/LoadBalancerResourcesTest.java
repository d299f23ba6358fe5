package dev.capstan.controllers.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.config.BalancerConfig.ActiveHealthCheck;
import dev.capstan.api.config.BalancerConfig.Backend;
import dev.capstan.api.config.BalancerConfig.HashKey;
import dev.capstan.api.config.BalancerConfig.PassiveHealthCheck;
import dev.capstan.api.config.BalancerConfig.SessionCookie;
import dev.capstan.api.config.BalancerConfig.StatusRange;
import dev.capstan.api.config.BalancerConfig.Timeouts;
import dev.capstan.api.lb.HashKey.Source;
import dev.capstan.api.lb.HealthCheck.Active.Type;
import dev.capstan.api.lb.LeastTime;
import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.api.lb.LoadBalancerSpec.Algorithm;
import dev.capstan.api.lb.LoadBalancerSpec.Mode;
import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import dev.capstan.api.lb.TwoChoices;
import dev.capstan.controllers.common.ConfigHash;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LoadBalancerResourcesTest {
  private static final ControllerSettings SETTINGS = new ControllerSettings("capstan/dataplane:test");

  /** A LoadBalancer "web" in namespace "shop"; one listener and one backend unless the spec names its own. */
  static LoadBalancer lb(String specYaml) {
    String spec = specYaml;
    if (!spec.contains("listeners:")) {
      spec += "\nlisteners: [{port: 8080}]";
    }
    if (!spec.contains("backends:")) {
      spec += "\nbackends: [{service: {name: app, port: 80}}]";
    }
    return Fixtures.parse(LoadBalancer.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: LoadBalancer
        metadata: {name: web, namespace: shop}
        spec:
        """ + spec.strip().indent(2));
  }

  static final LoadBalancer MINIMAL = lb("");
  static final LoadBalancer FULL = lb("""
      mode: HTTP
      algorithm: RandomTwoChoices
      twoChoices: {basis: LeastTime}
      leastTime: {basis: LastByte}
      sessionPersistence:
        type: Cookie
        cookie: {name: SRV, ttl: 1h, path: /cart}
      trustedProxies: [10.0.0.0/8, "fd00::/8"]
      listeners:
        - {name: http, port: 80}
        - {port: 8443}
      backends:
        - service: {name: app, port: 8080}
          weight: 3
        - {host: 192.0.2.10, port: 80}
      healthCheck:
        active:
          type: HTTP
          path: /healthz
          expectedStatuses: [200, 204]
          interval: 2s
          timeout: 500ms
          healthyThreshold: 1
          unhealthyThreshold: 5
        passive: {maxFails: 0}
      timeouts: {connect: 2s}
      replicas: 3
      serviceType: LoadBalancer
      image: registry.example/capstan:1.2
      resources:
        requests: {cpu: 100m, memory: 128Mi}
      """);

  // ---- balancer configuration ----

  static Stream<Arguments> algorithms() {
    // (mode, algorithm, extra spec, leastTime basis, twoChoices basis, hash key) as rendered.
    // Hash in TCP mode is absent on purpose: the schema refuses it.
    return Stream.of(
        Arguments.of("HTTP", "RoundRobin", "", null, null, null),
        Arguments.of("TCP", "RoundRobin", "", null, null, null),
        Arguments.of("HTTP", "LeastConnections", "", null, null, null),
        Arguments.of("TCP", "LeastConnections", "", null, null, null),
        Arguments.of("HTTP", "LeastTime", "", LeastTime.Basis.FirstByte, null, null),
        Arguments.of("TCP", "LeastTime", "leastTime: {basis: LastByte}", LeastTime.Basis.LastByte, null, null),
        Arguments.of("HTTP", "Hash", "hashKey: {source: Header, name: X-User}", null, null,
            new HashKey(Source.Header, "X-User")),
        Arguments.of("HTTP", "Hash", "hashKey: {source: Url}", null, null, new HashKey(Source.Url, null)),
        Arguments.of("HTTP", "IPHash", "", null, null, null),
        Arguments.of("TCP", "IPHash", "", null, null, null),
        Arguments.of("HTTP", "RandomTwoChoices", "", null, TwoChoices.Basis.LeastConnections, null),
        Arguments.of("TCP", "RandomTwoChoices", "twoChoices: {basis: LeastTime}",
            LeastTime.Basis.FirstByte, TwoChoices.Basis.LeastTime, null),
        Arguments.of("HTTP", "RandomTwoChoices", "twoChoices: {basis: LeastTime}\nleastTime: {basis: LastByte}",
            LeastTime.Basis.LastByte, TwoChoices.Basis.LeastTime, null));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("algorithms")
  void configRendersTheAlgorithmAndOnlyTheSettingsItUses(
      String mode, String algorithm, String extra, LeastTime.Basis leastTime, TwoChoices.Basis twoChoices,
      HashKey hashKey) {
    var config = LoadBalancerResources.balancerConfig(
        lb("mode: " + mode + "\nalgorithm: " + algorithm + "\n" + extra));
    assertThat(config.mode()).isEqualTo(Mode.valueOf(mode));
    assertThat(config.algorithm()).isEqualTo(Algorithm.valueOf(algorithm));
    assertThat(config.leastTimeBasis()).isEqualTo(leastTime);
    assertThat(config.twoChoicesBasis()).isEqualTo(twoChoices);
    assertThat(config.hashKey()).isEqualTo(hashKey);
  }

  /** None is the default and is left out of lb.yaml, which then reads as before the setting. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "absent", textBlock = """
      absent, absent
      None,   absent
      V1,     V1
      V2,     V2
      """)
  void proxyProtocolIsRenderedOnlyWhenOn(String spec, ProxyProtocol rendered) {
    String line = spec == null ? "" : "\nproxyProtocol: " + spec;
    BalancerConfig config = LoadBalancerResources.balancerConfig(lb("mode: TCP\nalgorithm: IPHash" + line));
    assertThat(config.proxyProtocol()).isEqualTo(rendered);
    String yaml = LoadBalancerResources.configMap(lb("mode: TCP\nalgorithm: IPHash" + line)).getData().get("lb.yaml");
    if (rendered == null) {
      assertThat(yaml).doesNotContain("proxyProtocol");
    } else {
      assertThat(yaml).contains("proxyProtocol: " + rendered + "\n");
    }
  }

  @Test
  void minimalSpecResolvesEveryDefault() {
    assertThat(LoadBalancerResources.balancerConfig(MINIMAL)).isEqualTo(new BalancerConfig(
        Mode.HTTP,
        Algorithm.RoundRobin,
        null,
        null,
        null,
        null,
        List.of(),
        null,
        List.of(new BalancerConfig.Listener("l-8080", 8080)),
        List.of(Backend.ofService("app", "shop", 80, 1)),
        null,
        new PassiveHealthCheck(1, "10s"),
        new Timeouts("5s", "60s", "60s"),
        9901));
  }

  @Test
  void configMapHoldsTheConfigAsTheBalancerReadsIt() {
    assertThat(LoadBalancerResources.configMap(MINIMAL).getData()).containsOnlyKeys("lb.yaml");
    assertThat(LoadBalancerResources.configMap(MINIMAL).getData().get("lb.yaml")).isEqualTo("""
        mode: HTTP
        algorithm: RoundRobin
        trustedProxies: []
        listeners:
        - name: l-8080
          port: 8080
        backends:
        - service: app
          namespace: shop
          port: 80
          weight: 1
        passiveHealthCheck:
          maxFails: 1
          failTimeout: 10s
        timeouts:
          connect: 5s
          response: 60s
          idle: 60s
        adminPort: 9901
        """);
  }

  @Test
  void balancerCanReadBackWhatTheOperatorWrote() throws Exception {
    String yaml = LoadBalancerResources.configMap(FULL).getData().get(BalancerConfig.FILE);
    BalancerConfig read = new ObjectMapper(new YAMLFactory()).readValue(yaml, BalancerConfig.class);
    assertThat(read).isEqualTo(LoadBalancerResources.balancerConfig(FULL));
  }

  @Test
  void fullSpecIsRenderedAsWritten() {
    var config = LoadBalancerResources.balancerConfig(FULL);
    assertThat(config.trustedProxies()).containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(config.listeners()).containsExactly(
        new BalancerConfig.Listener("http", 80), new BalancerConfig.Listener("l-8443", 8443));
    assertThat(config.backends()).containsExactly(
        Backend.ofService("app", "shop", 8080, 3), Backend.ofHost("192.0.2.10", 80, 1));
    assertThat(config.activeHealthCheck()).isEqualTo(new ActiveHealthCheck(
        Type.HTTP, "/healthz", List.of(StatusRange.of(200), StatusRange.of(204)), "2s", "500ms", 1, 5));
    assertThat(config.passiveHealthCheck()).isEqualTo(new PassiveHealthCheck(0, "10s"));
    assertThat(config.timeouts()).isEqualTo(new Timeouts("2s", "60s", "60s"));
  }

  @Test
  void activeHealthCheckDefaultsDependOnItsType() {
    var http = LoadBalancerResources.balancerConfig(lb("healthCheck: {active: {type: HTTP}}"));
    assertThat(http.activeHealthCheck()).isEqualTo(new ActiveHealthCheck(
        Type.HTTP, "/", List.of(new StatusRange(200, 399)), "5s", "1s", 2, 3));
    var tcp = LoadBalancerResources.balancerConfig(lb("mode: TCP\nhealthCheck: {active: {type: TCP}}"));
    assertThat(tcp.activeHealthCheck()).isEqualTo(new ActiveHealthCheck(Type.TCP, null, null, "5s", "1s", 2, 3));
    // Passive checking stays on, with nginx's defaults, when only active checking is declared.
    assertThat(tcp.passiveHealthCheck()).isEqualTo(new PassiveHealthCheck(1, "10s"));
  }

  static Stream<Arguments> sessionPersistence() {
    return Stream.of(
        Arguments.of("", null),
        Arguments.of("sessionPersistence: {type: None}", null),
        Arguments.of("sessionPersistence: {type: Cookie}", new SessionCookie("CAPSTAN_SERVER", "/", null)),
        Arguments.of("sessionPersistence: {type: Cookie, cookie: {ttl: 30m}}",
            new SessionCookie("CAPSTAN_SERVER", "/", "30m")),
        Arguments.of("sessionPersistence: {type: Cookie, cookie: {name: SRV, path: /cart, ttl: 1h}}",
            new SessionCookie("SRV", "/cart", "1h")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("sessionPersistence")
  void sessionPersistenceBecomesACookieOrNothing(String spec, SessionCookie expected) {
    assertThat(LoadBalancerResources.balancerConfig(lb(spec)).sessionCookie()).isEqualTo(expected);
  }

  @Test
  void serviceBackendsNameTheirNamespaceAndStaticOnesDoNot() {
    var config = LoadBalancerResources.balancerConfig(lb("""
        backends:
          - service: {name: api, port: 9000}
          - {host: "2001:db8::7", port: 443, weight: 10}
          - {host: legacy.example.com, port: 8080}
        """));
    assertThat(config.backends()).containsExactly(
        new Backend("api", "shop", null, 9000, 1),
        new Backend(null, null, "2001:db8::7", 443, 10),
        new Backend(null, null, "legacy.example.com", 8080, 1));
  }

  // ---- Service ----

  @ParameterizedTest
  @CsvSource({"ClusterIP", "NodePort", "LoadBalancer"})
  void serviceHasTheRequestedTypeAndAPortPerListener(String type) {
    var service = LoadBalancerResources.service(lb("""
        serviceType: %s
        listeners:
          - {name: http, port: 80}
          - {port: 8443}
        """.formatted(type)));
    assertThat(service.getMetadata().getName()).isEqualTo("web");
    assertThat(service.getSpec().getType()).isEqualTo(type);
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort, ServicePort::getTargetPort)
        .containsExactly(
            tuple("http", 80, new IntOrString("http")),
            tuple("l-8443", 8443, new IntOrString("l-8443")));
  }

  @Test
  void serviceTypeDefaultsToClusterIpAndSelectsTheBalancerPods() {
    var service = LoadBalancerResources.service(MINIMAL);
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    Deployment deployment = LoadBalancerResources.deployment(MINIMAL, SETTINGS);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    // Every targetPort names a port of the balancer container.
    assertThat(container(deployment).getPorts()).extracting(p -> p.getName())
        .containsAll(service.getSpec().getPorts().stream().map(p -> p.getTargetPort().getStrVal()).toList());
  }

  // ---- Deployment ----

  @Test
  void deploymentFollowsTheSpec() {
    Deployment d = LoadBalancerResources.deployment(FULL, SETTINGS);
    assertThat(d.getMetadata().getName()).isEqualTo("web");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    // The selector must select the pods the template makes.
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());

    Container c = container(d);
    assertThat(c.getName()).isEqualTo("lb");
    assertThat(c.getImage()).isEqualTo("registry.example/capstan:1.2");
    assertThat(c.getArgs()).containsExactly("lb", "--config", "/etc/capstan/lb.yaml");
    assertThat(c.getPorts()).extracting(p -> p.getName(), p -> p.getContainerPort()).containsExactly(
        tuple("http", 80),
        tuple("l-8443", 8443),
        tuple("admin", 9901));
    assertThat(c.getEnv()).extracting(EnvVar::getName).containsExactly("JAVA_TOOL_OPTIONS", "POD_NAME", "POD_NAMESPACE");
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("100m"));
    for (var probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/health");
      assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString(9901));
    }
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/etc/capstan", "/tmp");

    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getVolumes()).anySatisfy(v ->
        assertThat(v.getConfigMap()).isNotNull().extracting(cm -> cm.getName()).isEqualTo("web-config"));
    assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(t -> assertThat(t.getPodAffinityTerm().getLabelSelector().getMatchLabels())
            .isEqualTo(d.getSpec().getSelector().getMatchLabels()));
  }

  @Test
  void rollingUpdateNeverLowersCapacity() {
    var rolling = LoadBalancerResources.deployment(MINIMAL, SETTINGS).getSpec().getStrategy();
    assertThat(rolling.getType()).isEqualTo("RollingUpdate");
    assertThat(rolling.getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(rolling.getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(1));
  }

  @Test
  void minimalSpecGetsOneReplicaOfTheDefaultImage() {
    Deployment d = LoadBalancerResources.deployment(MINIMAL, SETTINGS);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(container(d).getImage()).isEqualTo("capstan/dataplane:test");
    assertThat(container(d).getResources()).isNull();
  }

  @Test
  void privilegedListenerPortsLowerTheUnprivilegedPortStartOfThePodOnly() {
    var privileged = LoadBalancerResources.deployment(FULL, SETTINGS).getSpec().getTemplate().getSpec();
    assertThat(privileged.getSecurityContext().getSysctls()).extracting(Sysctl::getName, Sysctl::getValue)
        .containsExactly(tuple("net.ipv4.ip_unprivileged_port_start", "80"));
    // The capabilities stay dropped: binding port 80 needs no privilege inside the pod.
    assertThat(container(LoadBalancerResources.deployment(FULL, SETTINGS)).getSecurityContext()
        .getCapabilities().getDrop()).containsExactly("ALL");
    var unprivileged = LoadBalancerResources.deployment(MINIMAL, SETTINGS).getSpec().getTemplate().getSpec();
    assertThat(unprivileged.getSecurityContext().getSysctls()).isNullOrEmpty();
  }

  @Test
  void configHashFollowsOnlyWhatBalancersReadAtStart() {
    String base = hash(lb("algorithm: RoundRobin"));
    assertThat(base).isNotBlank();
    // Reloaded live: no roll.
    assertThat(hash(lb("algorithm: LeastConnections"))).isEqualTo(base);
    assertThat(hash(lb("algorithm: RoundRobin\nbackends: [{service: {name: other, port: 80}}]"))).isEqualTo(base);
    // Read at start: a new listener rolls the balancers.
    assertThat(hash(lb("algorithm: RoundRobin\nlisteners: [{port: 8080}, {port: 8443}]"))).isNotEqualTo(base);
    assertThat(hash(lb("algorithm: RoundRobin\nmode: TCP"))).isNotEqualTo(base);
    // The PROXY header is written on each new server connection, so it follows a reload too.
    assertThat(hash(lb("algorithm: RoundRobin\nmode: TCP\nproxyProtocol: V2")))
        .isEqualTo(hash(lb("algorithm: RoundRobin\nmode: TCP")));
    // Replicas, image and Service type do not reach the balancer's configuration.
    assertThat(hash(lb("algorithm: RoundRobin\nreplicas: 5\nimage: other:1\nserviceType: NodePort")))
        .isEqualTo(base);
  }

  private static String hash(LoadBalancer lb) {
    return LoadBalancerResources.deployment(lb, SETTINGS)
        .getSpec().getTemplate().getMetadata().getAnnotations().get(ConfigHash.ANNOTATION);
  }

  private static Container container(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  // ---- identity of the balancer pods ----

  @Test
  void balancersRunAsTheirOwnServiceAccountBoundToTheirRole() {
    var account = LoadBalancerResources.serviceAccount(FULL);
    var role = LoadBalancerResources.role(FULL);
    var binding = LoadBalancerResources.roleBinding(FULL);
    for (var o : List.of(account, role, binding)) {
      assertThat(o.getMetadata().getName()).isEqualTo("web-balancer");
      assertThat(o.getMetadata().getNamespace()).isEqualTo("shop");
    }
    assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
      assertThat(s.getNamespace()).isEqualTo("shop");
    });
    assertThat(LoadBalancerResources.deployment(FULL, SETTINGS).getSpec().getTemplate().getSpec()
        .getServiceAccountName()).isEqualTo(account.getMetadata().getName());
  }

  @Test
  void theRoleLetsABalancerFollowEndpointSlicesAndReadServicesOnly() {
    var rules = LoadBalancerResources.role(MINIMAL).getRules();
    assertThat(rules)
        .extracting(PolicyRule::getApiGroups, PolicyRule::getResources, PolicyRule::getVerbs, PolicyRule::getResourceNames)
        .containsExactlyInAnyOrder(
            tuple(List.of("discovery.k8s.io"), List.of("endpointslices"), List.of("get", "list", "watch"), List.of()),
            tuple(List.of(""), List.of("services"), List.of("get"), List.of()));
  }

  static Stream<Arguments> tokenMounts() {
    return Stream.of(
        Arguments.of("backends: [{service: {name: app, port: 80}}]", true),
        Arguments.of("backends: [{host: 192.0.2.10, port: 80}, {service: {name: app, port: 80}}]", true),
        Arguments.of("backends: [{host: 192.0.2.10, port: 80}]", false),
        Arguments.of("backends: [{host: a.example, port: 80}, {host: b.example, port: 80}]", false));
  }

  /** A balancer with fixed hosts only never calls the API server, so it gets no token. */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tokenMounts")
  void onlyBalancersOfServicesGetAnApiToken(String backends, boolean mounted) {
    LoadBalancer lb = lb(backends);
    assertThat(LoadBalancerResources.followsServices(lb)).isEqualTo(mounted);
    var pod = LoadBalancerResources.deployment(lb, SETTINGS).getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isEqualTo(mounted);
    // The same identity either way: switching backends leaves no object behind.
    assertThat(pod.getServiceAccountName()).isEqualTo("web-balancer");
  }

  // ---- labels and status ----

  @Test
  void everyObjectIsLabelledAsManagedByCapstan() {
    List.of(
            LoadBalancerResources.configMap(FULL),
            LoadBalancerResources.service(FULL),
            LoadBalancerResources.deployment(FULL, SETTINGS),
            LoadBalancerResources.serviceAccount(FULL),
            LoadBalancerResources.role(FULL),
            LoadBalancerResources.roleBinding(FULL))
        .forEach(o -> assertThat(o.getMetadata().getLabels())
            .containsEntry("app.kubernetes.io/managed-by", "capstan")
            .containsEntry("app.kubernetes.io/name", "lb")
            .containsEntry("app.kubernetes.io/instance", "web"));
    assertThat(LoadBalancerResources.configMap(FULL).getMetadata().getName()).isEqualTo("web-config");
  }

  @Test
  void endpointsNameTheServiceOncePerListener() {
    assertThat(LoadBalancerResources.endpoints(FULL)).containsExactly("web.shop.svc:80", "web.shop.svc:8443");
  }

  // ---- semantic checks ----

  @Test
  void sensibleSpecsAreValid() {
    assertThat(LoadBalancerResources.invalid(MINIMAL)).isEmpty();
    assertThat(LoadBalancerResources.invalid(FULL)).isEmpty();
    assertThat(LoadBalancerResources.invalid(lb("""
        trustedProxies: [0.0.0.0/0, 192.168.1.7/32, "::/0", "2001:db8::/32", "::ffff:10.0.0.0/104"]
        healthCheck: {active: {type: TCP, interval: 1s, timeout: 1s}}
        sessionPersistence: {type: Cookie, cookie: {ttl: 1s}}
        """))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      trustedProxies: [300.0.0.0/8]           | trustedProxies[0] 300.0.0.0/8: 300.0.0.0 is not an IPv4 address
      trustedProxies: [10.1/8]                | trustedProxies[0] 10.1/8: 10.1 is not an IPv4 address
      trustedProxies: [010.0.0.0/8]           | 010.0.0.0 is not an IPv4 address
      trustedProxies: [dead/8]                | trustedProxies[0] dead/8: dead is not an IPv4 address
      trustedProxies: [10.0.0.0]              | trustedProxies[0] 10.0.0.0 is not a CIDR block
      trustedProxies: [10.0.0.0/8, 10.0.0.0/33] | trustedProxies[1] 10.0.0.0/33: the prefix length must be at most 32
      trustedProxies: ["::1/129"]             | trustedProxies[0] ::1/129: the prefix length must be at most 128
      trustedProxies: ["1::2::3/64"]          | trustedProxies[0] 1::2::3/64: 1::2::3 is not an IPv6 address
      trustedProxies: [".:1/64"]              | .:1 is not an IPv6 address
      timeouts: {connect: 99999999999999999999h} | timeouts.connect: duration 99999999999999999999h is too long
      timeouts: {response: 3000000h}          | timeouts.response: duration 3000000h is too long
      timeouts: {idle: 0s}                    | timeouts.idle must be longer than 0
      healthCheck: {active: {type: TCP, timeout: 10s}} | healthCheck.active.timeout 10s is longer than interval 5s
      healthCheck: {active: {type: TCP, interval: 0ms}} | healthCheck.active.interval must be longer than 0
      healthCheck: {passive: {failTimeout: 0m}} | healthCheck.passive.failTimeout must be longer than 0
      sessionPersistence: {type: Cookie, cookie: {ttl: 500ms}} | sessionPersistence.cookie.ttl 500ms is under 1s
      listeners: [{port: 9901}]               | listeners[0].port 9901 is taken by the balancer's admin port
      listeners: [{name: admin, port: 8080}]  | listeners[0].name admin is taken by the balancer's admin port
      listeners: [{port: 8080}, {name: l-8080, port: 8081}] | listeners[0] and listeners[1] share the port name l-8080 (a listener without a name is called l-<port>)
      listeners: [{name: web, port: 80}, {name: web, port: 81}] | listeners[0] and listeners[1] share the port name web
      backends: [{service: {name: web, port: 80}}] | backends[0].service web is this LoadBalancer's own Service
      backends: [{host: a.example, port: 1}, {host: b.example, port: 1}, {host: a.example, port: 1}] | backends[2] repeats backends[0] (host a.example port 1)
      proxyProtocol: V2                       | proxyProtocol V2 needs mode TCP
      """)
  void semanticChecksNameTheField(String spec, String message) {
    assertThat(LoadBalancerResources.invalid(lb(spec))).hasValueSatisfying(m -> assertThat(m).contains(message));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    var problems = LoadBalancerResources.invalid(lb("""
        trustedProxies: [10.0.0.0/40]
        timeouts: {idle: 0s}
        listeners: [{port: 9901}]
        """));
    assertThat(problems).hasValueSatisfying(m -> assertThat(m.split("; ")).hasSize(3));
  }

  @Test
  void durationsAreCheckedWhereTheUserWroteThemOnly() {
    // Defaults are known to be good; an omitted section is not an error.
    assertThat(LoadBalancerResources.invalid(lb("healthCheck: {}\ntimeouts: {}"))).isEmpty();
    assertThat(LoadBalancerResources.invalid(lb("healthCheck: {active: {type: TCP, interval: 500ms}}")))
        .hasValueSatisfying(m -> assertThat(m).isEqualTo(
            "healthCheck.active.timeout 1s is longer than interval 500ms, so probes would overlap"));
  }
}
