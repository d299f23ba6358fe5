package dev.capstan.dataplane.tsdb.wal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Payloads that are a pure function of their sequence number, so any reader can check them. */
final class Payloads {
  private Payloads() {}

  /** 0 to 299 bytes (so some are empty), seeded by the sequence number. */
  static byte[] forSequence(long sequence) {
    SplittableRandom random = new SplittableRandom(sequence * 0x9E3779B97F4A7C15L);
    byte[] payload = new byte[random.nextInt(300)];
    random.nextBytes(payload);
    return payload;
  }

  /** The payloads of a batch that will be numbered {@code first}, {@code first + 1}, ... */
  static List<byte[]> batch(long first, int size) {
    List<byte[]> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(forSequence(first + i));
    }
    return batch;
  }

  /** Appends batches of sizes 1, 2, ..., maxBatch, 1, 2, ... until {@code records} records are in. */
  static void appendRecords(WriteAheadLog wal, long records, int maxBatch) throws IOException {
    int batchSize = 1;
    while (wal.lastSequence() < records) {
      int size = (int) Math.min(batchSize, records - wal.lastSequence());
      wal.append(batch(wal.lastSequence() + 1, size));
      batchSize = batchSize % maxBatch + 1;
    }
  }

  static List<WalRecord> readAll(WriteAheadLog wal, long fromSequence) throws IOException {
    List<WalRecord> records = new ArrayList<>();
    wal.replay(fromSequence, records::add);
    return records;
  }

  static List<WalRecord> expected(long from, long to) {
    List<WalRecord> records = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      records.add(new WalRecord(s, forSequence(s)));
    }
    return records;
  }
}
