package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The points of a batch that parsed, in batch order, and the lines that did not. */
public record ParseResult(List<Point> points, List<LineError> errors) {

  public ParseResult {
    points = List.copyOf(points);
    errors = List.copyOf(errors);
  }

  /**
   * The {@code error} text influxd 1.6.7 answers with (status 400) when some lines did not parse;
   * empty when all did. With nothing parsed it is the bare parse error and nothing is written;
   * otherwise the parsed points are written and the answer is a partial write. influxd reports
   * {@code dropped=0} there: it counts only points the storage layer refused, not unparsable lines.
   */
  public Optional<String> errorMessage() {
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    String parseErrors = errors.stream().map(LineError::message).collect(Collectors.joining("\n"));
    return Optional.of(points.isEmpty() ? parseErrors : PartialWrite.message(parseErrors, 0));
  }
}
