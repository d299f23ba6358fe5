package dev.capstan.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion and keeps what it printed. */
public final class Command {
  /** Exit code and combined output of a finished command. */
  public record Result(List<String> command, int exitCode, String output) {
    public Result orThrow() {
      if (exitCode != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  private Command() {}

  public static Result run(Map<String, String> env, Duration timeout, String... command) {
    return runWithInput(env, timeout, null, command);
  }

  /** As {@link #run}, with {@code stdin} (or nothing, when null) as the command's input. */
  public static Result runWithInput(Map<String, String> env, Duration timeout, String stdin, String... command) {
    try {
      Path out = Files.createTempFile("capstan-e2e-cmd", ".log");
      try {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
          p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
              + ":\n" + Files.readString(out));
        }
        return new Result(new ArrayList<>(List.of(command)), p.exitValue(), Files.readString(out));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }
}
