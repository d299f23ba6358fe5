package dev.capstan.dataplane.tsdb.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Finds and checks credentials as influxd 1.6.7 does: {@code u} and {@code p} URL parameters
 * (both non-empty) first, then the {@code Authorization} header. Beyond influxd 1.6.7 it accepts
 * {@code Authorization: Token user:password}, which influxd 1.8 and 2.x's 1.x API added and
 * newer client libraries send.
 */
final class Authenticator {

  static final String UNPARSABLE = "unable to parse authentication credentials";
  static final String FAILED = "authorization failed";
  static final String BEARER = "bearer auth disabld"; // sic: influxd's text, typo included

  private final Users users;

  Authenticator(Users users) {
    this.users = users;
  }

  Users users() {
    return users;
  }

  /**
   * Checks a request's credentials.
   *
   * @return empty when they name a user with the right password, else the error to answer with
   *     (status 401)
   */
  Optional<String> check(String u, String p, String authorization) {
    if (u != null && !u.isEmpty() && p != null && !p.isEmpty()) {
      return verify(u, p);
    }
    if (authorization == null || authorization.isEmpty()) {
      return Optional.of(UNPARSABLE);
    }
    String[] parts = authorization.split(" ", -1);
    if (parts.length == 2) {
      if (parts[0].equals("Bearer")) {
        return Optional.of(BEARER);
      }
      if (parts[0].equals("Token")) {
        int colon = parts[1].indexOf(':');
        if (colon >= 0) {
          return verify(parts[1].substring(0, colon), parts[1].substring(colon + 1));
        }
      }
    }
    return basic(authorization).map(up -> verify(up[0], up[1])).orElse(Optional.of(UNPARSABLE));
  }

  private Optional<String> verify(String user, String password) {
    if (user.isEmpty()) {
      return Optional.of("username required");
    }
    return users.authenticate(user, password) ? Optional.empty() : Optional.of(FAILED);
  }

  /** Go's Request.BasicAuth: case-insensitive scheme, standard base64, a colon required. */
  private static Optional<String[]> basic(String authorization) {
    String prefix = "Basic ";
    if (authorization.length() < prefix.length()
        || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(prefix.length())),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    return Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
  }
}
