package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.topic.MessageTopic;
import dev.capstan.controllers.support.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicUpdateFilterTest {
  private static final TopicUpdateFilter FILTER = new TopicUpdateFilter();

  private static MessageTopic topic() {
    return Fixtures.parse(MessageTopic.class, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageTopic
        metadata: {name: orders, namespace: streaming}
        spec: {brokerRef: {name: events}}
        """);
  }

  @Test
  void theFinalizerArrivingTriggersTheFirstRealReconciliation() {
    MessageTopic old = topic();
    MessageTopic withFinalizer = topic();
    withFinalizer.getMetadata().setFinalizers(List.of(MessageTopicReconciler.FINALIZER));
    assertThat(FILTER.accept(withFinalizer, old)).isTrue();
    // Afterwards, an update of the metadata alone is no reason to ask Kafka again.
    MessageTopic labelled = topic();
    labelled.getMetadata().setFinalizers(List.of(MessageTopicReconciler.FINALIZER));
    labelled.getMetadata().setLabels(Map.of("team", "shop"));
    assertThat(FILTER.accept(labelled, withFinalizer)).isFalse();
    MessageTopic grown = topic();
    grown.getMetadata().setFinalizers(List.of(MessageTopicReconciler.FINALIZER));
    grown.getMetadata().setGeneration(2L);
    assertThat(FILTER.accept(grown, withFinalizer)).isTrue();
  }
}
