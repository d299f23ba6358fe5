package dev.capstan.api.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The configuration a TSDB node reads from its ConfigMap ({@code tsdb.yaml}). The operator
 * renders it from a TsdbCluster with every default resolved, so the node needs no defaults of
 * its own beyond InfluxDB's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TsdbNodeConfig(
    int httpPort, int replicationFactor, boolean authEnabled, List<Database> databases) {

  public static final String FILE = "tsdb.yaml";

  /** A database and its policies. */
  public record Database(String name, List<RetentionPolicy> retentionPolicies) {}

  /**
   * A retention policy with durations as InfluxDB literals; {@code INF} keeps forever.
   *
   * @param defaultPolicy whether writes without {@code rp} land here
   */
  public record RetentionPolicy(
      String name, String duration, String shardDuration, boolean defaultPolicy) {}
}
