package dev.capstan.dataplane.broker.log;

/** A batch offered for append is not a well-formed v2 batch; the log is unchanged. */
public final class CorruptBatchException extends RuntimeException {
  CorruptBatchException(String message) {
    super(message);
  }
}
