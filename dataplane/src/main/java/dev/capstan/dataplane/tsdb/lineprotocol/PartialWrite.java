package dev.capstan.dataplane.tsdb.lineprotocol;

/** influxd's wording for a write of which only some points were stored (HTTP 400). */
public final class PartialWrite {

  private PartialWrite() {}

  /**
   * {@code partial write: <reason> dropped=<n>}, as influxd 1.6.7 formats it, e.g. for points
   * beyond the retention policy or with a field type conflict.
   */
  public static String message(String reason, int dropped) {
    return "partial write: " + reason + " dropped=" + dropped;
  }
}
