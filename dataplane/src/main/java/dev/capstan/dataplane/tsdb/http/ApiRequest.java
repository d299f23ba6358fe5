package dev.capstan.dataplane.tsdb.http;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the API sees it, free of Netty: the body is complete (or known to be too
 * large and discarded).
 *
 * @param urlParams parameters of the URL's query string
 * @param formParams parameters of an {@code application/x-www-form-urlencoded} body (empty
 *     otherwise); they come before URL parameters, as with Go's {@code FormValue}
 * @param headers header values by lower-case name (the first of repeated headers)
 * @param bodyTooLarge the body exceeded the limit and was not kept
 */
public record ApiRequest(
    String method,
    String path,
    Map<String, List<String>> urlParams,
    Map<String, List<String>> formParams,
    Map<String, String> headers,
    byte[] body,
    boolean bodyTooLarge) {

  public ApiRequest {
    urlParams = Map.copyOf(urlParams);
    formParams = Map.copyOf(formParams);
    headers = Map.copyOf(headers);
  }

  /** A URL parameter, {@code null} when absent; the first of repeated ones. */
  String param(String name) {
    List<String> values = urlParams.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A form value: the body's first, else the URL's, as Go's {@code Request.FormValue}. */
  String formValue(String name) {
    List<String> values = formParams.get(name);
    return values == null || values.isEmpty() ? param(name) : values.get(0);
  }

  String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
