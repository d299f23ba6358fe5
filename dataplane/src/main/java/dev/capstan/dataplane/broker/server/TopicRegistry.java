package dev.capstan.dataplane.broker.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.dataplane.server.DurableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics this broker knows and the partitions of them it leads. A topic's metadata (id,
 * partition count, config overrides) is the file {@code <data>/topics/<topic>.json}, written
 * atomically; partition {@code p} lives in {@code <data>/<topic>-<p>/}. The JSON file is the
 * source of truth: a partition directory without it is an orphan of an interrupted delete and is
 * wiped when a topic of that name is created again. A deleted topic leaves a tombstone
 * ({@link TopicTombstones}) for a while.
 *
 * <p>Admin changes are serialized on this object; lookups are lock-free.
 */
final class TopicRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicRegistry.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What is persisted per topic. */
  record TopicMeta(String name, String id, int partitions, Map<String, String> configs) {
    TopicMeta {
      configs = Map.copyOf(new TreeMap<>(configs));
    }

    Uuid uuid() {
      return Uuid.fromString(id);
    }
  }

  private final Path dataDir;
  private final Path topicsDir;
  private final ClusterLayout layout;
  private volatile TopicConfigs configs;
  private final Clock clock;
  private final Map<String, TopicMeta> topics = new ConcurrentHashMap<>();
  private final Map<Uuid, String> namesById = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
  /** The deletions remembered, replaced (copy on write) under this object's lock. */
  private volatile List<TopicTombstones.Tombstone> tombstones = List.of();

  private TopicRegistry(Path dataDir, ClusterLayout layout, TopicConfigs configs, Clock clock) {
    this.dataDir = dataDir;
    this.topicsDir = dataDir.resolve("topics");
    this.layout = layout;
    this.configs = configs;
    this.clock = clock;
  }

  /**
   * Loads every topic and opens (recovering) the logs of the partitions this broker leads. A topic
   * whose id has a tombstone is the remains of a delete a crash interrupted; it is finished here.
   */
  static TopicRegistry open(Path dataDir, ClusterLayout layout, TopicConfigs configs, Clock clock) throws IOException {
    TopicRegistry registry = new TopicRegistry(dataDir, layout, configs, clock);
    Files.createDirectories(registry.topicsDir);
    List<Path> files;
    try (Stream<Path> list = Files.list(registry.topicsDir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    try {
      registry.tombstones = TopicTombstones.load(registry.tombstoneFile(), clock.instant());
      for (Path file : files) {
        TopicMeta meta = JSON.readValue(file.toFile(), TopicMeta.class);
        if (TopicTombstones.of(registry.tombstones, meta.uuid()).isPresent()) {
          registry.removeFiles(meta);
          LOG.info("Finished deleting topic {} (id {}), which a stop interrupted", meta.name(), meta.id());
          continue;
        }
        registry.remember(meta);
        registry.openPartitions(meta, 0);
      }
    } catch (IOException | RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  TopicConfigs configs() {
    return configs;
  }

  Optional<TopicMeta> topic(String name) {
    return Optional.ofNullable(name == null ? null : topics.get(name));
  }

  Optional<TopicMeta> topic(Uuid id) {
    return Optional.ofNullable(namesById.get(id)).map(topics::get);
  }

  /** Every topic, by name. */
  List<TopicMeta> all() {
    return topics.values().stream().sorted(Comparator.comparing(TopicMeta::name)).toList();
  }

  /** The partition if this broker leads it and it exists, else null. */
  Partition partition(TopicPartition tp) {
    return partitions.get(tp);
  }

  Collection<Partition> partitions() {
    return partitions.values();
  }

  /**
   * Checks a CreateTopics entry; throws the ApiException Kafka would answer with.
   *
   * @param partitions the requested count, already defaulted
   */
  void validateCreate(String name, int partitions, short replicationFactor, Map<String, String> overrides) {
    try {
      Topic.validate(name);
    } catch (InvalidTopicException e) {
      throw e;
    }
    if (topics.containsKey(name)) {
      throw new TopicExistsException("Topic '" + name + "' already exists.");
    }
    if (partitions < 1) {
      throw new InvalidPartitionsException("Number of partitions must be larger than 0, got " + partitions + ".");
    }
    if (replicationFactor != 1) {
      throw new InvalidReplicationFactorException("Replication factor " + replicationFactor
          + " is not possible: replication is not implemented yet, every partition has one replica; use 1 (or -1)");
    }
    configs.problem(overrides).ifPresent(problem -> {
      throw new InvalidConfigurationException(problem);
    });
  }

  /**
   * Creates a topic.
   *
   * @param id the topic id a peer chose (a forwarded creation, a catch-up), or null for a new one:
   *     random, so that a topic recreated under the name is told apart from the deleted one
   */
  synchronized TopicMeta create(String name, int partitionCount, short replicationFactor, Map<String, String> overrides,
                                Uuid id) throws IOException {
    validateCreate(name, partitionCount, replicationFactor, overrides);
    if (id != null && TopicTombstones.of(liveTombstones(), id).isPresent()) {
      throw new InvalidTopicException("Topic '" + name + "' with id " + id + " was deleted; it cannot be created again"
          + " under that id");
    }
    Uuid topicId = id != null ? id : Uuid.randomUuid();
    TopicMeta meta = new TopicMeta(name, topicId.toString(), partitionCount, overrides);
    for (int p = 0; p < partitionCount; p++) {
      deleteRecursively(partitionDir(new TopicPartition(name, p)));
    }
    persist(meta);
    remember(meta);
    openPartitions(meta, 0);
    LOG.info("Created topic {} (id {}, {} partitions, configs {})", name, topicId, partitionCount, meta.configs());
    return meta;
  }

  /** Deletes a topic now, as a client asked. */
  TopicMeta delete(String name) throws IOException {
    return delete(name, null, clock.millis());
  }

  /**
   * Deletes a topic, first recording its tombstone durably (so a crash midway is finished at the
   * next start, and a peer that missed the deletion does not hand the topic back).
   *
   * @param id the id the topic must have, or null for whichever it has
   * @param deletedAtMs when it was deleted (a peer's time, when learnt from the peer)
   */
  synchronized TopicMeta delete(String name, Uuid id, long deletedAtMs) throws IOException {
    TopicMeta meta = topics.get(name);
    if (meta == null || (id != null && !id.equals(meta.uuid()))) {
      throw new UnknownTopicOrPartitionException("This server does not host this topic: " + name
          + (id == null ? "" : " with id " + id));
    }
    List<TopicTombstones.Tombstone> next = new ArrayList<>(liveTombstones());
    next.add(new TopicTombstones.Tombstone(name, meta.uuid(), deletedAtMs));
    next = TopicTombstones.live(next, clock.instant());
    TopicTombstones.store(tombstoneFile(), next);
    tombstones = next;
    topics.remove(name);
    namesById.remove(meta.uuid());
    removeFiles(meta);
    LOG.info("Deleted topic {} (id {})", name, meta.id());
    return meta;
  }

  /** The deletions this broker remembers now (those older than {@link TopicTombstones#RETENTION} are forgotten). */
  List<TopicTombstones.Tombstone> liveTombstones() {
    return TopicTombstones.live(tombstones, clock.instant());
  }

  /** This broker's clock: the catch-up's now. */
  Clock clock() {
    return clock;
  }

  private void removeFiles(TopicMeta meta) throws IOException {
    Files.deleteIfExists(topicFile(meta.name()));
    for (int p = 0; p < meta.partitions(); p++) {
      TopicPartition tp = new TopicPartition(meta.name(), p);
      Partition partition = partitions.remove(tp);
      if (partition != null) {
        partition.close();
      }
      deleteRecursively(partitionDir(tp));
    }
  }

  /** Checks a CreatePartitions entry; throws the ApiException Kafka would answer with. */
  TopicMeta validateAddPartitions(String name, int count) {
    TopicMeta meta = topics.get(name);
    if (meta == null) {
      throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
    }
    if (count < meta.partitions()) {
      throw new InvalidPartitionsException("The topic " + name + " currently has " + meta.partitions()
          + " partition(s); " + count + " would not be an increase.");
    }
    if (count == meta.partitions()) {
      throw new InvalidPartitionsException("Topic already has " + meta.partitions() + " partition(s).");
    }
    return meta;
  }

  synchronized void addPartitions(String name, int count) throws IOException {
    TopicMeta meta = validateAddPartitions(name, count);
    TopicMeta grown = new TopicMeta(name, meta.id(), count, meta.configs());
    for (int p = meta.partitions(); p < count; p++) {
      deleteRecursively(partitionDir(new TopicPartition(name, p)));
    }
    persist(grown);
    remember(grown);
    openPartitions(grown, meta.partitions());
    LOG.info("Topic {} now has {} partitions (was {})", name, count, meta.partitions());
  }

  /** Replaces a topic's overrides (already validated) and applies them to its open logs. */
  synchronized void setConfigs(String name, Map<String, String> overrides) throws IOException {
    TopicMeta meta = topics.get(name);
    if (meta == null) {
      throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
    }
    configs.problem(overrides).ifPresent(problem -> {
      throw new InvalidConfigurationException(problem);
    });
    TopicMeta changed = new TopicMeta(name, meta.id(), meta.partitions(), overrides);
    persist(changed);
    remember(changed);
    TopicConfigs.Settings settings = configs.settings(overrides);
    for (int p = 0; p < meta.partitions(); p++) {
      Partition partition = partitions.get(new TopicPartition(name, p));
      if (partition != null) {
        partition.reconfigure(settings);
      }
    }
    LOG.info("Topic {} configs are now {}", name, changed.configs());
  }

  /**
   * Replaces the broker-wide defaults (from a reloaded broker.yaml) and applies them to every
   * partition whose topic does not override them.
   */
  synchronized void setDefaults(TopicConfigs next) throws IOException {
    configs = next;
    for (TopicMeta meta : topics.values()) {
      TopicConfigs.Settings settings = next.settings(meta.configs());
      for (int p = 0; p < meta.partitions(); p++) {
        Partition partition = partitions.get(new TopicPartition(meta.name(), p));
        if (partition != null) {
          partition.reconfigure(settings);
        }
      }
    }
  }

  private void remember(TopicMeta meta) {
    topics.put(meta.name(), meta);
    namesById.put(meta.uuid(), meta.name());
  }

  private void openPartitions(TopicMeta meta, int from) throws IOException {
    TopicConfigs.Settings settings = configs.settings(meta.configs());
    for (int p = from; p < meta.partitions(); p++) {
      if (layout.leads(meta.name(), p)) {
        TopicPartition tp = new TopicPartition(meta.name(), p);
        partitions.put(tp, Partition.open(tp, partitionDir(tp), settings, clock));
      }
    }
  }

  private Path partitionDir(TopicPartition tp) {
    return dataDir.resolve(tp.topic() + "-" + tp.partition());
  }

  private Path tombstoneFile() {
    return dataDir.resolve(TopicTombstones.FILE_NAME);
  }

  private Path topicFile(String name) {
    return topicsDir.resolve(name + ".json");
  }

  /** Write, fsync, rename: a crash leaves the old file or the new one, never half of one. */
  private void persist(TopicMeta meta) throws IOException {
    DurableFile.replace(topicFile(meta.name()), JSON.writeValueAsBytes(meta));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = new ArrayList<>(walk.toList());
    }
    paths.sort(Comparator.reverseOrder());
    for (Path path : paths) {
      Files.deleteIfExists(path);
    }
  }

  /** Throws when a request names no topic. */
  static void requireName(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidRequestException("topic name is missing");
    }
  }

  @Override
  public synchronized void close() throws IOException {
    IOException failure = null;
    for (Partition partition : partitions.values()) {
      try {
        partition.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    partitions.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
