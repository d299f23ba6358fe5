package dev.capstan.dataplane.tsdb.lineprotocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** One tag of a point's series key, unescaped. */
public record Tag(String key, String value) {

  /**
   * Tags are ordered by the UTF-8 bytes of their key, as InfluxDB orders a series key; String's
   * own order (UTF-16) differs for characters beyond the BMP.
   */
  public static final Comparator<Tag> BY_KEY =
      (a, b) ->
          Arrays.compareUnsigned(
              a.key.getBytes(StandardCharsets.UTF_8), b.key.getBytes(StandardCharsets.UTF_8));

  public Tag {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("tag key must not be empty");
    }
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("tag " + key + " must have a non-empty value");
    }
  }
}
