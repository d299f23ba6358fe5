package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.controllers.broker.MessageBrokerReconciler;
import dev.capstan.controllers.common.Conditions;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import dev.capstan.controllers.support.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two controllers running in JOSDK against Fabric8's CRUD mock API server: proves the
 * event sources re-trigger the right topics, which the pure tests cannot.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class MessageTopicReconcilerWiringTest {
  private static final String NS = "streaming";
  KubernetesClient client;
  private Operator operator;

  @BeforeEach
  void start() {
    // The mock API server knows no server-side apply; merge patches of the status do the same here.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(1)));
    operator.register(new MessageBrokerReconciler(ControllerSettings.defaults(), EventRecorder.NONE, Clock.systemUTC()));
    operator.register(new MessageTopicReconciler(EventRecorder.NONE, Clock.systemUTC()));
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.stop();
  }

  @Test
  void topicsFollowTheirBrokerAndTheFirstClaimOnATopicName() {
    create(topic("orders", "orders"));
    awaitReady("orders", "BrokerNotFound");

    // The broker appearing re-reconciles its topics; an external one is honestly not Ready.
    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec:
          external: {bootstrapServers: "kafka.corp:9092"}
        """)).create();
    awaitReady("orders", "BrokerNotReady");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var broker = client.resources(MessageBroker.class).inNamespace(NS).withName("events").get();
      assertThat(broker.getStatus()).isNotNull();
      assertThat(broker.getStatus().bootstrapServers()).isEqualTo("kafka.corp:9092");
      assertThat(Conditions.find(broker.getStatus().conditions(), "Ready")).extracting(Condition::getReason)
          .isEqualTo("ConnectivityNotChecked");
    });
    assertThat(client.resources(StatefulSet.class).inNamespace(NS).list().getItems()).isEmpty();

    // A second resource for the same Kafka topic is refused...
    create(topic("orders-v2", "orders"));
    awaitReady("orders-v2", "ResourceConflict");
    awaitReady("orders", "BrokerNotReady");

    // ...until the first one goes away.
    client.resources(MessageTopic.class).inNamespace(NS).withName("orders").delete();
    awaitReady("orders-v2", "BrokerNotReady");
  }

  private static MessageTopic topic(String name, String topicName) {
    return Fixtures.parse(MessageTopic.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageTopic
        metadata: {name: %s, namespace: streaming}
        spec: {brokerRef: {name: events}, topicName: %s}
        """.formatted(name, topicName));
  }

  private void create(MessageTopic topic) {
    topic.getMetadata().setUid(null);
    client.resource(topic).create();
  }

  private void awaitReady(String topic, String reason) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var current = client.resources(MessageTopic.class).inNamespace(NS).withName(topic).get();
      assertThat(current.getStatus()).as("status of " + topic).isNotNull();
      assertThat(Conditions.find(current.getStatus().conditions(), "Ready"))
          .extracting(Condition::getReason).isEqualTo(reason);
    });
  }
}
