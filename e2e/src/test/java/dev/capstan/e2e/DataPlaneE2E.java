package dev.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.e2e.cluster.LocalControlPlane;
import dev.capstan.e2e.kubelet.LocalKubelet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The data plane through Kubernetes: on the local control plane, with the local kubelet running
 * Capstan's data-plane pods as processes, a user's resources become servers that answer — the
 * InfluxDB API of a TsdbCluster (and its retention changing live), a LoadBalancer in front of
 * it, and a MessageTopic created through the Kafka Admin API in Capstan's own broker, used with
 * kafka-clients.
 *
 * <p>Runs in a JVM of its own (see the e2e pom): names such as the brokers' advertised
 * listeners resolve through the local kubelet's hosts file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneE2E {
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final String API = "capstan.dev/v1alpha1";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalControlPlane cluster;
  private CapstanInstallation capstan;
  private KubernetesClient admin;
  private LocalKubelet kubelet;

  @BeforeAll
  void start() throws java.io.IOException {
    Path state = Repo.LOGS.resolve("kubelet");
    Path hosts = state.resolve("hosts");
    // This JVM resolves names only through that file (see the pom): it must exist from the start.
    java.nio.file.Files.createDirectories(state);
    java.nio.file.Files.writeString(hosts, "127.0.0.1 localhost\n");
    cluster = LocalControlPlane.start();
    capstan = CapstanInstallation.install(cluster, Map.of("JAVA_TOOL_OPTIONS", "-Djdk.net.hosts.file=" + hosts));
    admin = capstan.admin();
    kubelet = new LocalKubelet(admin, "capstan-local", state, Repo.DATAPLANE_JAR).start();
  }

  @AfterAll
  void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (capstan != null) {
      capstan.close();
    }
    if (cluster != null) {
      cluster.close(false);
    }
  }

  @Test
  void aTsdbClusterServesTheInfluxApiAndTakesRetentionChangesLive() throws Exception {
    String ns = namespace("dp-tsdb");
    apply(ns, "tsdb-two-retention-policies.yaml");
    awaitReady(ns, "TsdbCluster", "metrics");
    Pod pod = admin.pods().inNamespace(ns).withName("metrics-0").get();
    String node = "http://" + pod.getStatus().getPodIP() + ":8086";

    long now = System.currentTimeMillis() / 1000; // inside the week the default policy keeps
    HttpResponse<String> write = post(node + "/write?db=telegraf&precision=s", "cpu,host=a usage=41.5 " + now + "\n");
    JsonNode rows = query(node, "telegraf", "SELECT usage FROM cpu");

    assertThat(write.statusCode()).as(write.body()).isEqualTo(204);
    assertThat(rows.at("/results/0/series/0/values/0/1").asDouble()).isEqualTo(41.5);

    Tools.kubectl(capstan.adminKubeconfig(), "patch", "-n", ns, "tsdbclusters.capstan.dev", "metrics", "--type=json",
        "-p", "[{\"op\":\"replace\",\"path\":\"/spec/databases/0/retentionPolicies/0/duration\",\"value\":\"14d\"}]").orThrow();
    await().atMost(CONVERGE).untilAsserted(() -> {
      JsonNode policies = query(node, "telegraf", "SHOW RETENTION POLICIES ON telegraf");
      List<String> week = new ArrayList<>();
      policies.at("/results/0/series/0/values").forEach(row -> {
        if (row.get(0).asText().equals("week")) {
          week.add(row.get(1).asText());
        }
      });
      assertThat(week).containsExactly("336h0m0s");
    });
    assertThat(admin.pods().inNamespace(ns).withName("metrics-0").get().getMetadata().getUid())
        .as("the node reloads retention without a restart")
        .isEqualTo(pod.getMetadata().getUid());
    assertThat(query(node, "telegraf", "SELECT usage FROM cpu").at("/results/0/series/0/values/0/1").asDouble())
        .isEqualTo(41.5);
  }

  @Test
  void aLoadBalancerSpreadsRequestsOverTheTsdbNodes() throws Exception {
    String ns = namespace("dp-lb");
    apply(ns, "tsdb-two-retention-policies.yaml");
    Tools.kubectl(capstan.adminKubeconfig(), "patch", "-n", ns, "tsdbclusters.capstan.dev", "metrics", "--type=merge",
        "-p", "{\"spec\":{\"replicas\":2}}").orThrow();
    Tools.kubectlWithInput(capstan.adminKubeconfig(), """
        apiVersion: capstan.dev/v1alpha1
        kind: LoadBalancer
        metadata: {name: influx}
        spec:
          mode: HTTP
          algorithm: RoundRobin
          listeners: [{name: http, port: 8080}]
          backends: [{service: {name: metrics, port: 8086}}]
          healthCheck:
            active: {type: HTTP, path: /ping, interval: 1s, timeout: 1s}
        """, "apply", "-n", ns, "-f", "-").orThrow();
    awaitReady(ns, "TsdbCluster", "metrics");
    awaitReady(ns, "LoadBalancer", "influx");
    Pod lbPod = admin.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", "influx").list().getItems().get(0);
    String lb = "http://" + lbPod.getStatus().getPodIP() + ":8080";

    // Each node keeps its own points (no replication yet): a write lands on one node, and
    // round robin sends the next request to the other.
    List<Integer> statuses = new ArrayList<>();
    long now = System.currentTimeMillis() / 1000;
    for (int i = 0; i < 10; i++) {
      statuses.add(post(lb + "/write?db=telegraf&precision=s", "hits,via=lb n=" + i + "i " + (now - i) + "\n").statusCode());
    }
    long onNode0 = count("http://" + podIp(ns, "metrics-0") + ":8086");
    long onNode1 = count("http://" + podIp(ns, "metrics-1") + ":8086");

    assertThat(statuses).as("balancer status: %s", adminStatus(lbPod)).containsOnly(204);
    assertThat(onNode0 + onNode1).isEqualTo(10);
    assertThat(onNode0).isEqualTo(5);

    // The controller asks the ready balancers how many servers pass their health checks, and
    // follows changes: both nodes answer /ping; with one node left, one.
    await().atMost(CONVERGE).untilAsserted(() ->
        assertThat(healthyServers(ns, "influx")).as("balancer status: %s", adminStatus(lbPod)).isEqualTo(2));
    Tools.kubectl(capstan.adminKubeconfig(), "patch", "-n", ns, "tsdbclusters.capstan.dev", "metrics", "--type=merge",
        "-p", "{\"spec\":{\"replicas\":1}}").orThrow();
    await().atMost(CONVERGE).untilAsserted(() ->
        assertThat(healthyServers(ns, "influx")).as("balancer status: %s", adminStatus(lbPod)).isEqualTo(1));
  }

  @SuppressWarnings("unchecked")
  private Object healthyServers(String ns, String lb) {
    var status = (Map<String, Object>) get(ns, "LoadBalancer", lb).getAdditionalProperties().get("status");
    return status == null ? null : status.get("healthyServers");
  }

  @Test
  void aMessageTopicIsCreatedInCapstansBrokerAndCarriesRecords() throws Exception {
    String ns = namespace("dp-kafka");
    apply(ns, "broker.yaml");
    apply(ns, "topic.yaml");
    awaitReady(ns, "MessageBroker", "events");
    awaitReady(ns, "MessageTopic", "orders");
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) get(ns, "MessageTopic", "orders").getAdditionalProperties().get("status");
    String bootstrap = podIp(ns, "events-0") + ":9092";

    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>("orders", "order-" + i, "{\"n\":" + i + "}")).get();
      }
    }
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("orders"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < 100 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }

    assertThat(status).containsEntry("topicName", "orders").containsEntry("partitions", 6);
    assertThat((String) status.get("topicId")).isNotBlank();
    assertThat(values).hasSize(100).contains("{\"n\":0}", "{\"n\":99}");
  }

  private static String adminStatus(Pod pod) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + pod.getStatus().getPodIP() + ":9901/status")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private long count(String node) throws Exception {
    JsonNode r = query(node, "telegraf", "SELECT count(n) FROM hits");
    return r.at("/results/0/series/0/values/0/1").asLong(0);
  }

  private String podIp(String ns, String pod) {
    return admin.pods().inNamespace(ns).withName(pod).get().getStatus().getPodIP();
  }

  private String namespace(String prefix) {
    String name = prefix + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  private void apply(String ns, String sample) {
    Tools.kubectl(capstan.adminKubeconfig(), "apply", "-n", ns, "-f", Repo.SAMPLES.resolve(sample).toString()).orThrow();
  }

  private GenericKubernetesResource get(String ns, String kind, String name) {
    return admin.genericKubernetesResources(API, kind).inNamespace(ns).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private void awaitReady(String ns, String kind, String name) {
    await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      var resource = get(ns, kind, name);
      assertThat(resource).isNotNull();
      var status = (Map<String, Object>) resource.getAdditionalProperties().get("status");
      assertThat(status).as("%s %s has a status", kind, name).isNotNull();
      var conditions = (List<Map<String, Object>>) status.get("conditions");
      assertThat(conditions).as("%s %s conditions", kind, name)
          .anySatisfy(c -> assertThat(c).containsEntry("type", "Ready").containsEntry("status", "True"));
    });
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode query(String node, String db, String q) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node + "/query?db=" + db + "&q="
        + URLEncoder.encode(q, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
