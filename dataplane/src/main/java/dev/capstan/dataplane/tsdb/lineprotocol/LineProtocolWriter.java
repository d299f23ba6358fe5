package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.Map;

/**
 * Writes points as canonical line protocol: tags sorted, timestamp in nanoseconds, floats in the
 * shortest form that reads back to the same double. {@link LineProtocolParser} reads the output
 * back to an equal point.
 */
public final class LineProtocolWriter {

  private LineProtocolWriter() {}

  /**
   * One point as a line, without the line break.
   *
   * @throws IllegalArgumentException for what line protocol cannot express (influxd's own writer
   *     produces lines it then refuses or misreads): a name ending in a backslash; a name with a
   *     backslash before a space (influxd's batch splitter then takes the space for the end of
   *     the key and can misplace line breaks); a field key with a backslash before a comma or
   *     equals sign; a measurement starting with '#' (a
   *     comment), or a measurement or first field key starting with a tab or NUL (skipped as
   *     whitespace)
   */
  public static String format(Point point) {
    if (startsWithAny(point.measurement(), "#\t\0")) {
      throw new IllegalArgumentException("measurement '" + point.measurement() + "' starts with '#', tab or NUL");
    }
    if (startsWithAny(point.fields().keySet().iterator().next(), "\t\0")) {
      throw new IllegalArgumentException("the first field key starts with a tab or NUL");
    }
    StringBuilder out = new StringBuilder();
    escapeName(out, point.measurement(), ", =\"", "measurement");
    for (Tag tag : point.tags()) {
      out.append(',');
      escapeName(out, tag.key(), ", =", "tag key");
      out.append('=');
      escapeName(out, tag.value(), ", =", "tag value");
    }
    char separator = ' ';
    for (Map.Entry<String, FieldValue> field : point.fields().entrySet()) {
      out.append(separator);
      separator = ',';
      String key = field.getKey();
      if (key.contains("\\,") || key.contains("\\=") || key.contains("\\ ")) {
        throw new IllegalArgumentException(
            "field key '" + key + "' has a backslash before a comma, equals sign or space, which line protocol cannot express");
      }
      escapeName(out, key, ", =\"", "field key");
      out.append('=');
      appendValue(out, field.getValue());
    }
    return out.append(' ').append(point.timestampNanos()).toString();
  }

  private static void appendValue(StringBuilder out, FieldValue value) {
    if (value instanceof FieldValue.FloatField f) {
      out.append(Double.toString(f.value()));
    } else if (value instanceof FieldValue.IntegerField i) {
      out.append(i.value()).append('i');
    } else if (value instanceof FieldValue.BooleanField b) {
      out.append(b.value());
    } else if (value instanceof FieldValue.StringField s) {
      out.append('"');
      for (int i = 0; i < s.value().length(); i++) {
        char c = s.value().charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\');
        }
        out.append(c);
      }
      out.append('"');
    }
  }

  private static boolean startsWithAny(String name, String chars) {
    return chars.indexOf(name.charAt(0)) >= 0;
  }

  private static void escapeName(StringBuilder out, String name, String special, String what) {
    if (name.endsWith("\\")) {
      throw new IllegalArgumentException(what + " '" + name + "' ends in a backslash, which line protocol cannot express");
    }
    if (name.contains("\\ ")) {
      throw new IllegalArgumentException(what + " '" + name + "' has a backslash before a space, which line protocol cannot express");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (special.indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
  }
}
