package dev.capstan.controllers.topic;

import dev.capstan.api.topic.MessageTopic;
import dev.capstan.controllers.common.SpecOrPauseChanged;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/**
 * The MessageTopic updates worth a reconciliation: those of {@link SpecOrPauseChanged}, and the
 * one that adds the deletion finalizer. JOSDK's first pass over a new topic only adds the
 * finalizer and relies on that update to come back; without it a new topic would wait for
 * another event to be created in Kafka.
 */
public final class TopicUpdateFilter implements OnUpdateFilter<MessageTopic> {
  private static final SpecOrPauseChanged SPEC_OR_PAUSE = new SpecOrPauseChanged();

  @Override
  public boolean accept(MessageTopic updated, MessageTopic old) {
    return SPEC_OR_PAUSE.accept(updated, old)
        || (updated.hasFinalizer(MessageTopicReconciler.FINALIZER) && !old.hasFinalizer(MessageTopicReconciler.FINALIZER));
  }
}
