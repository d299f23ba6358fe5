package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.broker.server.TopicTombstones.Tombstone;
import dev.capstan.dataplane.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tombstone file: round trip, damage refused, expiry; and how the topic registry keeps it. */
class TopicTombstonesTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final List<Tombstone> SOME = List.of(
      new Tombstone("a", new Uuid(1, 2), NOW.toEpochMilli() - 1000),
      new Tombstone("orders.eu-west_1", new Uuid(-3, 4), NOW.toEpochMilli()),
      new Tombstone("orders.eu-west_1", new Uuid(5, -6), 0));

  @TempDir
  Path dir;

  @Test
  void roundTripsThroughBytesAndThroughTheFile() throws IOException {
    assertThat(TopicTombstones.decode(TopicTombstones.encode(SOME))).isEqualTo(SOME);
    assertThat(TopicTombstones.decode(TopicTombstones.encode(List.of()))).isEmpty();

    Path file = dir.resolve(TopicTombstones.FILE_NAME);
    TopicTombstones.store(file, SOME);
    // loading drops what expired: the one deleted at epoch 0
    assertThat(TopicTombstones.load(file, NOW)).containsExactlyInAnyOrderElementsOf(SOME.subList(0, 2));
    assertThat(Files.list(dir)).containsExactly(file); // no temporary file left
  }

  @Test
  void roundTripsThroughTheConfigValuePeersAskFor() {
    assertThat(TopicTombstones.fromConfigValue(TopicTombstones.toConfigValue(SOME))).isEqualTo(SOME);
    assertThat(TopicTombstones.fromConfigValue(TopicTombstones.toConfigValue(List.of()))).isEmpty();
    assertThat(TopicTombstones.fromConfigValue(null)).isEmpty();
    assertThatThrownBy(() -> TopicTombstones.fromConfigValue("a:b")).isInstanceOf(IllegalArgumentException.class);
  }

  /** Every single-bit flip and every truncation is caught by the checksum (or the length check). */
  @Test
  void aTornOrCorruptFileIsRefusedNotGuessed() {
    byte[] good = TopicTombstones.encode(SOME);
    for (int i = 0; i < good.length * 8; i++) {
      byte[] flipped = good.clone();
      flipped[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> TopicTombstones.decode(flipped)).isInstanceOf(IOException.class);
    }
    for (int length = 0; length < good.length; length++) {
      byte[] torn = Arrays.copyOf(good, length);
      assertThatThrownBy(() -> TopicTombstones.decode(torn)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aCorruptFileStopsTheBrokerWithOneLineSayingWhatToDo() throws IOException {
    Path file = dir.resolve(TopicTombstones.FILE_NAME);
    TopicTombstones.store(file, SOME);
    byte[] bytes = Files.readAllBytes(file);
    bytes[10] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> TopicTombstones.load(file, NOW))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(TopicTombstones.FILE_NAME)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("delete it to start without")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> registry(Clock.fixed(NOW, ZoneOffset.UTC))).isInstanceOf(IOException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 6 * 24, 7 * 24 - 1})
  void aTombstoneLivesAWeek(long hoursLater) {
    Tombstone t = new Tombstone("a", new Uuid(1, 2), NOW.toEpochMilli());
    assertThat(t.liveAt(NOW.plus(Duration.ofHours(hoursLater)))).isTrue();
    assertThat(t.liveAt(NOW.plus(TopicTombstones.RETENTION))).isFalse();
    assertThat(TopicTombstones.RETENTION).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void theRegistryRecordsADeletionDurablyAndForgetsItAfterTheRetention() throws IOException {
    ManualClock clock = new ManualClock(NOW);
    Uuid id;
    try (TopicRegistry topics = registry(clock)) {
      id = topics.create("orders", 2, (short) 1, Map.of(), null).uuid();
      topics.delete("orders");
      assertThat(topics.liveTombstones()).containsExactly(new Tombstone("orders", id, NOW.toEpochMilli()));
      // the same id cannot come back (a late forwarded creation, a stale catch-up) ...
      assertThatThrownBy(() -> topics.create("orders", 2, (short) 1, Map.of(), id))
          .isInstanceOf(InvalidTopicException.class).hasMessageContaining("was deleted");
      // ... but the name can, with a new id
      assertThat(topics.create("orders", 1, (short) 1, Map.of(), null).uuid()).isNotEqualTo(id);
    }
    try (TopicRegistry reopened = registry(clock)) {
      assertThat(reopened.liveTombstones()).extracting(Tombstone::id).containsExactly(id);
      assertThat(reopened.topic("orders")).isPresent();
      clock.advance(TopicTombstones.RETENTION);
      assertThat(reopened.liveTombstones()).isEmpty();
    }
  }

  @Test
  void aDeleteByIdLeavesATopicOfAnotherIdAlone() throws IOException {
    try (TopicRegistry topics = registry(Clock.fixed(NOW, ZoneOffset.UTC))) {
      Uuid id = topics.create("orders", 1, (short) 1, Map.of(), null).uuid();
      assertThatThrownBy(() -> topics.delete("orders", new Uuid(7, 7), 0))
          .isInstanceOf(UnknownTopicOrPartitionException.class);
      assertThat(topics.topic("orders")).isPresent();
      topics.delete("orders", id, 1234);
      assertThat(topics.liveTombstones()).isEmpty(); // deleted at 1234 ms: long expired
      assertThat(topics.topic("orders")).isEmpty();
    }
  }

  /** A stop between writing the tombstone and removing the topic's files: the next start finishes it. */
  @Test
  void aDeleteInterruptedAfterItsTombstoneIsFinishedAtTheNextStart() throws IOException {
    Path topicFile = dir.resolve("topics").resolve("orders.json");
    byte[] meta;
    Uuid id;
    try (TopicRegistry topics = registry(Clock.fixed(NOW, ZoneOffset.UTC))) {
      id = topics.create("orders", 1, (short) 1, Map.of(), null).uuid();
      meta = Files.readAllBytes(topicFile);
      topics.delete("orders");
    }
    Files.write(topicFile, meta); // as if the stop came before the file was removed
    Files.createDirectories(dir.resolve("orders-0"));
    try (TopicRegistry reopened = registry(Clock.fixed(NOW, ZoneOffset.UTC))) {
      assertThat(reopened.topic("orders")).isEmpty();
      assertThat(reopened.topic(id)).isEmpty();
    }
    assertThat(topicFile).doesNotExist();
    assertThat(dir.resolve("orders-0")).doesNotExist();
  }

  private TopicRegistry registry(Clock clock) throws IOException {
    ClusterLayout layout = new ClusterLayout(0, List.of(new ClusterLayout.HostPort("localhost", 9092)),
        ClusterLayout.clusterIdFor("tombstones"));
    return TopicRegistry.open(dir, layout, TopicConfigs.withRetention(-1, -1), clock);
  }
}
