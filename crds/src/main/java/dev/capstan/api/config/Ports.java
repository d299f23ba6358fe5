package dev.capstan.api.config;

/** The ports of Capstan's data plane, in one place for the operator and the servers. */
public final class Ports {
  /** InfluxDB 1.x HTTP API of a TSDB node. */
  public static final int TSDB_HTTP = 8086;
  /** Kafka protocol of a broker. */
  public static final int BROKER_KAFKA = 9092;
  /** Admin port of every data-plane server: /health, /metrics, /status. */
  public static final int ADMIN = 9901;

  private Ports() {}
}
