package dev.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.e2e.cluster.KubeCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The scenarios every cluster provider runs: Capstan installed by its Helm chart, the operator
 * as a separate process with the chart's RBAC, and a user applying, changing, pausing,
 * breaking and deleting custom resources. Subclasses say which cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(E2EScenarios.FailureWatcher.class)
abstract class E2EScenarios {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String API = "capstan.dev/v1alpha1";

  protected KubeCluster cluster;
  protected CapstanInstallation capstan;
  protected KubernetesClient admin;
  volatile boolean failed;

  /** Starts the cluster this class runs on (or skips the class with a reason). */
  protected abstract KubeCluster startCluster();

  @BeforeAll
  void installCapstan() {
    cluster = startCluster();
    try {
      capstan = CapstanInstallation.install(cluster);
    } catch (RuntimeException e) {
      cluster.close(true);
      throw e;
    }
    admin = capstan.admin();
    System.err.println("[e2e] Capstan installed on the " + cluster.name());
  }

  @AfterAll
  void tearDown() {
    if (capstan != null) {
      if (failed) {
        System.err.println("[e2e] operator log: " + Repo.LOGS);
      }
      capstan.close();
    }
    if (cluster != null) {
      cluster.close(failed);
    }
  }

  // ---------------------------------------------------------------- install

