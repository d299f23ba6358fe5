package dev.capstan.dataplane.tsdb.http;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What {@code /query} answers: a status and a JSON body.
 *
 * @param error influxd's {@code X-Influxdb-Error} header, present when the whole request failed
 */
public record QueryResponse(int status, byte[] json, Optional<String> error) {

  public static QueryResponse ok(byte[] json) {
    return new QueryResponse(200, json, Optional.empty());
  }

  /** A request that failed as a whole: status 400 and {@code {"error":"..."}} (a parse error). */
  public static QueryResponse badRequest(String message) {
    return new QueryResponse(
        400, Json.error(message).getBytes(StandardCharsets.UTF_8), Optional.of(message));
  }
}
