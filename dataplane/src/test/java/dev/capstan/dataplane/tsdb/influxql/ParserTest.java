package dev.capstan.dataplane.tsdb.influxql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.dataplane.tsdb.influxql.Ast.*;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parser alone: trees for valid text, influxd's messages and positions for invalid text. */
class ParserTest {

  private static Select select(String q) {
    List<Statement> st = Parser.parseQuery(q);
    assertThat(st).hasSize(1);
    return (Select) st.get(0);
  }

  @Test
  void precedenceFollowsInfluxql() {
    assertThat(Parser.parseExpr("a + b * c")).isEqualTo(new Binary(Token.ADD, new VarRef("a", null),
        new Binary(Token.MUL, new VarRef("b", null), new VarRef("c", null))));
    assertThat(Parser.parseExpr("a * b + c")).isEqualTo(new Binary(Token.ADD,
        new Binary(Token.MUL, new VarRef("a", null), new VarRef("b", null)), new VarRef("c", null)));
    assertThat(Parser.parseExpr("a = 1 OR b = 2 AND c = 3")).isEqualTo(new Binary(Token.OR,
        new Binary(Token.EQ, new VarRef("a", null), new IntegerLit(1)),
        new Binary(Token.AND, new Binary(Token.EQ, new VarRef("b", null), new IntegerLit(2)),
            new Binary(Token.EQ, new VarRef("c", null), new IntegerLit(3)))));
    assertThat(Parser.parseExpr("a - b - c")).isEqualTo(new Binary(Token.SUB,
        new Binary(Token.SUB, new VarRef("a", null), new VarRef("b", null)), new VarRef("c", null)));
  }

  @Test
  void literals() {
    assertThat(Parser.parseExpr("'it\\'s\\n'")).isEqualTo(new StringLit("it's\n"));
    assertThat(Parser.parseExpr("\"my \\\"field\\\"\"")).isEqualTo(new VarRef("my \"field\"", null));
    assertThat(Parser.parseExpr("1.5")).isEqualTo(new NumberLit(1.5));
    assertThat(Parser.parseExpr(".5")).isEqualTo(new NumberLit(0.5));
    assertThat(Parser.parseExpr("-3")).isEqualTo(new IntegerLit(-3));
    assertThat(Parser.parseExpr("true")).isEqualTo(new BoolLit(true));
    assertThat(Parser.parseExpr("now()")).isEqualTo(new Call("now", List.of()));
    assertThat(Parser.parseExpr("v::integer")).isEqualTo(new VarRef("v", "integer"));
    assertThat(Parser.parseExpr("a.b.c")).isEqualTo(new VarRef("a.b.c", null));
    Expr re = Parser.parseExpr("host =~ /^a\\/b$/");
    assertThat(((RegexLit) ((Binary) re).rhs()).source()).isEqualTo("^a/b$");
  }

  @ParameterizedTest
  @CsvSource({
      "1h30m, 5400000000000", "10s, 10000000000", "1d, 86400000000000", "1w, 604800000000000",
      "5u, 5000", "5µ, 5000", "100ms, 100000000", "7ns, 7", "1m, 60000000000", "2h45m10s, 9910000000000"})
  void durations(String text, long nanos) {
    assertThat(Parser.parseExpr(text)).isEqualTo(new DurationLit(nanos));
  }

  @Test
  void sourcesWithDatabaseAndPolicy() {
    assertThat(select("SELECT v FROM db.rp.cpu").sources())
        .containsExactly(new Measurement("db", "rp", "cpu", null));
    assertThat(select("SELECT v FROM rp.cpu").sources())
        .containsExactly(new Measurement(null, "rp", "cpu", null));
    assertThat(select("SELECT v FROM db..cpu").sources())
        .containsExactly(new Measurement("db", "", "cpu", null));
    assertThat(select("SELECT v FROM \"my meas\", /^c/").sources().get(0).name()).isEqualTo("my meas");
    assertThat(select("SELECT v FROM \"my meas\", /^c/").sources().get(1).regex().source()).isEqualTo("^c");
  }

