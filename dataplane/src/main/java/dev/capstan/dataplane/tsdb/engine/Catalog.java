package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.server.DurableFile;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The engine's metadata: databases in creation order, each with its policies in creation order
 * and the name of its default policy. Immutable; every change makes a new catalog, which the
 * engine persists before it is used ({@link #save}: temporary file, fsync, atomic rename).
 *
 * <p>The default is kept as a name, as influxd keeps it: dropping the default policy leaves the
 * name in place, so writes without a policy then fail with {@code retention policy not found}.
 */
record Catalog(List<Database> databases) {
  private static final byte[] MAGIC = "CPMETA01".getBytes(StandardCharsets.US_ASCII);

  /** @param policies policies with {@code isDefault} false; {@link #policies()} derives the flag from {@code defaultPolicy} */
  record Database(String name, List<RetentionPolicy> stored, String defaultPolicy) {
    Database {
      stored = List.copyOf(stored);
    }

    Optional<RetentionPolicy> policy(String policyName) {
      return stored.stream().filter(p -> p.name().equals(policyName)).findFirst().map(this::withFlag);
    }

    List<RetentionPolicy> policies() {
      return stored.stream().map(this::withFlag).toList();
    }

    private RetentionPolicy withFlag(RetentionPolicy p) {
      return p.withDefault(p.name().equals(defaultPolicy));
    }

    /** Adds or replaces a policy (keeping its place); with {@code policy.isDefault()} it becomes the default. */
    Database put(RetentionPolicy policy) {
      List<RetentionPolicy> next = new ArrayList<>();
      boolean replaced = false;
      for (RetentionPolicy p : stored) {
        if (p.name().equals(policy.name())) {
          next.add(policy.withDefault(false));
          replaced = true;
        } else {
          next.add(p);
        }
      }
      if (!replaced) {
        next.add(policy.withDefault(false));
      }
      return new Database(name, next, policy.isDefault() ? policy.name() : defaultPolicy);
    }

    Database remove(String policyName) {
      return new Database(name, stored.stream().filter(p -> !p.name().equals(policyName)).toList(), defaultPolicy);
    }
  }

  Catalog {
    databases = List.copyOf(databases);
  }

  static Catalog empty() {
    return new Catalog(List.of());
  }

  Optional<Database> database(String name) {
    return databases.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  Catalog put(Database database) {
    List<Database> next = new ArrayList<>();
    boolean replaced = false;
    for (Database d : databases) {
      if (d.name().equals(database.name())) {
        next.add(database);
        replaced = true;
      } else {
        next.add(d);
      }
    }
    if (!replaced) {
      next.add(database);
    }
    return new Catalog(next);
  }

  Catalog remove(String name) {
    return new Catalog(databases.stream().filter(d -> !d.name().equals(name)).toList());
  }

  /** Writes the catalog to {@code file} durably and atomically. */
  void save(Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(databases.size());
    for (Database d : databases) {
      out.writeUTF(d.name());
      out.writeUTF(d.defaultPolicy() == null ? "" : d.defaultPolicy());
      out.writeInt(d.stored().size());
      for (RetentionPolicy p : d.stored()) {
        out.writeUTF(p.name());
        writeDuration(out, p.duration());
        writeDuration(out, p.shardGroupDuration());
        out.writeInt(p.replication());
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    DurableFile.replace(file, bytes.toByteArray());
  }

  /** Reads a catalog saved by {@link #save}; a missing file is an empty catalog. */
  static Catalog load(Path file) throws IOException {
    if (!Files.exists(file)) {
      return empty();
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < MAGIC.length + 8) {
      throw new IOException("corrupt metadata file " + file + ": too short");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new IOException("corrupt metadata file " + file + ": checksum mismatch");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
    byte[] magic = in.readNBytes(MAGIC.length);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IOException("corrupt metadata file " + file + ": bad magic");
    }
    int count = in.readInt();
    List<Database> databases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      String defaultPolicy = in.readUTF();
      int policyCount = in.readInt();
      List<RetentionPolicy> policies = new ArrayList<>();
      for (int j = 0; j < policyCount; j++) {
        policies.add(new RetentionPolicy(in.readUTF(), readDuration(in), readDuration(in), in.readInt(), false));
      }
      databases.add(new Database(name, policies, defaultPolicy.isEmpty() ? null : defaultPolicy));
    }
    return new Catalog(databases);
  }

  private static void writeDuration(DataOutputStream out, Duration d) throws IOException {
    out.writeLong(d.getSeconds());
    out.writeInt(d.getNano());
  }

  private static Duration readDuration(DataInputStream in) throws IOException {
    return Duration.ofSeconds(in.readLong(), in.readInt());
  }
}
