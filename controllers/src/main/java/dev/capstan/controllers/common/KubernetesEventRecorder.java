package dev.capstan.controllers.common;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events. A failure to record an event is logged and otherwise ignored: events
 * are a courtesy to the user, never a reason to fail a reconciliation.
 */
public final class KubernetesEventRecorder implements EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(KubernetesEventRecorder.class);
  static final String COMPONENT = "capstan-operator";
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String instance;
  private final Clock clock;

  public KubernetesEventRecorder(KubernetesClient client, String instance, Clock clock) {
    this.client = client;
    this.instance = instance;
    this.clock = clock;
  }

  @Override
  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  @Override
  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    var meta = about.getMetadata();
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(meta.getName() + ".")
            .withNamespace(meta.getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(about.getApiVersion())
                    .withKind(about.getKind())
                    .withName(meta.getName())
                    .withNamespace(meta.getNamespace())
                    .withUid(meta.getUid())
                    .withResourceVersion(meta.getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent("capstan.dev/operator")
            .withReportingInstance(instance)
            .build();
    try {
      client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      log.warn("could not record event {} on {}/{}: {}", reason, meta.getNamespace(), meta.getName(), e.getMessage());
    }
  }
}
