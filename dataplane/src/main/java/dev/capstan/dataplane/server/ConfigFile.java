package dev.capstan.dataplane.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's YAML configuration file, as the operator renders it into a ConfigMap, read into a
 * config record of {@code dev.capstan.api.config}.
 *
 * <p>Kubernetes updates a mounted ConfigMap by swapping a symlink, which file watchers miss on
 * some file systems; {@link #watch} therefore polls the content, which is cheap for a few KiB.
 */
public final class ConfigFile<T> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigFile.class);
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private final Path path;
  private final Class<T> type;
  private ScheduledExecutorService poller;
  private byte[] lastContent;

  private ConfigFile(Path path, Class<T> type) {
    this.path = path;
    this.type = type;
  }

  public static <T> ConfigFile<T> of(Path path, Class<T> type) {
    return new ConfigFile<>(path, type);
  }

  /**
   * Reads and parses the file.
   *
   * @throws InvalidConfigException with a one-line message naming the file and the problem
   */
  public synchronized T load() {
    byte[] content = read();
    T value = parse(content);
    lastContent = content;
    return value;
  }

  /** Parses YAML text into {@code type}; the message of a failure names {@code source}. */
  public static <T> T parse(String source, byte[] content, Class<T> type) {
    try {
      return YAML.readValue(content, type);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException(source + ": unknown setting " + pathOf(e));
    } catch (JsonMappingException e) {
      throw new InvalidConfigException(
          source + ": bad value for " + pathOf(e) + ": " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source + ": " + e.getOriginalMessage() + " at " + location(e));
    } catch (IOException e) {
      throw new InvalidConfigException(source + ": " + e.getMessage());
    }
  }

  private T parse(byte[] content) {
    return parse(path.toString(), content, type);
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(path + ": no such file; pass the configuration with --config");
    } catch (IOException e) {
      throw new InvalidConfigException(path + ": cannot read: " + e.getMessage());
    }
  }

  /** Where in the document a mapping failed, as {@code databases[0].retentionPolicies[1].name}. */
  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "the document" : path.toString();
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? "an unknown place"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  /**
   * Polls the file every {@code intervalMillis} and hands every changed, valid content to
   * {@code onChange}; an invalid one is logged once and ignored, so the server keeps running on
   * the last good configuration.
   */
  public synchronized void watch(long intervalMillis, Consumer<T> onChange) {
    if (poller != null) {
      throw new IllegalStateException("already watching " + path);
    }
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "config-watch");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(
        () -> poll(onChange), intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** One poll: exposed so tests need not wait for the schedule. */
  synchronized boolean poll(Consumer<T> onChange) {
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (IOException e) {
      return false; // mid-swap or briefly absent: the next poll sees the new file
    }
    if (Arrays.equals(content, lastContent)) {
      return false;
    }
    lastContent = content;
    T value;
    try {
      value = parse(content);
    } catch (InvalidConfigException e) {
      LOG.warn("Ignoring changed configuration, keeping the last good one: {}", e.getMessage());
      return false;
    }
    LOG.info("Configuration {} changed; applying it", path);
    try {
      onChange.accept(value);
    } catch (RuntimeException e) {
      LOG.error("Applying the changed configuration failed: {}", e.toString());
    }
    return true;
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }

  /** A configuration file that cannot be used; the message says why in one line. */
  public static final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
      super(message);
    }
  }
}
