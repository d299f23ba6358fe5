package dev.capstan.dataplane.tsdb.influxql;

import java.util.Objects;

/**
 * The defaults a query runs with: the {@code db} and {@code rp} parameters of {@code /query},
 * either may be {@code null}; and the check a long query makes between measurements and series,
 * which throws once the query was killed ({@code KILL QUERY}).
 */
public record QueryContext(String database, String retentionPolicy, Runnable checkpoint) {
  private static final Runnable NEVER_KILLED = () -> { };

  public QueryContext {
    Objects.requireNonNull(checkpoint);
  }

  public QueryContext(String database, String retentionPolicy) {
    this(database, retentionPolicy, NEVER_KILLED);
  }

  QueryContext withCheckpoint(Runnable check) {
    return new QueryContext(database, retentionPolicy, check);
  }
}
