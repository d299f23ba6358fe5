package dev.capstan.controllers.broker;

import static dev.capstan.controllers.broker.MessageBrokerResourcesTest.EXTERNAL;
import static dev.capstan.controllers.broker.MessageBrokerResourcesTest.FULL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.EventRecorder;
import java.time.Clock;
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
}
