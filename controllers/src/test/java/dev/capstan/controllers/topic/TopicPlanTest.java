package dev.capstan.controllers.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.controllers.topic.TopicPlan.AlterConfigs;
import dev.capstan.controllers.topic.TopicPlan.Apply;
import dev.capstan.controllers.topic.TopicPlan.Create;
import dev.capstan.controllers.topic.TopicPlan.CreatePartitions;
import dev.capstan.controllers.topic.TopicPlan.Refuse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicPlanTest {
  private static final Map<String, String> DELETE = Map.of("cleanup.policy", "delete");

  private static DesiredTopic desired(Integer partitions, Integer rf, Map<String, String> configs) {
    return new DesiredTopic("orders", partitions, rf, configs);
  }

  private static Optional<ObservedTopic> kafka(int partitions, int rf, Map<String, String> overrides) {
    return Optional.of(new ObservedTopic("orders", "AAAAAAAAAAAAAAAAAAAAAA", partitions, rf, overrides));
  }

  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("absent: create as declared",
            desired(3, 2, DELETE), Optional.empty(),
            new Apply(List.of(new Create("orders", 3, 2, DELETE)))),
        Arguments.of("absent without counts: the broker decides",
            desired(null, null, DELETE), Optional.empty(),
            new Apply(List.of(new Create("orders", null, null, DELETE)))),
        Arguments.of("compact passes through to Kafka, which may refuse it",
            desired(1, null, Map.of("cleanup.policy", "compact")), Optional.empty(),
            new Apply(List.of(new Create("orders", 1, null, Map.of("cleanup.policy", "compact"))))),
        Arguments.of("in sync: nothing",
            desired(3, 1, DELETE), kafka(3, 1, DELETE),
            new Apply(List.of())),
        Arguments.of("no counts declared: an existing topic keeps its own",
            desired(null, null, DELETE), kafka(12, 3, DELETE),
            new Apply(List.of())),
        Arguments.of("more partitions: grow",
            desired(6, 1, DELETE), kafka(3, 1, DELETE),
            new Apply(List.of(new CreatePartitions(6)))),
        Arguments.of("fewer partitions: refused",
            desired(2, 1, DELETE), kafka(3, 1, DELETE),
            new Refuse("NotSupported", "spec.partitions is 2 but topic orders has 3 and Kafka cannot remove"
                + " partitions: set spec.partitions to 3 or more")),
        Arguments.of("another replication factor: refused",
            desired(3, 3, DELETE), kafka(3, 1, DELETE),
            new Refuse("NotSupported", "spec.replicationFactor is 3 but topic orders has 1 and the Admin API"
                + " cannot change it: set spec.replicationFactor to 1, or reassign the partitions with"
                + " kafka-reassign-partitions")),
        Arguments.of("both refused at once, and a wanted config change with them",
            desired(1, 3, Map.of("cleanup.policy", "compact")), kafka(3, 1, DELETE),
            new Refuse("NotSupported", "spec.partitions is 1 but topic orders has 3 and Kafka cannot remove"
                + " partitions: set spec.partitions to 3 or more; spec.replicationFactor is 3 but topic orders"
                + " has 1 and the Admin API cannot change it: set spec.replicationFactor to 1, or reassign the"
                + " partitions with kafka-reassign-partitions")),
        Arguments.of("a declared config added",
            desired(3, 1, Map.of("cleanup.policy", "delete", "retention.ms", "3600000")), kafka(3, 1, DELETE),
            new Apply(List.of(new AlterConfigs(Map.of("retention.ms", "3600000"), Set.of())))),
        Arguments.of("a declared config changed by hand: set back",
            desired(3, 1, Map.of("cleanup.policy", "delete", "retention.ms", "3600000")),
            kafka(3, 1, Map.of("cleanup.policy", "delete", "retention.ms", "60000")),
            new Apply(List.of(new AlterConfigs(Map.of("retention.ms", "3600000"), Set.of())))),
        Arguments.of("an override nobody declared (by hand, or removed from spec): removed",
            desired(3, 1, DELETE), kafka(3, 1, Map.of("cleanup.policy", "delete", "max.message.bytes", "10")),
            new Apply(List.of(new AlterConfigs(Map.of(), Set.of("max.message.bytes"))))),
        Arguments.of("grow and align in one pass, partitions first",
            desired(4, null, Map.of("cleanup.policy", "compact")),
            kafka(2, 1, Map.of("cleanup.policy", "delete", "segment.ms", "1000")),
            new Apply(List.of(new CreatePartitions(4),
                new AlterConfigs(Map.of("cleanup.policy", "compact"), Set.of("segment.ms"))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void planTakesKafkaToTheDeclaredTopic(
      String name, DesiredTopic desired, Optional<ObservedTopic> observed, TopicPlan expected) {
    assertThat(TopicPlan.of(desired, observed)).isEqualTo(expected);
  }

  @Test
  void actionsDescribeThemselvesForLogsAndEvents() {
    assertThat(new Create("orders", null, 3, DELETE).describe("orders")).isEqualTo(
        "create topic orders with the broker's default partitions, replication factor 3 and config"
            + " {cleanup.policy=delete}");
    assertThat(new CreatePartitions(6).describe("orders")).isEqualTo("grow topic orders to 6 partitions");
    assertThat(new AlterConfigs(Map.of("b", "2", "a", "1"), Set.of("z", "y")).describe("orders"))
        .isEqualTo("set config {a=1, b=2} and remove config overrides [y, z] of topic orders");
    assertThat(new AlterConfigs(Map.of(), Set.of("y")).describe("orders"))
        .isEqualTo("remove config overrides [y] of topic orders");
  }
}
