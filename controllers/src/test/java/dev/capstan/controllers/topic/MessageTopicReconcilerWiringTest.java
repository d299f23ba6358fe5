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
  private MessageTopicReconciler topics;

  @BeforeEach
  void start() {
    // The mock API server knows no server-side apply; merge patches of the status do the same here.
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(1)));
    operator.register(new MessageBrokerReconciler(ControllerSettings.defaults(), EventRecorder.NONE, Clock.systemUTC()));
    topics = new MessageTopicReconciler(EventRecorder.NONE, Clock.systemUTC());
    operator.register(topics);
    operator.start();
  }

  @AfterEach
  void stop() throws Exception {
    operator.stop();
    topics.close();
  }

  @Test
  void topicsFollowTheirBrokerAndTheFirstClaimOnATopicName() {
    create(topic("orders", "orders"));
    awaitReady("orders", "BrokerNotFound");

    // The broker appearing re-reconciles its topics; its pods never get ready here, so no topic
    // is created in it (MessageTopicKafkaTest covers that against a real Kafka).
    client.resource(Fixtures.parse(MessageBroker.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: events, namespace: streaming}
        spec: {}
        """)).create();
    awaitReady("orders", "BrokerNotReady");
    var orders = client.resources(MessageTopic.class).inNamespace(NS).withName("orders").get();
    assertThat(orders.getMetadata().getFinalizers()).containsExactly(MessageTopicReconciler.FINALIZER);
    assertThat(Conditions.find(orders.getStatus().conditions(), "Ready").getMessage())
        .startsWith("MessageBroker events is not ready (");

    // A second resource for the same Kafka topic is refused...
    create(topic("orders-v2", "orders"));
    awaitReady("orders-v2", "ResourceConflict");
    awaitReady("orders", "BrokerNotReady");

    // ...until the first one goes away: it never had a Kafka topic, so its finalizer does not
    // wait for the broker.
    client.resources(MessageTopic.class).inNamespace(NS).withName("orders").delete();
    awaitReady("orders-v2", "BrokerNotReady");
    assertThat(client.resources(MessageTopic.class).inNamespace(NS).withName("orders").get()).isNull();
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
