package dev.capstan.dataplane.tsdb.codec;

/**
 * A block could not be decoded: truncated, bit-flipped or not a block at all. It is an
 * {@link IllegalArgumentException} because the bytes, not the reader, are at fault; callers that
 * read blocks from disk catch it to quarantine the file instead of crashing the node.
 */
public final class CorruptBlockException extends IllegalArgumentException {
  public CorruptBlockException(String message) {
    super(message);
  }

  public CorruptBlockException(String message, Throwable cause) {
    super(message, cause);
  }
}
