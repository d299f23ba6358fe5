package dev.capstan.dataplane.tsdb.store;

import java.util.List;

/**
 * A read of columns: the fields of the series that {@code filter} selects, in one policy of a
 * database ({@code null}: the default policy), with times in {@code [minTime, maxTime]}.
 */
public record ReadRequest(
    String database,
    String retentionPolicy,
    SeriesFilter filter,
    List<String> fields,
    long minTime,
    long maxTime) {

  public ReadRequest {
    fields = List.copyOf(fields);
    if (minTime > maxTime) {
      throw new IllegalArgumentException("minTime " + minTime + " after maxTime " + maxTime);
    }
  }
}
