package dev.capstan.dataplane.broker.log;

/** A read asked for an offset outside [log start offset, log end offset]. */
public final class OffsetOutOfRangeException extends RuntimeException {
  OffsetOutOfRangeException(long offset, long logStartOffset, long logEndOffset) {
    super("offset " + offset + " is outside the log's range [" + logStartOffset + ", " + logEndOffset + "]");
  }
}