  @Test
  void selectClauses() {
    Select s = select("SELECT mean(v) AS m FROM cpu WHERE time > now() - 1h GROUP BY time(1m, 10s), host "
        + "fill(previous) ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1");
    assertThat(s.fields()).containsExactly(new Field(new Call("mean", List.of(new VarRef("v", null))), "m"));
    assertThat(s.dimensions()).containsExactly(
        new Call("time", List.of(new DurationLit(60_000_000_000L), new DurationLit(10_000_000_000L))),
        new VarRef("host", null));
    assertThat(s.fill()).isEqualTo(Fill.PREVIOUS);
    assertThat(s.descending()).isTrue();
    assertThat(List.of(s.limit(), s.offset(), s.slimit(), s.soffset())).containsExactly(10, 2, 3, 1);
    assertThat(select("SELECT count(v) FROM cpu GROUP BY time(1m) fill(-1.5)").fillValue()).isEqualTo(-1.5);
  }

  @Test
  void severalStatementsAndComments() {
    assertThat(Parser.parseQuery("SHOW DATABASES; -- all\nSELECT v /* x */ FROM cpu;")).hasSize(2);
    assertThat(Parser.parseQuery("")).isEmpty();
  }

  @Test
  void ddl() {
    assertThat(Parser.parseQuery("CREATE RETENTION POLICY rp ON db DURATION 2d REPLICATION 1 SHARD DURATION 1h DEFAULT"))
        .containsExactly(new CreateRetentionPolicy("rp", "db", 2 * 86_400_000_000_000L, 1, 3_600_000_000_000L, true));
    assertThat(Parser.parseQuery("ALTER RETENTION POLICY rp ON db DURATION INF DEFAULT"))
        .containsExactly(new AlterRetentionPolicy("rp", "db", 0L, null, null, true));
    assertThat(Parser.parseQuery("CREATE DATABASE d WITH DURATION 1d NAME x"))
        .containsExactly(new CreateDatabase("d", true, 86_400_000_000_000L, null, 0, "x"));
    assertThat(Parser.parseQuery("SHOW TAG VALUES FROM cpu WITH KEY IN (host, region)").get(0))
        .isEqualTo(new ShowTagValues(null, List.of(new Measurement(null, null, "cpu", null)),
            new KeyFilter(Token.IN, new ListLit(List.of("host", "region"))), null, 0, 0));
    assertThat(Parser.parseQuery("SHOW TAG VALUES EXACT CARDINALITY ON db FROM cpu WITH KEY = host"
        + " WHERE region = 'eu' GROUP BY kind LIMIT 2 OFFSET 1").get(0))
        .isEqualTo(new ShowCardinality(CardinalityOf.TAG_VALUES, true, "db",
            List.of(new Measurement(null, null, "cpu", null)), new KeyFilter(Token.EQ, new StringLit("host")),
            new Binary(Token.EQ, new VarRef("region", null), new StringLit("eu")),
            List.of(new VarRef("kind", null)), 2, 1));
    assertThat(Parser.parseQuery("CREATE CONTINUOUS QUERY \"my cq\" ON db RESAMPLE EVERY 30s FOR 2m BEGIN\n"
        + "  SELECT max(v) INTO db.autogen.cpu_max FROM cpu GROUP BY time(1m), *\nEND").get(0))
        .isInstanceOfSatisfying(CreateContinuousQuery.class, cq -> {
          assertThat(cq.every()).isEqualTo(30_000_000_000L);
          assertThat(cq.resampleFor()).isEqualTo(120_000_000_000L);
          assertThat(cq.select().into()).isEqualTo(new Target("db", "autogen", "cpu_max"));
          assertThat(cq.text()).isEqualTo("CREATE CONTINUOUS QUERY \"my cq\" ON db RESAMPLE EVERY 30s FOR 2m BEGIN"
              + " SELECT max(v) INTO db.autogen.cpu_max FROM cpu GROUP BY time(1m), * END");
        });
    assertThat(Parser.parseQuery("DROP CONTINUOUS QUERY cq ON db; SHOW CONTINUOUS QUERIES"))
        .containsExactly(new DropContinuousQuery("cq", "db"), new ShowContinuousQueries());
    assertThat(Parser.parseQuery("SELECT v INTO db..:MEASUREMENT FROM cpu").get(0))
        .isInstanceOfSatisfying(Select.class, s -> assertThat(s.into()).isEqualTo(new Target("db", "", null)));
    assertThat(Parser.parseQuery("SHOW FIELD KEY CARDINALITY").get(0))
        .isEqualTo(new ShowCardinality(CardinalityOf.FIELD_KEY, false, null, null, null, null, List.of(), 0, 0));
  }

