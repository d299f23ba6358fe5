package dev.capstan.dataplane.tsdb.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users allowed in when authentication is on. Every user has all privileges: Capstan has
 * no {@code GRANT}; a user is who the operator's Secret names.
 *
 * <p>They come from the environment ({@code CAPSTAN_TSDB_ADMIN_USER} and {@code
 * CAPSTAN_TSDB_ADMIN_PASSWORD}, which the operator fills from the TsdbCluster's {@code
 * authSecretRef}) and from an optional file of {@code user:password} lines (a mounted Secret;
 * {@code #} starts a comment). Only SHA-256 digests of the passwords are kept, compared in
 * constant time.
 */
public final class Users {

  public static final String ENV_USER = "CAPSTAN_TSDB_ADMIN_USER";
  public static final String ENV_PASSWORD = "CAPSTAN_TSDB_ADMIN_PASSWORD";

  private final Map<String, byte[]> digests;

  private Users(Map<String, byte[]> digests) {
    this.digests = Map.copyOf(digests);
  }

  public static Users of(Map<String, String> passwords) {
    Map<String, byte[]> digests = new LinkedHashMap<>();
    passwords.forEach((user, password) -> {
      if (user.isEmpty() || password.isEmpty()) {
        throw new IllegalArgumentException("user names and passwords must not be empty");
      }
      digests.put(user, digest(password));
    });
    return new Users(digests);
  }

  /**
   * Reads {@code user:password} lines (the password is everything after the first colon).
   *
   * @throws IllegalArgumentException naming the file and line of a malformed entry
   */
  public static Map<String, String> parse(String source, List<String> lines) {
    Map<String, String> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || colon == line.length() - 1) {
        throw new IllegalArgumentException(
            source + ":" + (i + 1) + ": expected 'user:password' with neither empty");
      }
      users.put(line.substring(0, colon), line.substring(colon + 1));
    }
    return users;
  }

  /**
   * The users of the environment and of {@code file} (may be {@code null}); a user in both
   * keeps the file's password.
   */
  public static Users load(Map<String, String> env, Path file) {
    Map<String, String> users = new LinkedHashMap<>();
    String user = env.get(ENV_USER);
    String password = env.get(ENV_PASSWORD);
    if (user != null && !user.isEmpty()) {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException(ENV_USER + " is set but " + ENV_PASSWORD + " is empty");
      }
      users.put(user, password);
    }
    if (file != null) {
      try {
        users.putAll(parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": cannot read the users file: " + e.getMessage());
      }
    }
    return of(users);
  }

  public boolean isEmpty() {
    return digests.isEmpty();
  }

  public Set<String> names() {
    return digests.keySet();
  }

  /** Whether {@code password} is {@code user}'s; as slow for a wrong user as for a wrong password. */
  public boolean authenticate(String user, String password) {
    byte[] expected = digests.get(user);
    byte[] given = digest(password);
    boolean match = MessageDigest.isEqual(expected == null ? new byte[given.length] : expected, given);
    return expected != null && match;
  }

  private static byte[] digest(String password) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
