package dev.capstan.controllers.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecOrPauseChangedTest {
  private final SpecOrPauseChanged filter = new SpecOrPauseChanged();

  private static ConfigMap resource(long generation, Map<String, String> annotations, boolean deleting) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("r")
        .withGeneration(generation)
        .withAnnotations(annotations)
        .withDeletionTimestamp(deleting ? "2026-01-01T00:00:00Z" : null)
        .endMetadata()
        .build();
  }

  @Test
  void passesSpecChangesPauseToggleAndDeletion() {
    assertThat(filter.accept(resource(2, Map.of(), false), resource(1, Map.of(), false))).isTrue();
    assertThat(filter.accept(resource(1, Map.of("capstan.dev/paused", "true"), false), resource(1, Map.of(), false))).isTrue();
    assertThat(filter.accept(resource(1, Map.of(), false), resource(1, Map.of("capstan.dev/paused", "true"), false))).isTrue();
    assertThat(filter.accept(resource(1, Map.of(), true), resource(1, Map.of(), false))).isTrue();
  }

  @Test
  void dropsStatusAndUnrelatedMetadataChanges() {
    assertThat(filter.accept(resource(1, Map.of(), false), resource(1, Map.of(), false))).isFalse();
    assertThat(filter.accept(resource(1, Map.of("note", "x"), false), resource(1, Map.of(), false))).isFalse();
    assertThat(filter.accept(resource(1, Map.of("capstan.dev/paused", "TRUE"), false),
        resource(1, Map.of("capstan.dev/paused", "true"), false))).isFalse();
  }
}