  /** Messages and positions as influxd 1.6.7 gives them (each checked against it). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "foo| found foo, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1",
      "SELECT FROM cpu| found FROM, expected identifier, string, number, bool at line 1, char 8",
      "SHOW TAG KEY| found EOF, expected EXACT, CARDINALITY at line 1, char 14",
      "SHOW FIELD KEY| found EOF, expected EXACT, CARDINALITY at line 1, char 16",
      "SHOW TAG KEY EXACT| found EOF, expected CARDINALITY at line 1, char 20",
      "SHOW TAG VALUES CARDINALITY| found EOF, expected WITH at line 1, char 29",
      "SHOW TAG KEY CARDINALITY SLIMIT 1| found SLIMIT, expected ; at line 1, char 26",
      "SHOW TAG KEY CARDINALITY GROUP BY host fill(0)| found fill, expected ; at line 1, char 40",
      "SELECT v FROM cpu WHERE| found EOF, expected identifier, string, number, bool at line 1, char 25",
      "SELECT v FROM cpu LIMIT x| found x, expected integer at line 1, char 25",
      "SELECT v FROM cpu ORDER BY v| only ORDER BY time supported at this time",
      "SHOW FOO| found FOO, expected CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS at line 1, char 6",
      "SELECT v FROM cpu WHERE host = 'a| found a, expected identifier, string, number, bool at line 1, char 31",
      "SELECT v > 1 FROM cpu| invalid operator > in SELECT clause at line 1, char 8; operator is intended for WHERE clause",
      "SELECT v FROM a.b.c.d| too many segments in \"a\".\"b\".\"c\".d at line 1, char 1",
      "CREATE RETENTION POLICY rp ON db DURATION 1h REPLICATION 0| invalid value 0: must be 1 <= n <= 2147483647 at line 1, char 58",
      "SELECT v FROM cpu fill(foo)| expected number argument in fill()",
      "CREATE USER bob WITH PASSWORD 'x'| CREATE USER is not supported by Capstan: users and passwords come from the Secret named by the TsdbCluster's authSecretRef, and every user may do everything at line 1, char 8",
      "GRANT ALL TO bob| GRANT is not supported by Capstan: users and passwords come from the Secret named by the TsdbCluster's authSecretRef, and every user may do everything at line 1, char 1",
      "SHOW STATS FOR httpd| found httpd, expected string at line 1, char 16",
      "SHOW GRANTS bob| found bob, expected FOR at line 1, char 13",
      "CREATE SUBSCRIPTION s ON db.autogen DESTINATIONS ALL 'udp://h:9090'| CREATE SUBSCRIPTION is not supported by Capstan at line 1, char 8",
      "DELETE| found EOF, expected FROM, WHERE at line 1, char 8",
      "SELECT v INTO :MEASUREMENT FROM cpu| found :, expected identifier at line 1, char 15",
      "CREATE CONTINUOUS QUERY bad ON qe BEGIN SELECT mean(v) INTO x FROM cpu END| found cpu, expected GROUP BY time(...) at line 1, char 68",
      "CREATE CONTINUOUS QUERY bad ON qe BEGIN SELECT mean(v) FROM cpu GROUP BY time(1m) END| found FROM, expected INTO at line 1, char 56",
      "CREATE CONTINUOUS QUERY bad ON qe RESAMPLE EVERY 0s BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m) END| found BEGIN, expected EVERY, FOR at line 1, char 53",
      "CREATE CONTINUOUS QUERY bad ON qe RESAMPLE FOR 30s BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m) END| FOR duration must be >= GROUP BY time duration: must be a minimum of 1m, got 30s",
      "CREATE CONTINUOUS QUERY bad ON qe RESAMPLE BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1m) END| found BEGIN, expected EVERY, FOR at line 1, char 44",
      "CREATE CONTINUOUS QUERY z ON qe BEGIN SELECT mean(v) INTO x FROM cpu GROUP BY time(1d) tz('Europe/Berlin') END| tz() in a continuous query is not supported by Capstan",
      "SELECT mean(v) FROM cpu GROUP BY time(1d) tz('Europe/Berlinn')| unable to find time zone Europe/Berlinn",
  })
  void errorsAsInfluxd(String query, String message) {
    assertThatThrownBy(() -> Parser.parseQuery(query))
        .isInstanceOf(QueryParseException.class)
        .hasMessage(message.strip());
  }

  @Test
  void errorPositionsCountLines() {
    assertThatThrownBy(() -> Parser.parseQuery("SELECT v\nFROM cpu\nWHERE v >"))
        .hasMessage("found EOF, expected identifier, string, number, bool at line 3, char 10");
  }

  @Test
  void influxMessageIsWhatHttpAnswers() {
    assertThat(new QueryParseException("x").influxMessage()).isEqualTo("error parsing query: x");
  }
}
