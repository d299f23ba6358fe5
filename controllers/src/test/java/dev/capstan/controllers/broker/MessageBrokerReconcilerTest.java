package dev.capstan.controllers.broker;

import static dev.capstan.controllers.broker.MessageBrokerResourcesTest.EXTERNAL;
import static dev.capstan.controllers.broker.MessageBrokerResourcesTest.FULL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.controllers.common.Conditions.Desired;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageBrokerReconcilerTest {
  private final MessageBrokerReconciler reconciler =
      new MessageBrokerReconciler(ControllerSettings.defaults(), EventRecorder.NONE, Clock.systemUTC());

  @Test
  void aBrokerThatRunsPodsAppliesItsObjectsConfigFirst() {
    assertThat(reconciler.ownedResourcesFor(FULL))
        .extracting(r -> r.resourceType().getSimpleName() + "/" + r.name())
        .containsExactly("ConfigMap/config", "Service/headless", "Service/bootstrap", "StatefulSet/brokers",
            "PodDisruptionBudget/pdb");
  }

  @Test
  void anExternalBrokerAppliesNothingButIsStillWatched() {
    assertThat(reconciler.ownedResourcesFor(EXTERNAL)).isEmpty();
    // Watching every kind keeps a leftover StatefulSet visible after a switch to external.
    assertThat(reconciler.ownedResources()).hasSize(5);
  }

  @Test
  void anExternalClusterIsNotClaimedReady() {
    List<Desired> conditions = MessageBrokerReconciler.externalConditions(EXTERNAL, Optional.empty());
    assertThat(conditions).extracting(Desired::type).containsExactly("Ready", "Progressing", "Degraded");
    assertThat(conditions.get(0)).satisfies(ready -> {
      assertThat(ready.status()).isFalse();
      assertThat(ready.reason()).isEqualTo("ConnectivityNotChecked");
      assertThat(ready.message()).contains("kafka-0.corp:9092,kafka-1.corp:9092").contains("not checked yet");
    });
    assertThat(conditions.get(1).status()).isFalse();
    assertThat(conditions.get(2).status()).isFalse();
  }

  @Test
  void podsLeftFromBeforeTheSwitchToExternalAreReported() {
    Desired degraded = MessageBrokerReconciler.externalConditions(EXTERNAL, Optional.of("events")).get(2);
    assertThat(degraded.status()).isTrue();
    assertThat(degraded.reason()).isEqualTo("LeftoverWorkload");
    assertThat(degraded.message()).contains("StatefulSet events").contains("events-brokers", "events-bootstrap");
  }
}
