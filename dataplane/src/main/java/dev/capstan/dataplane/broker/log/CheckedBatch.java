package dev.capstan.dataplane.broker.log;

import java.nio.ByteBuffer;

/**
 * One v2 record batch that passed the log's checks (whole, magic 2, CRC-32C correct): the only way
 * to get one is {@link #check}, so {@link PartitionLog#append(CheckedBatch)} need not run them
 * again. A broker that validates every batch of a request before appending any (a refused
 * request writes nothing) would otherwise compute each batch's CRC twice, the costliest step of a
 * produce after the write itself.
 */
public final class CheckedBatch {

  private final ByteBuffer bytes;
  private final BatchHeader header;

  private CheckedBatch(ByteBuffer bytes, BatchHeader header) {
    this.bytes = bytes;
    this.header = header;
  }

  /**
   * Checks the batch between {@code batchV2}'s position and limit; neither moves, and the bytes
   * are shared, not copied: they must not change until the batch is appended.
   *
   * @throws CorruptBatchException saying what is wrong with it
   */
  public static CheckedBatch check(ByteBuffer batchV2) {
    ByteBuffer bytes = batchV2.slice();
    BatchHeader.problem(bytes).ifPresent(problem -> {
      throw new CorruptBatchException(problem);
    });
    return new CheckedBatch(bytes, BatchHeader.read(bytes));
  }

  /** The whole batch, header included. */
  public int sizeInBytes() {
    return header.sizeInBytes();
  }

  /** Last record offset minus the base offset: the batch holds this many records plus one. */
  public int lastOffsetDelta() {
    return header.lastOffsetDelta();
  }

  ByteBuffer bytes() {
    return bytes;
  }

  BatchHeader header() {
    return header;
  }
}
