package dev.capstan.dataplane.tsdb.lineprotocol;

/** The unit of the timestamps in a {@code /write} body, named as InfluxDB's {@code precision} parameter. */
public enum Precision {
  NANOSECONDS("n", 1L),
  MICROSECONDS("u", 1_000L),
  MILLISECONDS("ms", 1_000_000L),
  SECONDS("s", 1_000_000_000L),
  MINUTES("m", 60_000_000_000L),
  HOURS("h", 3_600_000_000_000L);

  private final String parameter;
  private final long nanos;

  Precision(String parameter, long nanos) {
    this.parameter = parameter;
    this.nanos = nanos;
  }

  /** The value of the {@code precision} query parameter that selects this unit. */
  public String parameter() {
    return parameter;
  }

  /** Nanoseconds in one unit. */
  public long nanos() {
    return nanos;
  }

  /**
   * The unit a {@code precision} parameter selects. influxd 1.6 treats a missing or unknown value
   * (even "ns") as nanoseconds rather than rejecting the write, and clients rely on that.
   */
  public static Precision fromParameter(String parameter) {
    for (Precision p : values()) {
      if (p.parameter.equals(parameter)) {
        return p;
      }
    }
    return NANOSECONDS;
  }
}
