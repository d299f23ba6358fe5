package dev.capstan.dataplane.tsdb.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * One immutable block of a series field: strictly increasing timestamps and one value per
 * timestamp. Like {@link Column}, it takes ownership of the timestamp array without copying and
 * compares by content.
 */
public record Block(long[] timestamps, Column values) {
  /**
   * Upper bound on points per block, far above what the storage engine writes (InfluxDB uses 1000,
   * Prometheus 120); it bounds what a decoder of corrupt input may allocate.
   */
  public static final int MAX_POINTS = 1 << 20;

  public Block {
    Objects.requireNonNull(timestamps, "timestamps");
    Objects.requireNonNull(values, "values");
    if (timestamps.length != values.size()) {
      throw new IllegalArgumentException(
          "block has " + timestamps.length + " timestamps but " + values.size() + " values");
    }
  }

  public int size() {
    return timestamps.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block other && Arrays.equals(timestamps, other.timestamps) && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(timestamps) + values.hashCode();
  }

  @Override
  public String toString() {
    return timestamps.length == 0
        ? "Block[empty " + values + "]"
        : "Block[" + timestamps.length + " points " + timestamps[0] + ".." + timestamps[timestamps.length - 1]
            + ", " + values + "]";
  }
}
