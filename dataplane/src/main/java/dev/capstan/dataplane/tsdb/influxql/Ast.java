package dev.capstan.dataplane.tsdb.influxql;

import java.time.ZoneId;
import java.util.List;
import java.util.regex.Pattern;

/** The syntax tree of InfluxQL: immutable records the parser builds and the executor reads. */
final class Ast {
  private Ast() {}

  sealed interface Expr {}

  /** A field or tag reference, optionally typed with {@code ::float}, {@code ::tag}, ... */
  record VarRef(String name, String type) implements Expr {}

  record Call(String name, List<Expr> args) implements Expr {}

  /** {@code DISTINCT x} without parentheses. */
  record Distinct(String name) implements Expr {}

  record NumberLit(double value) implements Expr {}

  record IntegerLit(long value) implements Expr {}

  record StringLit(String value) implements Expr {}

  record BoolLit(boolean value) implements Expr {}

  record DurationLit(long nanos) implements Expr {}

  record RegexLit(Pattern pattern, String source) implements Expr {}

  /** {@code *}, {@code *::field} ({@code type} FIELD) or {@code *::tag} (TAG). */
  record Wildcard(Token type) implements Expr {}

  record Binary(Token op, Expr lhs, Expr rhs) implements Expr {}

  record Paren(Expr expr) implements Expr {}

  record ListLit(List<String> values) implements Expr {}

  record Field(Expr expr, String alias) {}

  /** A FROM source: a name or a regex, with optional database and policy. */
  record Measurement(String database, String retentionPolicy, String name, RegexLit regex) {}

  enum Fill { NULL, NONE, PREVIOUS, LINEAR, NUMBER }

  sealed interface Statement {}

  /**
   * {@code into}: where SELECT INTO writes, null without; {@code subqueries}: the parenthesized
   * SELECTs of FROM, whose results the statement reads;
   * {@code ordered}: whether ORDER BY was written (a subquery without one takes its query's);
   * {@code zone}: the time zone of {@code tz()}, null without one (UTC).
   */
  record Select(
      List<Field> fields,
      Target into,
      List<Measurement> sources,
      List<Select> subqueries,
      Expr condition,
      List<Expr> dimensions,
      Fill fill,
      Number fillValue,
      boolean descending,
      boolean ordered,
      int limit,
      int offset,
      int slimit,
      int soffset,
      ZoneId zone) implements Statement {

    /**
     * This SELECT as the subquery of another: with its condition and dimensions, and without the
     * rows of empty GROUP BY time buckets under fill(null), which influxd does not pass on.
     */
    Select asSubquery(Expr newCondition, List<Expr> newDimensions, boolean outerDescending) {
      return new Select(fields, null, sources, subqueries, newCondition, newDimensions,
          fill == Fill.NULL ? Fill.NONE : fill, fillValue, outerDescending, true, limit, offset, slimit,
          soffset, zone);
    }

    Select with(Expr newCondition, List<Expr> newDimensions) {
      return new Select(fields, into, sources, subqueries, newCondition, newDimensions, fill, fillValue,
          descending, ordered, limit, offset, slimit, soffset, zone);
    }

    Select withoutInto() {
      return new Select(fields, null, sources, subqueries, condition, dimensions, fill, fillValue,
          descending, ordered, limit, offset, slimit, soffset, zone);
    }

    /** This SELECT reading {@code newSources} instead of its FROM. */
    Select readingFrom(List<Measurement> newSources) {
      return new Select(fields, null, newSources, List.of(), condition, dimensions, fill, fillValue,
          descending, ordered, limit, offset, slimit, soffset, zone);
    }
  }

  /**
   * SELECT INTO's destination; empty or null database and policy: the query's; a null
   * measurement: each row's own ({@code :MEASUREMENT}).
   */
  record Target(String database, String retentionPolicy, String measurement) {}

  /**
   * CREATE CONTINUOUS QUERY; {@code every} and {@code resampleFor} 0 when not given; {@code
   * text} the statement as SHOW CONTINUOUS QUERIES prints it.
   */
  record CreateContinuousQuery(String name, String database, long every, long resampleFor, Select select,
      String text) implements Statement {}

