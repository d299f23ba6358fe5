package dev.capstan.dataplane.tsdb.http;

import dev.capstan.dataplane.tsdb.influxql.InfluxJson;
import dev.capstan.dataplane.tsdb.influxql.JsonOptions;
import dev.capstan.dataplane.tsdb.influxql.QueryContext;
import dev.capstan.dataplane.tsdb.influxql.QueryExecutor;
import dev.capstan.dataplane.tsdb.influxql.QueryParseException;
import dev.capstan.dataplane.tsdb.influxql.StatementResult;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * {@code /query} through Capstan's InfluxQL: a query that does not parse is a 400 with
 * influxd's {@code error parsing query: ...}; otherwise 200 with the results, whole or (with
 * {@code chunked=true}) as one JSON document per chunk of at most {@code chunk_size} rows.
 */
public final class InfluxQlQueries implements QueryHandler {

  /** influxd's chunk size when the client names none. */
  static final int DEFAULT_CHUNK_SIZE = 10_000;

  private final QueryExecutor executor;

  public InfluxQlQueries(TsdbStore store, Clock clock) {
    this(new QueryExecutor(store, clock));
  }

  public InfluxQlQueries(QueryExecutor executor) {
    this.executor = executor;
  }

  @Override
  public QueryResponse execute(QueryRequest request) {
    JsonOptions json = new JsonOptions(request.pretty(), request.epoch());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<StatementResult> results;
    try {
      results = executor.execute(request.query(),
          new QueryContext(request.database(), request.retentionPolicy(), request.monitor()));
    } catch (QueryParseException e) {
      InfluxJson.writeError(e.influxMessage(), json, out);
      return new QueryResponse(400, out.toByteArray(), Optional.of(e.influxMessage()));
    }
    if (request.chunked()) {
      InfluxJson.writeChunked(results, json, request.chunkSize() > 0 ? request.chunkSize() : DEFAULT_CHUNK_SIZE, out);
    } else {
      InfluxJson.write(results, json, out);
    }
    return QueryResponse.ok(out.toByteArray());
  }
}
