package dev.capstan.dataplane.tsdb.influxql;

import java.util.List;

/**
 * The result of one statement: its series, or the error that stopped it (influxd still answers
 * HTTP 200 then), and informational messages.
 */
public record StatementResult(
    int statementId, List<SeriesRow> series, List<Message> messages, String error, boolean partial) {

  public record Message(String level, String text) {}

  public StatementResult {
    series = List.copyOf(series);
    messages = List.copyOf(messages);
  }

  public static StatementResult ok(int statementId, List<SeriesRow> series) {
    return new StatementResult(statementId, series, List.of(), null, false);
  }

  public static StatementResult failed(int statementId, String error) {
    return new StatementResult(statementId, List.of(), List.of(), error, false);
  }
}
