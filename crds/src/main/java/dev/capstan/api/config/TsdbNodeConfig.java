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

  /** A database, its policies and the continuous queries the cluster declares for it. */
  public record Database(String name, List<RetentionPolicy> retentionPolicies, List<ContinuousQuery> continuousQueries) {
    public Database(String name, List<RetentionPolicy> retentionPolicies) {
      this(name, retentionPolicies, null);
    }

    public List<ContinuousQuery> continuousQueriesOrEmpty() {
      return continuousQueries == null ? List.of() : continuousQueries;
    }
  }

  /**
   * A continuous query: its SELECT, and RESAMPLE EVERY / FOR as InfluxDB literals (null when
   * not given).
   */
  public record ContinuousQuery(String name, String query, String resampleEvery, String resampleFor) {}

  /**
   * A retention policy with durations as InfluxDB literals; {@code INF} keeps forever.
   *
   * @param defaultPolicy whether writes without {@code rp} land here
   */
  public record RetentionPolicy(
      String name, String duration, String shardDuration, boolean defaultPolicy) {}
}
