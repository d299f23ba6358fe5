package dev.capstan.dataplane.tsdb.store;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A series: a measurement and its tag set, tags sorted by key.
 *
 * <p>The canonical text is influxd's series key, {@code cpu,host=a,region=eu}, with line
 * protocol escaping; series sort by it.
 */
public record SeriesKey(String measurement, SortedMap<String, String> tags)
    implements Comparable<SeriesKey> {

  public SeriesKey {
    if (measurement == null || measurement.isEmpty()) {
      throw new IllegalArgumentException("measurement must not be empty");
    }
    tags = Collections.unmodifiableSortedMap(new TreeMap<>(tags));
  }

  public static SeriesKey of(String measurement, Map<String, String> tags) {
    return new SeriesKey(measurement, new TreeMap<>(tags));
  }

  /** The value of a tag, or {@code ""} when the series has no such tag (as InfluxQL sees it). */
  public String tag(String key) {
    return tags.getOrDefault(key, "");
  }

  /** influxd's key text: measurement and tags, escaped as in line protocol. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    escape(sb, measurement, ", ");
    // A loop rather than tags.forEach with a lambda: TreeMap.forEach is shared by all its callers,
    // and the JIT compiled it once more, with this lambda, for every series-creating write path.
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      sb.append(',');
      escape(sb, tag.getKey(), ",= ");
      sb.append('=');
      escape(sb, tag.getValue(), ",= ");
    }
    return sb.toString();
  }

  private static void escape(StringBuilder sb, String s, String special) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (special.indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
  }

  @Override
  public int compareTo(SeriesKey other) {
    return text().compareTo(other.text());
  }
}