  record DropContinuousQuery(String name, String database) implements Statement {}

  record ShowContinuousQueries() implements Statement {}

  record ShowQueries() implements Statement {}

  /** SHOW STATS [FOR 'module']; {@code module} null for all. */
  record ShowStats(String module) implements Statement {}

  /** SHOW DIAGNOSTICS [FOR 'module']; {@code module} null for all. */
  record ShowDiagnostics(String module) implements Statement {}

  /** {@code KILL QUERY qid}: the id is influxd's unsigned 64-bit integer. */
  record KillQuery(long id) implements Statement {}

  record ShowShards() implements Statement {}

  /** SHOW USERS: the users the node lets in, every one an admin. */
  record ShowUsers() implements Statement {}

  /** SHOW GRANTS FOR user. */
  record ShowGrants(String user) implements Statement {}

  /** SHOW SUBSCRIPTIONS: Capstan has none (CREATE SUBSCRIPTION is refused). */
  record ShowSubscriptions() implements Statement {}

  record ShowShardGroups() implements Statement {}

  record Delete(List<Measurement> sources, Expr condition) implements Statement {}

  record DropSeries(List<Measurement> sources, Expr condition) implements Statement {}

  record ShowSeries(String database, List<Measurement> sources, Expr condition, int limit, int offset)
      implements Statement {}

  record ShowMeasurements(String database, Measurement source, Expr condition, int limit, int offset)
      implements Statement {}

  record ShowRetentionPolicies(String database) implements Statement {}

  record ShowTagKeys(
      String database, List<Measurement> sources, Expr condition, int limit, int offset, int slimit,
      int soffset) implements Statement {}

  record ShowTagValues(
      String database, List<Measurement> sources, KeyFilter key, Expr condition, int limit,
      int offset) implements Statement {}

  /**
   * WITH KEY of SHOW TAG VALUES: {@code op} is EQ, NEQ, EQREGEX, NEQREGEX or IN, {@code keyExpr}
   * a StringLit, RegexLit or ListLit to match.
   */
  record KeyFilter(Token op, Expr keyExpr) {
    public boolean matches(String key) {
      return switch (op) {
        case EQ -> ((StringLit) keyExpr).value().equals(key);
        case NEQ -> !((StringLit) keyExpr).value().equals(key);
        case EQREGEX -> ((RegexLit) keyExpr).pattern().matcher(key).find();
        case NEQREGEX -> !((RegexLit) keyExpr).pattern().matcher(key).find();
        case IN -> ((ListLit) keyExpr).values().contains(key);
        default -> false;
      };
    }
  }

  record ShowFieldKeys(String database, List<Measurement> sources, int limit, int offset)
      implements Statement {}

  record ShowDatabases() implements Statement {}

  /** What a SHOW ... CARDINALITY counts. */
  enum CardinalityOf { SERIES, MEASUREMENT, TAG_KEY, TAG_VALUES, FIELD_KEY }

  /**
   * SHOW SERIES | MEASUREMENT | TAG KEY | TAG VALUES | FIELD KEY [EXACT] CARDINALITY. {@code exact}
   * as written: influxd also counts series and measurements exactly when the statement has FROM,
   * WHERE, GROUP BY, LIMIT or OFFSET, and always counts the keys and values. {@code key} only for
   * TAG VALUES; {@code dimensions} the GROUP BY expressions, empty without one.
   */
  record ShowCardinality(
      CardinalityOf of, boolean exact, String database, List<Measurement> sources, KeyFilter key,
      Expr condition, List<Expr> dimensions, int limit, int offset) implements Statement {}

  record CreateDatabase(
      String name, boolean withPolicy, Long duration, Integer replication, long shardDuration,
      String policyName) implements Statement {}

  record DropDatabase(String name) implements Statement {}

  record CreateRetentionPolicy(
      String name, String database, long duration, int replication, long shardDuration,
      boolean isDefault) implements Statement {}

  record AlterRetentionPolicy(
      String name, String database, Long duration, Integer replication, Long shardDuration,
      boolean isDefault) implements Statement {}

  record DropRetentionPolicy(String name, String database) implements Statement {}

  record DropMeasurement(String name) implements Statement {}
}
