package dev.capstan.dataplane.tsdb.influxql;

import java.util.Set;

/**
 * How {@code /query} prints results: {@code pretty}, and {@code epoch} ({@code null}: times as
 * RFC3339 strings; else one of h, m, s, ms, u, ns: integer times in that unit).
 */
public record JsonOptions(boolean pretty, String epoch) {
  private static final Set<String> EPOCHS = Set.of("h", "m", "s", "ms", "u", "µ", "ns", "n");

  public JsonOptions {
    if (epoch != null && !EPOCHS.contains(epoch)) {
      // influxd treats an unknown epoch as nanoseconds.
      epoch = "ns";
    }
  }

  long epochDivisor() {
    return switch (epoch) {
      case "h" -> Durations.H;
      case "m" -> Durations.M;
      case "s" -> Durations.S;
      case "ms" -> Durations.MS;
      case "u", "µ" -> Durations.US;
      default -> 1;
    };
  }
}
