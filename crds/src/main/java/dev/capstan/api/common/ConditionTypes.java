package dev.capstan.api.common;

/** The condition types and the reasons Capstan sets on every custom resource's status. */
public final class ConditionTypes {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  /** Set while the {@link #PAUSED_ANNOTATION} annotation stops reconciliation. */
  public static final String RECONCILIATION_PAUSED = "ReconciliationPaused";

  /** Annotation that, set to "true", makes the operator leave a resource alone. */
  public static final String PAUSED_ANNOTATION = "capstan.dev/paused";

  private ConditionTypes() {}
}
