package dev.capstan.dataplane.tsdb.influxql;

/**
 * The query text is not valid InfluxQL. influxd answers such a query with HTTP 400 and {@code
 * {"error":"error parsing query: <message>"}}, running none of its statements; {@link
 * #influxMessage()} is that error text.
 */
public final class QueryParseException extends RuntimeException {
  public QueryParseException(String message) {
    super(message);
  }

  /** The {@code error} value influxd answers with. */
  public String influxMessage() {
    return "error parsing query: " + getMessage();
  }
}
