package dev.capstan.dataplane.tsdb.influxql;

import java.util.List;
import java.util.Map;

/**
 * What a node reports about itself, as influxd's monitor does: the statistics of
 * {@code SHOW STATS} (the same as {@code /debug/vars}) and the sections of
 * {@code SHOW DIAGNOSTICS}; also the users it lets in, for {@code SHOW USERS}. Supplied by the
 * server that runs the query.
 */
public interface Monitor {

  /** A statistic: its name ({@code httpd}, {@code database}, ...), tags and values. */
  record Statistic(String name, Map<String, String> tags, Map<String, Object> values) {}

  /** A diagnostics section ({@code build}, {@code system}, ...): its columns and values in order. */
  record Diagnostic(String name, Map<String, Object> values) {}

  /** The statistics; none by default. */
  default List<Statistic> statistics() {
    return List.of();
  }

  /** The diagnostics sections; none by default. */
  default List<Diagnostic> diagnostics() {
    return List.of();
  }

  /**
   * The users authentication lets in, by name; each may do everything (their passwords come from
   * the TsdbCluster's Secret, there are no grants). Empty when authentication is off.
   */
  default List<String> users() {
    return List.of();
  }

  /** A monitor with nothing to report (queries run outside a node: continuous queries, tests). */
  Monitor NONE = new Monitor() {};
}
