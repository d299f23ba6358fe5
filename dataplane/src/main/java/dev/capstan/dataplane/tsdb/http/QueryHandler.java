package dev.capstan.dataplane.tsdb.http;

/**
 * Runs InfluxQL for {@code /query}. The HTTP layer checks parameters and credentials; this
 * decides the status (400 for a query that does not parse, 200 otherwise, with errors of single
 * statements in the results) and renders the JSON. Called on a worker thread, never the event
 * loop; may block.
 */
@FunctionalInterface
public interface QueryHandler {
  QueryResponse execute(QueryRequest request);
}
