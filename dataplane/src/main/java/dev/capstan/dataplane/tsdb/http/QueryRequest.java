package dev.capstan.dataplane.tsdb.http;

import dev.capstan.dataplane.tsdb.influxql.Monitor;

/**
 * A {@code /query} call as influxd's handler reads it.
 *
 * @param query the InfluxQL text ({@code q}), never empty
 * @param database {@code db}, or {@code null}
 * @param retentionPolicy {@code rp}, or {@code null}
 * @param epoch {@code epoch} (h, m, s, ms, u, ns) for numeric times, or {@code null} for RFC3339
 * @param pretty indent the JSON
 * @param chunked {@code chunked=true}: stream results as separate JSON documents
 * @param chunkSize points per chunk, {@code 0} for influxd's default (10000)
 * @param readOnly the request came as GET: influxd then runs mutating statements but adds a
 *     deprecation warning to their results
 * @param monitor the node's, for SHOW STATS and SHOW DIAGNOSTICS
 */
public record QueryRequest(
    String query,
    String database,
    String retentionPolicy,
    String epoch,
    boolean pretty,
    boolean chunked,
    int chunkSize,
    boolean readOnly,
    Monitor monitor) {

  /** A request answered without the node's statistics. */
  public QueryRequest(String query, String database, String retentionPolicy, String epoch, boolean pretty,
      boolean chunked, int chunkSize, boolean readOnly) {
    this(query, database, retentionPolicy, epoch, pretty, chunked, chunkSize, readOnly, Monitor.NONE);
  }
}