  @Test
  void helmInstallEstablishesTheCrds() {
    for (String plural : List.of("tsdbclusters", "loadbalancers", "messagebrokers", "messagetopics")) {
      CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions()
          .withName(plural + ".capstan.dev").get();
      assertThat(crd).as(plural).isNotNull();
      assertThat(crd.getStatus().getConditions())
          .anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Established");
            assertThat(c.getStatus()).isEqualTo("True");
          });
      assertThat(crd.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }
  }

  @Test
  void theOperatorHasTheChartsPermissionsAndNoMore() {
    try (KubernetesClient operator = capstan.asOperator()) {
      assertThat(operator.apps().statefulSets().inAnyNamespace().list().getItems()).isNotNull();
      var secrets = org.assertj.core.api.Assertions.catchThrowableOfType(KubernetesClientException.class,
          () -> operator.secrets().inNamespace("kube-system").list());
      assertThat(secrets).isNotNull();
      assertThat(secrets.getCode()).isEqualTo(403);
      var crds = org.assertj.core.api.Assertions.catchThrowableOfType(KubernetesClientException.class,
          () -> operator.apiextensions().v1().customResourceDefinitions().withName("tsdbclusters.capstan.dev").delete());
      assertThat(crds).isNotNull();
      assertThat(crds.getCode()).isEqualTo(403);
    }
  }

  @Test
  void helmTemplateIsAcceptedByTheApiServerInBothModes() {
    String ns1 = namespace("scoped-a");
    String ns2 = namespace("scoped-b");
    for (List<String> extra : List.of(List.<String>of(), List.of("--set", "watchNamespaces={" + ns1 + "," + ns2 + "}"))) {
      List<String> args = new ArrayList<>(List.of("template", "capstan-dry-run", Repo.CHART.toString(),
          "--namespace", CapstanInstallation.NAMESPACE));
      args.addAll(extra);
      String rendered = Tools.helm(capstan.adminKubeconfig(), args.toArray(String[]::new)).orThrow().output();
      var result = Tools.kubectlWithInput(capstan.adminKubeconfig(), rendered,
          "apply", "--dry-run=server", "-f", "-");
      assertThat(result.exitCode()).as("server dry run of helm template %s:\n%s", extra, result.output()).isZero();
    }
    assertThat(Tools.helm(capstan.adminKubeconfig(), "lint", "--strict", Repo.CHART.toString()).exitCode()).isZero();
  }

  // ---------------------------------------------------------------- samples

  @Test
  void everySampleProducesItsObjectsAndStatus() throws IOException {
    String ns = namespace("samples");
    List<Path> samples;
    try (Stream<Path> files = Files.list(Repo.SAMPLES)) {
      samples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(samples).hasSizeGreaterThanOrEqualTo(10);
    List<GenericKubernetesResource> applied = new ArrayList<>();
    for (Path sample : samples) {
      var result = Tools.kubectl(capstan.adminKubeconfig(), "apply", "-n", ns, "-f", sample.toString());
      assertThat(result.exitCode()).as("kubectl apply -f %s:\n%s", sample.getFileName(), result.output()).isZero();
      for (String doc : Files.readString(sample).split("(?m)^---\\s*$")) {
        if (!doc.isBlank()) {
          applied.add(Serialization.unmarshal(doc, GenericKubernetesResource.class));
        }
      }
    }
    for (GenericKubernetesResource r : applied) {
      await().atMost(CONVERGE).untilAsserted(() -> {
        GenericKubernetesResource current = get(ns, r.getKind(), r.getMetadata().getName());
        assertThat(Owned.countByKind(Owned.by(admin, ns, current.getMetadata().getUid())))
            .as("objects owned by %s %s", r.getKind(), r.getMetadata().getName())
            .isEqualTo(Owned.expectedFor(current));
        Map<String, Object> status = status(current);
        assertThat(status).as("status of %s %s", r.getKind(), r.getMetadata().getName()).isNotNull();
        assertThat(((Number) status.get("observedGeneration")).longValue()).isEqualTo(current.getMetadata().getGeneration());
        assertThat(conditionTypes(status)).contains("Ready");
      });
    }
    // The external cluster of topic-external-kafka.yaml does not exist: its MessageBroker asks
    // it through the Admin API and says so, naming the servers, rather than claiming Ready.
    await().atMost(CONVERGE).untilAsserted(() -> {
      Map<String, Object> ready = condition(status(get(ns, "MessageBroker", "corporate-kafka")), "Ready");
      assertThat(ready).as("Ready of MessageBroker corporate-kafka").isNotNull();
      assertThat(ready.get("status")).isEqualTo("False");
      assertThat(ready.get("reason")).isEqualTo("Unreachable");
      assertThat((String) ready.get("message")).contains("kafka-0.kafka.example.internal:9092");
    });
    // Nothing changed after creation, so nothing may have been applied twice: a field the API
    // server defaults and the builders leave out would show up here as an update.
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .filteredOn(e -> "Updated".equals(e.getReason()))
        .extracting(e -> e.getInvolvedObject().getName() + ": " + e.getMessage())
        .isEmpty();
    // The operator runs with the chart's RBAC: a missing permission would show up as a failed
    // reconcile naming the refused request.
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .extracting(e -> e.getInvolvedObject().getName() + ": " + e.getMessage())
        .noneMatch(m -> m.toLowerCase().contains("forbidden"));
  }

  // ---------------------------------------------------------------- balancer identity

  /**
   * A LoadBalancer of Services gets a ServiceAccount bound to a Role that lets its pods follow
   * EndpointSlices, created by the operator with the chart's RBAC: Kubernetes refuses a Role
   * that grants what its creator does not hold, so this also proves the chart grants enough.
   */
  @Test
  void balancersOfServicesGetAnIdentityAllowedToFollowEndpointSlices() throws IOException {
    String ns = namespace("lb-identity");
    applySample(ns, "lb-round-robin.yaml");
    String identity = "web-round-robin-balancer";
    String uid = get(ns, "LoadBalancer", "web-round-robin").getMetadata().getUid();
    await().atMost(CONVERGE).untilAsserted(() -> {
      // Absent objects are null until the operator creates them.
      List<HasMetadata> identityObjects = Arrays.asList(
          admin.serviceAccounts().inNamespace(ns).withName(identity).get(),
          admin.rbac().roles().inNamespace(ns).withName(identity).get(),
          admin.rbac().roleBindings().inNamespace(ns).withName(identity).get());
      assertThat(identityObjects).doesNotContainNull().allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
          .singleElement().satisfies(r -> assertThat(r.getUid()).isEqualTo(uid)));
      var deployment = admin.apps().deployments().inNamespace(ns).withName("web-round-robin").get();
      assertThat(deployment).isNotNull();
      var pod = deployment.getSpec().getTemplate().getSpec();
      assertThat(pod.getServiceAccountName()).isEqualTo(identity);
      assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    });

    String user = "system:serviceaccount:" + ns + ":" + identity;
    assertThat(allowed(user, ns, "discovery.k8s.io", "endpointslices", "list")).isTrue();
    assertThat(allowed(user, ns, "discovery.k8s.io", "endpointslices", "watch")).isTrue();
    assertThat(allowed(user, ns, "", "services", "get")).isTrue();
    assertThat(allowed(user, ns, "", "secrets", "get")).isFalse();
    assertThat(allowed(user, ns, "discovery.k8s.io", "endpointslices", "create")).isFalse();
    assertThat(allowed(user, "kube-system", "discovery.k8s.io", "endpointslices", "list")).isFalse();

    // The Role is watched like every owned object: a hand edit is reverted.
    Tools.kubectl(capstan.adminKubeconfig(), "delete", "-n", ns, "role", identity).orThrow();
    await().atMost(CONVERGE).untilAsserted(() ->
        assertThat(admin.rbac().roles().inNamespace(ns).withName(identity).get()).isNotNull());

    // Fixed hosts only: the pods keep their identity but hold no token.
    patch(ns, "LoadBalancer", "web-round-robin",
        "{\"spec\": {\"backends\": [{\"host\": \"192.0.2.10\", \"port\": 8080}]}}");
    await().atMost(CONVERGE).untilAsserted(() -> {
      var pod = admin.apps().deployments().inNamespace(ns).withName("web-round-robin").get()
          .getSpec().getTemplate().getSpec();
      assertThat(pod.getAutomountServiceAccountToken()).isFalse();
      assertThat(pod.getServiceAccountName()).isEqualTo(identity);
    });

    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .extracting(e -> e.getReason() + ": " + e.getMessage())
        .noneMatch(e -> e.toLowerCase().contains("forbidden") || e.startsWith("ReconcileFailed"));
    assertThat(capstan.operator().logText()).doesNotContainIgnoringCase("forbidden");
  }

  private boolean allowed(String user, String ns, String group, String resource, String verb) {
    var review = new SubjectAccessReviewBuilder()
        .withNewSpec()
        .withUser(user)
        .withGroups("system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated")
        .withNewResourceAttributes()
        .withNamespace(ns)
        .withGroup(group)
        .withResource(resource)
        .withVerb(verb)
        .endResourceAttributes()
        .endSpec()
        .build();
    return admin.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
  }

  // ---------------------------------------------------------------- changes

  @Test
  void specChangesReachTheObjectsAndRollThePods() throws IOException {
    String ns = namespace("changes");
    applySample(ns, "tsdb-two-retention-policies.yaml");
    StatefulSet before = await().atMost(CONVERGE).until(() -> admin.apps().statefulSets().inNamespace(ns).withName("metrics").get(),
        s -> s != null);
    String hashBefore = configHash(before);
    String configBefore = admin.configMaps().inNamespace(ns).withName("metrics-config").get().getData().get("tsdb.yaml");

    patch(ns, "TsdbCluster", "metrics", """
        {"spec": {"replicas": 2, "databases": [{"name": "telegraf", "retentionPolicies": [
          {"name": "week", "duration": "14d", "default": true}]}]}}""");
    await().atMost(CONVERGE).untilAsserted(() -> {
      StatefulSet after = admin.apps().statefulSets().inNamespace(ns).withName("metrics").get();
      assertThat(after.getSpec().getReplicas()).isEqualTo(2);
      // Nodes reload databases and retention from the mounted ConfigMap: no rolling restart.
      assertThat(configHash(after)).isEqualTo(hashBefore);
      String config = admin.configMaps().inNamespace(ns).withName("metrics-config").get().getData().get("tsdb.yaml");
      assertThat(config).isNotEqualTo(configBefore).contains("14d").doesNotContain("52w");
    });

    applySample(ns, "lb-round-robin.yaml");
    var deployment = await().atMost(CONVERGE).until(
        () -> admin.apps().deployments().inNamespace(ns).withName("web-round-robin").get(), d -> d != null);
    String lbHash = deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("capstan.dev/config-hash");
    patch(ns, "LoadBalancer", "web-round-robin", "{\"spec\": {\"algorithm\": \"LeastConnections\"}}");
    await().atMost(CONVERGE).untilAsserted(() -> {
      var d = admin.apps().deployments().inNamespace(ns).withName("web-round-robin").get();
      // Balancers reload the algorithm live: the pods are not rolled.
      assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations().get("capstan.dev/config-hash")).isEqualTo(lbHash);
      assertThat(admin.configMaps().inNamespace(ns).withName("web-round-robin-config").get().getData().get("lb.yaml"))
          .contains("LeastConnections");
    });
  }

  @Test
  void deletingAResourceGarbageCollectsItsObjects() throws IOException {
    String ns = namespace("gc");
    applySample(ns, "tsdb-two-retention-policies.yaml");
    String uid = await().atMost(CONVERGE).until(() -> {
      var r = get(ns, "TsdbCluster", "metrics");
      return Owned.by(admin, ns, r.getMetadata().getUid()).size() == 5 ? r.getMetadata().getUid() : null;
    }, u -> u != null);
    var result = Tools.kubectl(capstan.adminKubeconfig(), "delete", "-n", ns, "tsdbcluster", "metrics", "--wait=true");
    assertThat(result.exitCode()).as(result.output()).isZero();
    await().atMost(CONVERGE).untilAsserted(() -> assertThat(Owned.by(admin, ns, uid)).isEmpty());
  }

  @Test
  void pausedResourcesAreLeftAloneUntilResumed() throws IOException {
    String ns = namespace("pause");
    applySample(ns, "tsdb-two-retention-policies.yaml");
    await().atMost(CONVERGE).until(() -> admin.apps().statefulSets().inNamespace(ns).withName("metrics").get() != null);
    Tools.kubectl(capstan.adminKubeconfig(), "annotate", "-n", ns, "tsdbcluster", "metrics", "capstan.dev/paused=true").orThrow();
    await().atMost(CONVERGE).untilAsserted(() ->
        assertThat(conditionTypes(status(get(ns, "TsdbCluster", "metrics")))).contains("ReconciliationPaused"));
    patch(ns, "TsdbCluster", "metrics", "{\"spec\": {\"replicas\": 3}}");
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() ->
        admin.apps().statefulSets().inNamespace(ns).withName("metrics").get().getSpec().getReplicas() == 1);

    Tools.kubectl(capstan.adminKubeconfig(), "annotate", "-n", ns, "tsdbcluster", "metrics", "capstan.dev/paused-").orThrow();
    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(admin.apps().statefulSets().inNamespace(ns).withName("metrics").get().getSpec().getReplicas()).isEqualTo(3);
      assertThat(conditionTypes(status(get(ns, "TsdbCluster", "metrics")))).doesNotContain("ReconciliationPaused");
    });
  }

  @Test
  void driftByHandIsReverted() throws IOException {
    String ns = namespace("drift");
    applySample(ns, "tsdb-two-retention-policies.yaml");
    var cm = await().atMost(CONVERGE).until(() -> admin.configMaps().inNamespace(ns).withName("metrics-config").get(), c -> c != null);
    await().atMost(CONVERGE).until(() -> admin.apps().statefulSets().inNamespace(ns).withName("metrics").get() != null);

    Tools.kubectl(capstan.adminKubeconfig(), "delete", "-n", ns, "configmap", "metrics-config").orThrow();
    Tools.kubectl(capstan.adminKubeconfig(), "scale", "-n", ns, "statefulset", "metrics", "--replicas=4").orThrow();
    Tools.kubectl(capstan.adminKubeconfig(), "patch", "-n", ns, "service", "metrics", "--type=json",
        "-p", "[{\"op\": \"replace\", \"path\": \"/spec/ports/0/port\", \"value\": 9999}]").orThrow();
    await().atMost(CONVERGE).untilAsserted(() -> {
      var restored = admin.configMaps().inNamespace(ns).withName("metrics-config").get();
      assertThat(restored).isNotNull();
      assertThat(restored.getMetadata().getUid()).isNotEqualTo(cm.getMetadata().getUid());
      assertThat(restored.getData()).isEqualTo(cm.getData());
      assertThat(admin.apps().statefulSets().inNamespace(ns).withName("metrics").get().getSpec().getReplicas()).isEqualTo(1);
      assertThat(admin.services().inNamespace(ns).withName("metrics").get().getSpec().getPorts().get(0).getPort()).isEqualTo(8086);
    });
  }

  // ---------------------------------------------------------------- validation

  @Test
  void invalidResourcesAreRejectedNamingTheField() throws IOException {
    String ns = namespace("invalid");
    List<InvalidResources.Case> cases = new ArrayList<>(InvalidResources.onCreate());
    assertThat(cases.size() + InvalidResources.onUpdate().size()).isGreaterThanOrEqualTo(20);
    StringBuilder outputs = new StringBuilder();
    for (var c : cases) {
      var result = Tools.kubectlWithInput(capstan.adminKubeconfig(), c.yaml(), "create", "--dry-run=server", "-n", ns, "-f", "-");
      assertThat(result.exitCode()).as("%s was accepted:\n%s", c, result.output()).isNotZero();
      for (String expected : c.expected()) {
        assertThat(result.output()).as("%s", c).contains(expected);
      }
      outputs.append(result.output());
    }
    Tools.kubectlWithInput(capstan.adminKubeconfig(), InvalidResources.TOPIC, "create", "-n", ns, "-f", "-").orThrow();
    for (var c : InvalidResources.onUpdate()) {
      var result = Tools.kubectlWithInput(capstan.adminKubeconfig(), c.yaml(), "replace", "--dry-run=server", "-n", ns, "-f", "-");
      assertThat(result.exitCode()).as("%s was accepted:\n%s", c, result.output()).isNotZero();
      for (String expected : c.expected()) {
        assertThat(result.output()).as("%s", c).contains(expected);
      }
      outputs.append(result.output());
    }
    // Every CEL rule of every CRD refused at least one of the cases above.
    String all = outputs.toString().replaceAll("\\s+", " ");
    assertThat(celMessages()).allSatisfy(message ->
        assertThat(all).as("no e2e case exercises the rule \"%s\"", message).contains(message));
  }

  private static Set<String> celMessages() throws IOException {
    Set<String> messages = new HashSet<>();
    try (Stream<Path> files = Files.list(Repo.CRDS)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(f), CustomResourceDefinition.class);
        crd.getSpec().getVersions().forEach(v -> collect(v.getSchema().getOpenAPIV3Schema(), messages));
      }
    }
    return messages;
  }

  private static void collect(JSONSchemaProps schema, Set<String> messages) {
    if (schema == null) {
      return;
    }
    if (schema.getXKubernetesValidations() != null) {
      schema.getXKubernetesValidations().forEach(r -> messages.add(r.getMessage().replaceAll("\\s+", " ")));
    }
    if (schema.getProperties() != null) {
      schema.getProperties().values().forEach(p -> collect(p, messages));
    }
    if (schema.getItems() != null) {
      collect(schema.getItems().getSchema(), messages);
    }
    if (schema.getAdditionalProperties() != null) {
      collect(schema.getAdditionalProperties().getSchema(), messages);
    }
  }

  // ---------------------------------------------------------------- restart

  @Test
  void operatorRestartWhileReconcilingFiftyResourcesConverges() {
    String ns = namespace("restart");
    for (int i = 0; i < 50; i++) {
      String yaml = """
          apiVersion: capstan.dev/v1alpha1
          kind: TsdbCluster
          metadata: {name: tsdb-%02d, namespace: %s}
          spec:
            storage: {size: 1Gi}
            databases: [{name: db, retentionPolicies: [{name: rp, duration: 1d}]}]
          """.formatted(i, ns);
      admin.resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).create();
      if (i == 25) {
        capstan.operator().kill();
      }
    }
    capstan.startOperator();
    await().atMost(Duration.ofMinutes(4)).untilAsserted(() -> {
      var resources = admin.genericKubernetesResources(API, "TsdbCluster").inNamespace(ns).list().getItems();
      assertThat(resources).hasSize(50);
      assertThat(resources).allSatisfy(r -> {
        Map<String, Object> status = status(r);
        assertThat(status).as(r.getMetadata().getName()).isNotNull();
        assertThat(((Number) status.get("observedGeneration")).longValue()).isEqualTo(r.getMetadata().getGeneration());
      });
      assertThat(admin.apps().statefulSets().inNamespace(ns).list().getItems()).hasSize(50);
    });
    // No duplicates: exactly the objects of 50 clusters, each owned once.
    assertThat(admin.services().inNamespace(ns).list().getItems()).hasSize(100);
    assertThat(admin.configMaps().inNamespace(ns).withLabel("app.kubernetes.io/managed-by", "capstan").list().getItems()).hasSize(50);
    assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems()).hasSize(50);
    assertThat(admin.apps().statefulSets().inNamespace(ns).list().getItems())
        .allSatisfy(s -> assertThat(s.getMetadata().getOwnerReferences()).hasSize(1));
  }

  @Test
  void sigtermStopsTheOperatorWithinItsGracePeriod() {
    // Leader election is on: giving up the Lease must not hang the JVM's shutdown.
    boolean exited = capstan.operator().terminate(Duration.ofSeconds(25));
    String log = capstan.operator().logText();
    capstan.startOperator();
    assertThat(exited).as("the operator exited within 25 s of SIGTERM; log:\n%s", log).isTrue();
    assertThat(log).contains("stopping");
  }

  // ---------------------------------------------------------------- helpers

  protected String namespace(String prefix) {
    String name = "e2e-" + prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  private void applySample(String ns, String file) {
    Tools.kubectl(capstan.adminKubeconfig(), "apply", "-n", ns, "-f", Repo.SAMPLES.resolve(file).toString()).orThrow();
  }

  private void patch(String ns, String kind, String name, String mergePatch) {
    Tools.kubectl(capstan.adminKubeconfig(), "patch", "-n", ns, kind.toLowerCase() + ".capstan.dev", name,
        "--type=merge", "-p", mergePatch).orThrow();
  }

  private GenericKubernetesResource get(String ns, String kind, String name) {
    return admin.genericKubernetesResources(API, kind).inNamespace(ns).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(HasMetadata resource) {
    return (Map<String, Object>) ((GenericKubernetesResource) resource).getAdditionalProperties().get("status");
  }

  @SuppressWarnings("unchecked")
  private static List<String> conditionTypes(Map<String, Object> status) {
    if (status == null || status.get("conditions") == null) {
      return List.of();
    }
    return ((List<Map<String, Object>>) status.get("conditions")).stream().map(c -> (String) c.get("type")).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> condition(Map<String, Object> status, String type) {
    if (status == null || status.get("conditions") == null) {
      return null;
    }
    return ((List<Map<String, Object>>) status.get("conditions")).stream()
        .filter(c -> type.equals(c.get("type"))).findFirst().orElse(null);
  }

  private static String configHash(StatefulSet sts) {
    return sts.getSpec().getTemplate().getMetadata().getAnnotations().get("capstan.dev/config-hash");
  }

  /** Remembers a failure so that teardown keeps the control plane's logs. */
  static final class FailureWatcher implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      context.getTestInstance().ifPresent(i -> ((E2EScenarios) i).failed = true);
    }
  }
}
