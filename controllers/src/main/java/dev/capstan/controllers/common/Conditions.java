package dev.capstan.controllers.common;

import static dev.capstan.api.common.ConditionTypes.RECONCILIATION_PAUSED;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Pure helpers for status conditions. A condition keeps its {@code lastTransitionTime} while
 * its status stays the same, as Kubernetes API conventions ask.
 */
public final class Conditions {
  private Conditions() {}

  /** A condition as a reconciler wants it, before transition times are worked out. */
  public record Desired(String type, boolean status, String reason, String message) {
    public static Desired isTrue(String type, String reason, String message) {
      return new Desired(type, true, reason, message);
    }

    public static Desired isFalse(String type, String reason, String message) {
      return new Desired(type, false, reason, message);
    }
  }

  /**
   * The new condition list: {@code desired} in its order, each carrying the transition time
   * of the current condition of the same type when its status did not change. Types that are
   * not desired are dropped.
   */
  public static List<Condition> merge(
      List<Condition> current, List<Desired> desired, Long generation, Instant now) {
    String nowText = now.truncatedTo(ChronoUnit.SECONDS).toString();
    List<Condition> result = new ArrayList<>();
    for (Desired d : desired) {
      String status = d.status() ? "True" : "False";
      Condition previous = find(current, d.type());
      String transition =
          previous != null && status.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
              ? previous.getLastTransitionTime()
              : nowText;
      result.add(
          new ConditionBuilder()
              .withType(d.type())
              .withStatus(status)
              .withReason(d.reason())
              .withMessage(d.message())
              .withObservedGeneration(generation)
              .withLastTransitionTime(transition)
              .build());
    }
    return result;
  }

  /**
   * A paused resource's conditions: what it said before, kept as it was, plus
   * ReconciliationPaused=True.
   */
  public static List<Condition> paused(List<Condition> current, Long observedGeneration, Instant now) {
    List<Desired> kept = new ArrayList<>();
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (!RECONCILIATION_PAUSED.equals(c.getType())) {
        kept.add(new Desired(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
      }
    }
    kept.add(Desired.isTrue(RECONCILIATION_PAUSED, "PausedByAnnotation",
        "the capstan.dev/paused annotation is \"true\"; remove it to resume"));
    return merge(current, kept, observedGeneration, now);
  }

  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst().orElse(null);
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }
}
