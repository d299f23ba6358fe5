package dev.capstan.api.validation;

import static dev.capstan.api.validation.ValidationCase.accepts;
import static dev.capstan.api.validation.ValidationCase.rejects;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the API server accepts as a TsdbCluster. */
class TsdbClusterValidationTest {
  static final String CRD = "tsdbclusters.capstan.dev.yaml";

  static List<ValidationCase> cases() {
    return List.of(
        accepts(CRD, "an empty spec, all defaults", "spec: {}"),
        accepts(CRD, "retention of 1h, 90m, 3600s, 7d, 52w and INF", policies("1h", "90m", "3600s", "7d", "52w", "INF")),
        accepts(CRD, "a duration mixing units, 1d12h", policies("1d12h")),
        accepts(CRD, "shard durations of 1h and 1d",
            """
            spec:
              databases:
              - name: metrics
                retentionPolicies:
                - {name: short, duration: 2d, shardDuration: 1h}
                - {name: long, duration: 52w, shardDuration: 1d, default: true}
            """),
        accepts(CRD, "replicationFactor equal to replicas", "spec: {replicas: 3, replicationFactor: 3}"),
        accepts(CRD, "two databases with a policy of the same name each",
            """
            spec:
              databases:
              - name: a
                retentionPolicies: [{name: week, duration: 7d, default: true}]
              - name: b
                retentionPolicies: [{name: week, duration: 7d, default: true}]
            """),
        accepts(CRD, "a continuous query downsampling into a longer policy",
            """
            spec:
              databases:
              - name: plant
                retentionPolicies: [{name: raw, duration: 7d, default: true}, {name: year, duration: 52w}]
                continuousQueries:
                - name: power_1h
                  query: SELECT mean(kw) INTO year.power_1h FROM power GROUP BY time(1h), *
                  resampleEvery: 30m
                  resampleFor: 2h
            """),
        rejects(CRD, "a continuous query that is not a SELECT",
            """
            spec:
              databases:
              - name: plant
                continuousQueries: [{name: q, query: DROP DATABASE plant}]
            """,
            "spec.databases[0].continuousQueries[0].query: should match '^\\s*[Ss][Ee][Ll][Ee][Cc][Tt]\\s'"),
        rejects(CRD, "two continuous queries of the same name in one database",
            """
            spec:
              databases:
              - name: plant
                continuousQueries:
                - {name: q, query: SELECT mean(v) INTO a FROM b GROUP BY time(1m)}
                - {name: q, query: SELECT max(v) INTO c FROM b GROUP BY time(1m)}
            """,
            "spec.databases[0].continuousQueries: continuous query names must be unique within a database"),
        rejects(CRD, "RESAMPLE EVERY INF",
            """
            spec:
              databases:
              - name: plant
                continuousQueries: [{name: q, query: SELECT mean(v) INTO a FROM b GROUP BY time(1m), resampleEvery: INF}]
            """,
            "spec.databases[0].continuousQueries[0].resampleEvery: resampleEvery must be a duration, not INF"),
        rejects(CRD, "RESAMPLE FOR INF",
            """
            spec:
              databases:
              - name: plant
                continuousQueries: [{name: q, query: SELECT mean(v) INTO a FROM b GROUP BY time(1m), resampleFor: INF}]
            """,
            "spec.databases[0].continuousQueries[0].resampleFor: resampleFor must be a duration, not INF"),
        rejects(CRD, "a duration that is not an InfluxDB duration", policies("7days"),
            "spec.databases[0].retentionPolicies[0].duration: should match '^(INF|([0-9]+(ns|us|ms|s|m|h|d|w))+)$'"),
        rejects(CRD, "retention of 30m", policies("30m"),
            "spec.databases[0].retentionPolicies[0].duration: duration must be at least 1h, or INF"),
        rejects(CRD, "retention of 59m59s", policies("59m59s"),
            "spec.databases[0].retentionPolicies[0].duration: duration must be at least 1h, or INF"),
        rejects(CRD, "retention of 0d", policies("0d"),
            "spec.databases[0].retentionPolicies[0].duration: duration must be at least 1h, or INF"),
        rejects(CRD, "a shard duration of 30m",
            """
            spec:
              databases:
              - name: metrics
                retentionPolicies: [{name: p, duration: 7d, shardDuration: 30m}]
            """,
            "spec.databases[0].retentionPolicies[0].shardDuration: shardDuration must be at least 1h"),
        rejects(CRD, "a shard duration of INF",
            """
            spec:
              databases:
              - name: metrics
                retentionPolicies: [{name: p, duration: INF, shardDuration: INF}]
            """,
            "spec.databases[0].retentionPolicies[0].shardDuration: shardDuration must be at least 1h"),
        rejects(CRD, "two default policies in one database",
            """
            spec:
              databases:
              - name: metrics
                retentionPolicies:
                - {name: a, duration: 1d, default: true}
                - {name: b, duration: 7d, default: true}
            """,
            "spec.databases[0].retentionPolicies: at most one retention policy per database may be the default"),
        rejects(CRD, "two policies of the same name in one database",
            """
            spec:
              databases:
              - name: metrics
                retentionPolicies:
                - {name: a, duration: 1d}
                - {name: a, duration: 7d}
            """,
            "spec.databases[0].retentionPolicies: retention policy names must be unique within a database"),
        rejects(CRD, "two databases of the same name",
            """
            spec:
              databases:
              - name: metrics
              - name: metrics
            """,
            "spec.databases: database names must be unique"),
        rejects(CRD, "replicationFactor above replicas", "spec: {replicas: 2, replicationFactor: 3}",
            "spec.replicationFactor: replicationFactor must not exceed replicas"),
        rejects(CRD, "replicationFactor above the default of one replica", "spec: {replicationFactor: 2}",
            "spec.replicationFactor: replicationFactor must not exceed replicas"),
        rejects(CRD, "zero replicas", "spec: {replicas: 0}",
            "spec.replicas: should be greater than or equal to 1"),
        rejects(CRD, "a storage size that is not a quantity", "spec: {storage: {size: ten gigs}}",
            "spec.storage.size: should match '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$'"),
        rejects(CRD, "a policy without a duration",
            """
            spec:
              databases:
              - name: metrics
                retentionPolicies: [{name: p}]
            """,
            "spec.databases[0].retentionPolicies[0].duration: Required value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void apiServerAnswersAsIntended(ValidationCase c) {
    c.assertOutcome();
  }

  @Test
  void defaultsReplicasAndStorageSizeOnlyWhereTheParentExists() {
    var stored = CrdValidator.load(CRD).defaulted("spec: {authSecretRef: {name: admin}, storage: {}}");

    assertThat(stored.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(stored.at("/spec/replicationFactor").asInt()).isEqualTo(1);
    assertThat(stored.at("/spec/storage/size").asText()).isEqualTo("10Gi");
    assertThat(stored.at("/spec/authSecretRef/usernameKey").asText()).isEqualTo("username");
    assertThat(stored.at("/spec/databases").isMissingNode()).isTrue();
  }

  /** A database whose policies have these durations, the first one the default. */
  private static String policies(String... durations) {
    StringBuilder yaml = new StringBuilder("spec:\n  databases:\n  - name: metrics\n    retentionPolicies:\n");
    for (int i = 0; i < durations.length; i++) {
      yaml.append("    - {name: p").append(i).append(", duration: ").append(durations[i])
          .append(i == 0 ? ", default: true" : "").append("}\n");
    }
    return yaml.toString();
  }
}
