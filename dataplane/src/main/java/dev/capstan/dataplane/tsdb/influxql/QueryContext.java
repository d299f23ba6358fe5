package dev.capstan.dataplane.tsdb.influxql;

import java.util.Objects;

/**
 * The defaults a query runs with: the {@code db} and {@code rp} parameters of {@code /query},
 * either may be {@code null}; the check a long query makes between measurements and series,
 * which throws once the query was killed ({@code KILL QUERY}); and the node's monitor, which
 * answers SHOW STATS and SHOW DIAGNOSTICS.
 */
public record QueryContext(String database, String retentionPolicy, Runnable checkpoint, Monitor monitor) {
  private static final Runnable NEVER_KILLED = () -> { };

  public QueryContext {
    Objects.requireNonNull(checkpoint);
    Objects.requireNonNull(monitor);
  }

  public QueryContext(String database, String retentionPolicy) {
    this(database, retentionPolicy, NEVER_KILLED, Monitor.NONE);
  }

  public QueryContext(String database, String retentionPolicy, Monitor monitor) {
    this(database, retentionPolicy, NEVER_KILLED, monitor);
  }

  QueryContext withCheckpoint(Runnable check) {
    return new QueryContext(database, retentionPolicy, check, monitor);
  }
}
