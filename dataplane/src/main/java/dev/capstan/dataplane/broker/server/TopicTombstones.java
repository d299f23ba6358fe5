package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.server.DurableFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;

/**
 * The topics this broker deleted (or learnt were deleted) recently, kept so that catching up from
 * a peer that was down at the time does not bring them back ({@link TopicCatchUp}).
 *
 * <p>Stored as {@code <data>/topic-tombstones}, rewritten whole on every change like a topic's
 * JSON file (write a temporary file, fsync, rename, fsync the directory): a crash leaves the old
 * list or the new one. The format is binary, versioned and checksummed: magic {@code CTMB}, a
 * version (int16), the count (int32), per tombstone the name (modified UTF-8), the id (two int64)
 * and the deletion time (int64 epoch ms), then a CRC32C of all that. A file that fails the check
 * stops the broker from starting, as a topic file that does not parse does: guessing would either
 * resurrect topics or delete live ones.
 *
 * <p>A tombstone lasts {@link #RETENTION} (Kafka's delete.retention.ms default): a broker down
 * for longer than that may bring a deleted topic back from its disk when it returns.
 */
final class TopicTombstones {

  /** How long a deletion is remembered; a broker down for longer may bring the topic back. */
  static final Duration RETENTION = Duration.ofDays(7);

  static final String FILE_NAME = "topic-tombstones";
  private static final int MAGIC = 0x43544D42; // "CTMB"
  private static final short VERSION = 1;

  /** One deleted topic: its name, its id (a topic recreated under the name has another) and when. */
  record Tombstone(String name, Uuid id, long deletedAtMs) {

    /** Whether this deletion is still remembered at {@code now}. */
    boolean liveAt(Instant now) {
      return now.toEpochMilli() < deletedAtMs + RETENTION.toMillis();
    }
  }

  private TopicTombstones() {}

  /** The live tombstones in {@code file} at {@code now}; none when the file does not exist. */
  static List<Tombstone> load(Path file, Instant now) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return live(decode(Files.readAllBytes(file)), now);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage() + "; it records recently deleted topics. Restore it from"
          + " a backup, or delete it to start without (a topic deleted while a peer was down may then come back)", e);
    }
  }

  /** Replaces {@code file} with {@code tombstones}, durably, before returning. */
  static void store(Path file, List<Tombstone> tombstones) throws IOException {
    // DeleteTopics answers only after this returns, the rename included.
    DurableFile.replace(file, encode(tombstones));
  }

  /** Those of {@code tombstones} still live at {@code now}, in name then time order. */
  static List<Tombstone> live(List<Tombstone> tombstones, Instant now) {
    return tombstones.stream()
        .filter(t -> t.liveAt(now))
        .sorted(Comparator.comparing(Tombstone::name).thenComparingLong(Tombstone::deletedAtMs))
        .toList();
  }

  /** The tombstone of topic id {@code id} among {@code tombstones}, if any. */
  static Optional<Tombstone> of(List<Tombstone> tombstones, Uuid id) {
    return tombstones.stream().filter(t -> t.id().equals(id)).findFirst();
  }

  /**
   * {@code tombstones} as one config value, {@code name:id:deletedAtMs} joined by commas, for
   * peers asking through DescribeConfigs (topic names and base64url ids hold neither separator).
   */
  static String toConfigValue(List<Tombstone> tombstones) {
    return String.join(",", tombstones.stream().map(t -> t.name() + ":" + t.id() + ":" + t.deletedAtMs()).toList());
  }

  /** Parses {@link #toConfigValue}; null or empty is no tombstones. */
  static List<Tombstone> fromConfigValue(String value) {
    if (value == null || value.isEmpty()) {
      return List.of();
    }
    List<Tombstone> tombstones = new ArrayList<>();
    for (String item : value.split(",")) {
      String[] parts = item.split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("not name:id:deletedAtMs: " + item);
      }
      tombstones.add(new Tombstone(parts[0], Uuid.fromString(parts[1]), Long.parseLong(parts[2])));
    }
    return List.copyOf(tombstones);
  }

  static byte[] encode(List<Tombstone> tombstones) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(VERSION);
      out.writeInt(tombstones.size());
      for (Tombstone t : tombstones) {
        out.writeUTF(t.name());
        out.writeLong(t.id().getMostSignificantBits());
        out.writeLong(t.id().getLeastSignificantBits());
        out.writeLong(t.deletedAtMs());
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** Parses {@link #encode}'s output; an IOException says what is wrong with the bytes. */
  static List<Tombstone> decode(byte[] bytes) throws IOException {
    if (bytes.length < 14) {
      throw new IOException("truncated (" + bytes.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new IOException("checksum mismatch (torn or corrupt)");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a topic tombstone file");
    }
    short version = in.readShort();
    if (version != VERSION) {
      throw new IOException("format version " + version + " is not supported (this broker reads " + VERSION + ")");
    }
    int count = in.readInt();
    List<Tombstone> tombstones = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      Uuid id = new Uuid(in.readLong(), in.readLong());
      tombstones.add(new Tombstone(name, id, in.readLong()));
    }
    if (in.available() != 0) {
      throw new IOException(in.available() + " bytes after the last tombstone");
    }
    return List.copyOf(tombstones);
  }
}
