package dev.capstan.dataplane.tsdb.lineprotocol;

/**
 * A line of a batch that did not parse.
 *
 * @param lineNumber 1-based number of the physical line the point starts on (a quoted string may
 *     continue a point over several physical lines)
 * @param line the text of the point as influxd quotes it: leading whitespace and the line break
 *     removed
 * @param reason influxd's reason, e.g. {@code missing fields}
 */
public record LineError(int lineNumber, String line, String reason) {

  /** The message influxd gives for this line: {@code unable to parse '<line>': <reason>}. */
  public String message() {
    return "unable to parse '" + line + "': " + reason;
  }
}
