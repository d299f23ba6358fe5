package dev.capstan.dataplane.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The flags of a server subcommand: {@code --config FILE} (required), {@code --data DIR} and
 * others a server names, each {@code --name value} or {@code --name=value}.
 */
public final class CommandLine {

  private final Map<String, String> values;

  private CommandLine(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Reads {@code args}, accepting only the {@code allowed} flag names.
   *
   * @throws UsageException naming the flag that is unknown or lacks a value
   */
  public static CommandLine parse(List<String> args, Set<String> allowed) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'; flags are --name value");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new UsageException("flag --" + name + " needs a value");
      }
      if (!allowed.contains(name)) {
        throw new UsageException("unknown flag --" + name + "; known: --" + String.join(", --", allowed.stream().sorted().toList()));
      }
      values.put(name, value);
    }
    return new CommandLine(values);
  }

  public Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String required(String name) {
    return value(name).orElseThrow(() -> new UsageException("flag --" + name + " is required"));
  }

  public Optional<Path> path(String name) {
    return value(name).map(Path::of);
  }

  /** A mistake on the command line; the message is the whole story, printed without a trace. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }
}
