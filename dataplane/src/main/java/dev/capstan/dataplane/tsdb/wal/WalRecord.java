package dev.capstan.dataplane.tsdb.wal;

import java.util.Arrays;

/** One entry of the log: its sequence number and the opaque bytes the engine wrote. */
public record WalRecord(long sequence, byte[] payload) {
  // A record compares its payload's contents, not the array's identity.
  @Override
  public boolean equals(Object o) {
    return o instanceof WalRecord other && sequence == other.sequence && Arrays.equals(payload, other.payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(sequence) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "WalRecord[sequence=" + sequence + ", payload=" + payload.length + " bytes]";
  }
}
