package dev.capstan.dataplane.tsdb.influxql;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * One series of a statement's result, as influxd's {@code models.Row}.
 *
 * @param name the measurement; {@code null} for results without one (SHOW DATABASES)
 * @param tags the GROUP BY tags, empty when none
 * @param timeColumn whether the first column is {@code time}, held as epoch nanoseconds (a
 *     {@code Long}) and printed as RFC3339 or in the requested epoch unit
 * @param values rows of {@code Double}, {@code Long}, {@code String}, {@code Boolean} or null
 * @param zone the zone RFC3339 times are printed in ({@code tz()}), null for UTC
 */
public record SeriesRow(
    String name,
    Map<String, String> tags,
    List<String> columns,
    boolean timeColumn,
    List<List<Object>> values,
    boolean partial,
    ZoneId zone) {

  public SeriesRow {
    tags = tags == null ? Map.of() : tags;
    columns = List.copyOf(columns);
  }

  /** A row printed in UTC. */
  public SeriesRow(String name, Map<String, String> tags, List<String> columns, boolean timeColumn,
      List<List<Object>> values, boolean partial) {
    this(name, tags, columns, timeColumn, values, partial, null);
  }
}
