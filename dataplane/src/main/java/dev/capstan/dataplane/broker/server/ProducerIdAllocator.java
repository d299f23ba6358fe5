package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.server.DurableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands out producer ids that are never reused, even across crashes: ids are reserved on disk a
 * block at a time ({@code <data>/producer-ids}), so a restart skips the rest of the block rather
 * than repeating an id. With several brokers, broker {@code b} of {@code n} only issues ids
 * {@code ≡ b (mod n)}, so ids from different brokers never meet on a partition.
 */
final class ProducerIdAllocator {

  static final int BLOCK = 1000;

  private final Path file;
  private final int brokerId;
  private final int brokers;
  private long next;
  private long reservedUpTo;

  ProducerIdAllocator(Path dataDir, int brokerId, int brokers) throws IOException {
    this.file = dataDir.resolve("producer-ids");
    this.brokerId = brokerId;
    this.brokers = brokers;
    long stored = Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
    this.next = stored;
    this.reservedUpTo = stored;
  }

  synchronized long nextId() throws IOException {
    if (next >= reservedUpTo) {
      reservedUpTo = next + BLOCK;
      DurableFile.replace(file, Long.toString(reservedUpTo).getBytes(StandardCharsets.US_ASCII));
    }
    return next++ * brokers + brokerId;
  }
}
