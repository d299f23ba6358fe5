package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.log.LogConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The topic configs this broker understands, their defaults and validation. Kafka's names and
 * meanings; anything else is refused rather than silently ignored, so that a user never believes a
 * setting is in force when it is not.
 */
final class TopicConfigs {

  static final String RETENTION_MS = "retention.ms";
  static final String RETENTION_BYTES = "retention.bytes";
  static final String SEGMENT_BYTES = "segment.bytes";
  static final String SEGMENT_MS = "segment.ms";
  static final String CLEANUP_POLICY = "cleanup.policy";
  static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  static final String PREALLOCATE = "preallocate";

  /** Kafka's default max.message.bytes (1 MiB plus the batch overhead). */
  static final int DEFAULT_MAX_MESSAGE_BYTES = 1048588;
  /** Kafka's smallest allowed segment.bytes. */
  static final int MIN_SEGMENT_BYTES = 14;

  /** The effective values of one topic. */
  record Settings(long retentionMs, long retentionBytes, int segmentBytes, long segmentMs, int maxMessageBytes,
                  boolean preallocate) {
    LogConfig logConfig() {
      return new LogConfig(Math.max(segmentBytes, 61), segmentMs, LogConfig.DEFAULTS.indexIntervalBytes(),
          LogConfig.DEFAULTS.flushIntervalMessages(), preallocate ? LogConfig.PREALLOCATE_CHUNK_BYTES : 0);
    }
  }

  private final Map<String, String> defaults;

  /** @param defaults the broker-wide default of every supported config, by name */
  TopicConfigs(Map<String, String> defaults) {
    this.defaults = Map.copyOf(defaults);
  }

  /**
   * Defaults from the broker configuration's retention, Kafka's for the rest. {@code preallocate}
   * stays off as in Kafka: zeros ahead of the log end make the fdatasync behind acks=all cheaper
   * at the median, but writing them doubles the bytes the disk takes, and on a busy disk that
   * cost as much as it saved (see {@code Preallocation}).
   */
  static TopicConfigs withRetention(long retentionMs, long retentionBytes) {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put(CLEANUP_POLICY, "delete");
    defaults.put(MAX_MESSAGE_BYTES, Integer.toString(DEFAULT_MAX_MESSAGE_BYTES));
    defaults.put(RETENTION_BYTES, Long.toString(retentionBytes));
    defaults.put(RETENTION_MS, Long.toString(retentionMs));
    defaults.put(SEGMENT_BYTES, Integer.toString(LogConfig.DEFAULTS.segmentBytes()));
    defaults.put(SEGMENT_MS, Long.toString(LogConfig.DEFAULTS.segmentMs()));
    defaults.put(PREALLOCATE, "false");
    return new TopicConfigs(defaults);
  }

  /** Every supported config with its default, in name order. */
  Map<String, String> defaults() {
    return new java.util.TreeMap<>(defaults);
  }

  boolean isSupported(String name) {
    return defaults.containsKey(name);
  }

  /** Why {@code name=value} cannot be set on a topic, in one line; empty when it can. */
  Optional<String> problem(String name, String value) {
    if (!defaults.containsKey(name)) {
      return Optional.of("Unknown or unsupported topic config '" + name + "'; supported: "
          + String.join(", ", defaults().keySet()));
    }
    if (value == null) {
      return Optional.of("Topic config '" + name + "' needs a value");
    }
    try {
      switch (name) {
        case CLEANUP_POLICY -> {
          if (value.contains("compact")) {
            return Optional.of("cleanup.policy=compact is not supported yet; use cleanup.policy=delete");
          }
          if (!value.equals("delete")) {
            return Optional.of("Invalid value " + value + " for configuration cleanup.policy: must be delete");
          }
        }
        case RETENTION_MS, RETENTION_BYTES -> {
          if (Long.parseLong(value) < -1) {
            return Optional.of("Invalid value " + value + " for configuration " + name + ": must be -1 (no limit) or more");
          }
        }
        case SEGMENT_MS -> {
          if (Long.parseLong(value) < 1) {
            return Optional.of("Invalid value " + value + " for configuration segment.ms: must be at least 1");
          }
        }
        case SEGMENT_BYTES -> {
          if (Integer.parseInt(value) < MIN_SEGMENT_BYTES) {
            return Optional.of("Invalid value " + value + " for configuration segment.bytes: must be at least "
                + MIN_SEGMENT_BYTES);
          }
        }
        case MAX_MESSAGE_BYTES -> {
          if (Integer.parseInt(value) < 0) {
            return Optional.of("Invalid value " + value + " for configuration max.message.bytes: must be at least 0");
          }
        }
        case PREALLOCATE -> {
          if (!value.equals("true") && !value.equals("false")) {
            return Optional.of("Invalid value " + value + " for configuration preallocate: must be true or false");
          }
        }
        default -> throw new IllegalStateException(name);
      }
    } catch (NumberFormatException e) {
      return Optional.of("Invalid value " + value + " for configuration " + name + ": not a number");
    }
    return Optional.empty();
  }

  /** The first problem among {@code overrides}, if any. */
  Optional<String> problem(Map<String, String> overrides) {
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      Optional<String> problem = problem(e.getKey(), e.getValue());
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  /** The effective settings of a topic with these (valid) overrides. */
  Settings settings(Map<String, String> overrides) {
    Map<String, String> all = new LinkedHashMap<>(defaults);
    all.putAll(overrides);
    return new Settings(
        Long.parseLong(all.get(RETENTION_MS)),
        Long.parseLong(all.get(RETENTION_BYTES)),
        Integer.parseInt(all.get(SEGMENT_BYTES)),
        Long.parseLong(all.get(SEGMENT_MS)),
        Integer.parseInt(all.get(MAX_MESSAGE_BYTES)),
        Boolean.parseBoolean(all.get(PREALLOCATE)));
  }
}
