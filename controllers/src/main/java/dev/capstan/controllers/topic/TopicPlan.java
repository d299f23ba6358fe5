package dev.capstan.controllers.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What to do in Kafka to make a topic what its MessageTopic declares: a pure function of the
 * desired topic and the one Kafka describes.
 *
 * <p>Drift: Capstan owns the topic-level configuration of the topics it manages. A topic-level
 * override whose value differs from the declared one is set back, and one the resource does
 * not declare is removed, so that the topic falls back to the broker's value. That covers
 * changes made by hand with {@code kafka-configs} and a key deleted from {@code spec.config}
 * alike, without remembering what Capstan set before. Broker-level configuration is never
 * touched.
 *
 * <p>Kafka cannot remove partitions nor, through the Admin API, change a replication factor;
 * such a spec is refused as a whole, so that Kafka is left exactly as it was.
 */
public sealed interface TopicPlan {
  String NOT_SUPPORTED = "NotSupported";

  /** Changes to make, in order; none when the topic is already as declared. */
  record Apply(List<Action> actions) implements TopicPlan {
    public Apply {
      actions = List.copyOf(actions);
    }
  }

  /** The declared topic cannot be reached from the one Kafka has. */
  record Refuse(String reason, String message) implements TopicPlan {}

  sealed interface Action {
    /** What the action does, for a log line, an event and a status message. */
    String describe(String topic);

    /** The reason of the Normal event that records it. */
    String eventReason();
  }

  /** Create the topic; a null count leaves it to the broker's defaults. */
  record Create(String name, Integer partitions, Integer replicationFactor, Map<String, String> configs)
      implements Action {
    public Create {
      configs = Map.copyOf(configs);
    }

    @Override
    public String describe(String topic) {
      return "create topic " + topic + " with " + (partitions == null ? "the broker's default" : partitions)
          + " partitions, replication factor "
          + (replicationFactor == null ? "the broker's default" : replicationFactor)
          + " and config " + new TreeMap<>(configs);
    }

    @Override
    public String eventReason() {
      return "TopicCreated";
    }
  }

  /** Grow the topic to {@code totalCount} partitions. */
  record CreatePartitions(int totalCount) implements Action {
    @Override
    public String describe(String topic) {
      return "grow topic " + topic + " to " + totalCount + " partitions";
    }

    @Override
    public String eventReason() {
      return "PartitionsAdded";
    }
  }

  /** Set {@code set} and remove the topic-level overrides named in {@code delete}. */
  record AlterConfigs(Map<String, String> set, Set<String> delete) implements Action {
    public AlterConfigs {
      set = Map.copyOf(set);
      delete = Set.copyOf(delete);
    }

    @Override
    public String describe(String topic) {
      List<String> parts = new ArrayList<>();
      if (!set.isEmpty()) {
        parts.add("set config " + new TreeMap<>(set));
      }
      if (!delete.isEmpty()) {
        parts.add("remove config overrides " + new TreeSet<>(delete));
      }
      return String.join(" and ", parts) + " of topic " + topic;
    }

    @Override
    public String eventReason() {
      return "ConfigAligned";
    }
  }

  static TopicPlan of(DesiredTopic desired, Optional<ObservedTopic> observed) {
    if (observed.isEmpty()) {
      return new Apply(List.of(new Create(
          desired.name(), desired.partitions(), desired.replicationFactor(), desired.configs())));
    }
    ObservedTopic topic = observed.get();
    List<String> refusals = new ArrayList<>();
    if (desired.partitions() != null && desired.partitions() < topic.partitions()) {
      refusals.add("partitions is " + desired.partitions() + " but topic " + topic.name() + " has "
          + topic.partitions() + " and Kafka cannot remove partitions: set spec.partitions to "
          + topic.partitions() + " or more");
    }
    if (desired.replicationFactor() != null && desired.replicationFactor() != topic.replicationFactor()) {
      refusals.add("replicationFactor is " + desired.replicationFactor() + " but topic " + topic.name()
          + " has " + topic.replicationFactor() + " and the Admin API cannot change it: set"
          + " spec.replicationFactor to " + topic.replicationFactor()
          + ", or reassign the partitions with kafka-reassign-partitions");
    }
    if (!refusals.isEmpty()) {
      return new Refuse(NOT_SUPPORTED, "spec." + String.join("; spec.", refusals));
    }

    List<Action> actions = new ArrayList<>();
    if (desired.partitions() != null && desired.partitions() > topic.partitions()) {
      actions.add(new CreatePartitions(desired.partitions()));
    }
    Map<String, String> set = new TreeMap<>();
    desired.configs().forEach((key, value) -> {
      if (!Objects.equals(topic.overrides().get(key), value)) {
        set.put(key, value);
      }
    });
    Set<String> delete = new TreeSet<>(topic.overrides().keySet());
    delete.removeAll(desired.configs().keySet());
    if (!set.isEmpty() || !delete.isEmpty()) {
      actions.add(new AlterConfigs(set, delete));
    }
    return new Apply(actions);
  }
}
