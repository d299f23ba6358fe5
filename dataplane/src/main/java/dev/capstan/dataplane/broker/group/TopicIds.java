package dev.capstan.dataplane.broker.group;

import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * The broker's topic names and ids, which OffsetCommit and OffsetFetch v10+ use instead of names.
 * Offsets are stored by name, so a topic recreated under the same name keeps its group's offsets,
 * as in Kafka.
 */
public interface TopicIds {

  /** For a broker that does not know topic ids: every id is unknown. */
  TopicIds NONE = new TopicIds() {
    @Override
    public Optional<String> name(Uuid topicId) {
      return Optional.empty();
    }

    @Override
    public Optional<Uuid> id(String topicName) {
      return Optional.empty();
    }
  };

  Optional<String> name(Uuid topicId);

  Optional<Uuid> id(String topicName);
}
