package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.influxql.Ast.*;
import dev.capstan.dataplane.tsdb.influxql.Scanner.Pos;
import dev.capstan.dataplane.tsdb.influxql.Scanner.Tok;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent InfluxQL parser following influxql (the revision influxd 1.6 vendors) token
 * for token, so that error texts and their positions match influxd's.
 */
final class Parser {
  private static final List<String> STATEMENT_KEYS = List.of(
      "SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN", "GRANT", "REVOKE", "ALTER", "SET", "KILL");
  private static final List<String> SHOW_KEYS = List.of(
      "CONTINUOUS", "DATABASES", "DIAGNOSTICS", "FIELD", "GRANTS", "MEASUREMENT", "MEASUREMENTS",
      "QUERIES", "RETENTION", "SERIES", "SHARD", "SHARDS", "STATS", "SUBSCRIPTIONS", "TAG", "USERS");
  private static final List<String> CREATE_KEYS =
      List.of("CONTINUOUS", "DATABASE", "USER", "RETENTION", "SUBSCRIPTION");
  private static final List<String> DROP_KEYS = List.of(
      "CONTINUOUS", "DATABASE", "MEASUREMENT", "RETENTION", "SERIES", "SHARD", "SUBSCRIPTION", "USER");

  private final Scanner scanner;
  private final String text;
  private final Tok[] buf = new Tok[3];
  private int bi;
  private int bn;

  private Parser(String text) {
    this.scanner = new Scanner(text);
    this.text = text;
  }

  /** Parses the statements of a query, separated by semicolons. */
  static List<Statement> parseQuery(String text) {
    Parser p = new Parser(text);
    List<Statement> statements = new ArrayList<>();
    boolean semi = true;
    while (true) {
      Tok t = p.scanIgnoreWhitespace();
      if (t.tok() == Token.EOF) {
        return statements;
      } else if (t.tok() == Token.SEMICOLON) {
        semi = true;
      } else {
        if (!semi) {
          throw error(t, List.of(";"));
        }
        p.unscan();
        statements.add(p.parseStatement());
        semi = false;
      }
    }
  }

  /** Parses one expression (tests and WHERE conditions built in code). */
  static Expr parseExpr(String text) {
    return new Parser(text).expr();
  }

  // --- errors ---

  static QueryParseException error(Tok t, List<String> expected) {
    return new QueryParseException("found " + Token.describe(t.tok(), t.lit()) + ", expected "
        + String.join(", ", expected) + at(t.pos()));
  }

  static QueryParseException error(String message, Pos pos) {
    return new QueryParseException(message + at(pos));
  }

  private static String at(Pos pos) {
    return " at line " + (pos.line() + 1) + ", char " + (pos.ch() + 1);
  }

  // --- token buffer (influxql's bufScanner) ---

  private Tok scan() {
    return scanWith(false);
  }

  private Tok scanWith(boolean regex) {
    if (bn > 0) {
      bn--;
      return curr();
    }
    bi = (bi + 1) % 3;
    buf[bi] = regex ? scanner.scanRegex() : scanner.scan();
    return curr();
  }

  private Tok curr() {
    return buf[(bi - bn + 3) % 3];
  }

  private void unscan() {
    bn++;
  }

  private Tok scanIgnoreWhitespace() {
    while (true) {
      Tok t = scan();
      if (t.tok() != Token.WS && t.tok() != Token.COMMENT) {
        return t;
      }
    }
  }

  private void consumeWhitespace() {
    if (scan().tok() != Token.WS) {
      unscan();
    }
  }

  private int peekRune() {
    int r = scanner.r.read();
    if (r != Scanner.EOF_CH) {
      scanner.r.unread();
    }
    return r;
  }

  private void expectTokens(Token... tokens) {
    for (Token expected : tokens) {
      Tok t = scanIgnoreWhitespace();
      if (t.tok() != expected) {
        throw error(t, List.of(expected.text));
      }
    }
  }

  // --- statements ---

  private Statement parseStatement() {
    Tok t = scanIgnoreWhitespace();
    switch (t.tok()) {
      case SELECT:
        return parseSelect();
      case DELETE:
        return parseDelete();
      case SHOW:
        return parseShow();
      case CREATE:
        return parseCreate();
      case DROP:
        return parseDrop();
      case ALTER: {
        Tok t2 = scanIgnoreWhitespace();
        if (t2.tok() != Token.RETENTION) {
          throw error(t2, List.of("RETENTION"));
        }
        Tok t3 = scanIgnoreWhitespace();
        if (t3.tok() != Token.POLICY) {
          throw error(t3, List.of("POLICY"));
        }
        return parseAlterRetentionPolicy();
      }
      case KILL: {
        expectTokens(Token.QUERY);
        Tok id = scanIgnoreWhitespace();
        if (id.tok() != Token.INTEGER) {
          throw error(id, List.of("integer"));
        }
        long qid;
        try {
          qid = Long.parseUnsignedLong(id.lit());
        } catch (NumberFormatException e) {
          throw error("strconv.ParseUint: parsing \"" + id.lit() + "\": value out of range", id.pos());
        }
        if (scanIgnoreWhitespace().tok() == Token.ON) {
          parseIdent(); // the host of a cluster; a node kills only its own queries
        } else {
          unscan();
        }
        return new KillQuery(qid);
      }
      case EXPLAIN, GRANT, REVOKE, SET:
        throw error(t.tok().text + " is not supported by Capstan" + usersHint(t.tok()), t.pos());
      default:
        throw error(t, STATEMENT_KEYS);
    }
  }

  /** Where users come from instead, for the statements that would manage them. */
  private static String usersHint(Token t) {
    return switch (t) {
      case USER, GRANT, REVOKE, SET ->
          ": users and passwords come from the Secret named by the TsdbCluster's authSecretRef, and every user may do everything";
      default -> "";
    };
  }

  private Statement parseShow() {
    Tok t = scanIgnoreWhitespace();
    switch (t.tok()) {
      case DATABASES:
        return new ShowDatabases();
      case MEASUREMENTS:
        return parseShowMeasurements();
      case SERIES:
        return parseShowSeries();
      case RETENTION: {
        Tok t2 = scanIgnoreWhitespace();
        if (t2.tok() != Token.POLICIES) {
          throw error(t2, List.of("POLICIES"));
        }
        String db = null;
        if (scanIgnoreWhitespace().tok() == Token.ON) {
          db = parseIdent();
        } else {
          unscan();
        }
        return new ShowRetentionPolicies(db);
      }
      case TAG: {
        Tok t2 = scanIgnoreWhitespace();
        if (t2.tok() == Token.KEYS) {
          return parseShowTagKeys();
        } else if (t2.tok() == Token.VALUES) {
          return parseShowTagValues();
        } else if (t2.tok() == Token.KEY) {
          return parseShowCardinality(CardinalityOf.TAG_KEY, parseExactCardinality());
        }
        throw error(t2, List.of("KEY", "KEYS", "VALUES"));
      }
      case FIELD: {
        Tok t2 = scanIgnoreWhitespace();
        if (t2.tok() == Token.KEYS) {
          return parseShowFieldKeys();
        } else if (t2.tok() == Token.KEY) {
          return parseShowCardinality(CardinalityOf.FIELD_KEY, parseExactCardinality());
        }
        throw error(t2, List.of("KEY", "KEYS"));
      }
      case MEASUREMENT:
        return parseShowCardinality(CardinalityOf.MEASUREMENT, parseExactCardinality());
      case CONTINUOUS:
        expectTokens(Token.QUERIES);
        return new ShowContinuousQueries();
      case SHARDS:
        return new ShowShards();
      case SHARD:
        expectTokens(Token.GROUPS);
        return new ShowShardGroups();
      case QUERIES:
        return new ShowQueries();
      case STATS:
        return new ShowStats(parseOptionalModule());
      case DIAGNOSTICS:
        return new ShowDiagnostics(parseOptionalModule());
      case USERS:
        return new ShowUsers();
      case GRANTS:
        expectTokens(Token.FOR);
        return new ShowGrants(parseIdent());
      case SUBSCRIPTIONS:
        return new ShowSubscriptions();
      default:
        throw error(t, SHOW_KEYS);
    }
  }

  /** {@code FOR 'module'} after SHOW STATS and SHOW DIAGNOSTICS; null without. */
  private String parseOptionalModule() {
    if (scanIgnoreWhitespace().tok() != Token.FOR) {
      unscan();
      return null;
    }
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.STRING) {
      throw error(t, List.of("string"));
    }
    return t.lit();
  }

  private Statement parseCreate() {
    Tok t = scanIgnoreWhitespace();
    switch (t.tok()) {
      case DATABASE:
        return parseCreateDatabase();
      case RETENTION: {
        Tok t2 = scanIgnoreWhitespace();
        if (t2.tok() != Token.POLICY) {
          throw error(t2, List.of("POLICY"));
        }
        return parseCreateRetentionPolicy();
      }
      case CONTINUOUS:
        expectTokens(Token.QUERY);
        return parseCreateContinuousQuery();
      case USER, SUBSCRIPTION:
        throw error("CREATE " + t.tok().text + " is not supported by Capstan" + usersHint(t.tok()), t.pos());
      default:
        throw error(t, CREATE_KEYS);
    }
  }

  private Statement parseDrop() {
    Tok t = scanIgnoreWhitespace();
    switch (t.tok()) {
      case DATABASE:
        return new DropDatabase(parseIdent());
      case MEASUREMENT:
        return new DropMeasurement(parseIdent());
      case SERIES: {
        SourcesAndCondition sc = parseSourcesAndConditionForDelete();
        return new DropSeries(sc.sources, sc.condition);
      }
      case RETENTION: {
        Tok t2 = scanIgnoreWhitespace();
        if (t2.tok() != Token.POLICY) {
          throw error(t2, List.of("POLICY"));
        }
        String name = parseIdent();
        Tok on = scanIgnoreWhitespace();
        if (on.tok() != Token.ON) {
          throw error(on, List.of("ON"));
        }
        return new DropRetentionPolicy(name, parseIdent());
      }
      case CONTINUOUS: {
        expectTokens(Token.QUERY);
        String name = parseIdent();
        expectTokens(Token.ON);
        return new DropContinuousQuery(name, parseIdent());
      }
      case SHARD, SUBSCRIPTION, USER:
        throw error("DROP " + t.tok().text + " is not supported by Capstan" + usersHint(t.tok()), t.pos());
      default:
        throw error(t, DROP_KEYS);
    }
  }

  /**
   * CREATE CONTINUOUS QUERY name ON db [RESAMPLE [EVERY d] [FOR d]] BEGIN SELECT ... INTO ...
   * GROUP BY time(...) END, checked as influxd's parser checks it.
   */
  private Statement parseCreateContinuousQuery() {
    String name = parseIdent();
    expectTokens(Token.ON);
    String db = parseIdent();
    long every = 0;
    long resampleFor = 0;
    Tok t = scanIgnoreWhitespace();
    if (t.tok() == Token.RESAMPLE) {
      Tok r = scanIgnoreWhitespace();
      if (r.tok() != Token.EVERY && r.tok() != Token.FOR) {
        throw error(r, List.of("EVERY", "FOR"));
      }
      if (r.tok() == Token.EVERY) {
        every = parseDurationValue();
        r = scanIgnoreWhitespace();
      }
      if (r.tok() == Token.FOR) {
        resampleFor = parseDurationValue();
      } else {
        unscan();
      }
      if (every == 0 && resampleFor == 0) {
        throw error(scanIgnoreWhitespace(), List.of("EVERY", "FOR"));
      }
    } else {
      unscan();
    }
    expectTokens(Token.BEGIN);
    Tok select = scanIgnoreWhitespace();
    if (select.tok() != Token.SELECT) {
      throw error(select, List.of("SELECT"));
    }
    Select source = parseSelect(true);
    Tok end = scanIgnoreWhitespace();
    long interval = groupByInterval(source);
    if (interval <= 0) {
      // influxd points at the token before END.
      Pos before = tokenBefore(end.pos());
      throw error("found " + textBetween(before, end.pos()).strip() + ", expected GROUP BY time(...)", before);
    }
    if (end.tok() != Token.END) {
      throw error(end, List.of("END"));
    }
    if (source.zone() != null) {
      // The runner schedules runs on UTC intervals; a zone would shift them around its changes.
      throw new QueryParseException("tz() in a continuous query is not supported by Capstan");
    }
    if (resampleFor != 0 && resampleFor < interval) {
      throw new QueryParseException("FOR duration must be >= GROUP BY time duration: must be a minimum of "
          + Durations.formatInfluxQl(interval) + ", got " + Durations.formatInfluxQl(resampleFor));
    }
    String selectText = textBetween(select.pos(), end.pos()).strip();
    StringBuilder canonical = new StringBuilder("CREATE CONTINUOUS QUERY ").append(quoteIdent(List.of(name)))
        .append(" ON ").append(quoteIdent(List.of(db)));
    if (every != 0 || resampleFor != 0) {
      canonical.append(" RESAMPLE");
      if (every != 0) {
        canonical.append(" EVERY ").append(Durations.formatInfluxQl(every));
      }
      if (resampleFor != 0) {
        canonical.append(" FOR ").append(Durations.formatInfluxQl(resampleFor));
      }
    }
    canonical.append(" BEGIN ").append(selectText).append(" END");
    return new CreateContinuousQuery(name, db, every, resampleFor, source, canonical.toString());
  }

  /** The GROUP BY time interval of a SELECT, 0 without one. */
  static long groupByInterval(Select s) {
    return groupByTimeArgument(s, 0);
  }

  /** The GROUP BY time offset of a SELECT given as a duration, 0 without one. */
  static long groupByOffset(Select s) {
    return groupByTimeArgument(s, 1);
  }

  private static long groupByTimeArgument(Select s, int index) {
    for (Expr d : s.dimensions()) {
      if (Eval.unparen(d) instanceof Call c && c.name().equals("time") && c.args().size() > index
          && c.args().get(index) instanceof DurationLit dl) {
        return dl.nanos();
      }
    }
    return 0;
  }

  /** The text between two positions of the query ({@code to} exclusive). */
  private String textBetween(Pos from, Pos to) {
    return text.substring(offset(from), offset(to));
  }

  private int offset(Pos pos) {
    int line = 0;
    int i = 0;
    while (line < pos.line() && i < text.length()) {
      if (text.charAt(i++) == '\n') {
        line++;
      }
    }
    return text.offsetByCodePoints(i, Math.min(pos.ch(), text.codePointCount(i, text.length())));
  }

  /** Where the token before {@code pos} starts: a word, a quoted name or one character. */
  private Pos tokenBefore(Pos pos) {
    int end = offset(pos);
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    int start = end - 1;
    if (start >= 0 && (Character.isLetterOrDigit(text.charAt(start)) || text.charAt(start) == '_')) {
      while (start > 0 && (Character.isLetterOrDigit(text.charAt(start - 1)) || text.charAt(start - 1) == '_')) {
        start--;
      }
    }
    int line = 0;
    int lineStart = 0;
    for (int i = 0; i < Math.max(start, 0); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new Pos(line, text.codePointCount(lineStart, Math.max(start, 0)));
  }

  private Select parseSelect() {
    return parseSelect(false);
  }

  private Select parseSelect(boolean intoRequired) {
    List<Field> fields = parseFields();
    Target into = null;
    Tok t = scanIgnoreWhitespace();
    if (t.tok() == Token.INTO) {
      into = parseTarget();
    } else if (intoRequired) {
      throw error(t, List.of("INTO"));
    } else {
      unscan();
    }
    Tok from = scanIgnoreWhitespace();
    if (from.tok() != Token.FROM) {
      throw error(from, List.of("FROM"));
    }
    List<Select> subqueries = new ArrayList<>();
    List<Measurement> sources = parseSources(subqueries);
    Expr condition = parseCondition();
    List<Expr> dimensions = parseDimensions();
    FillSpec fill = parseFill();
    Tok order = scanIgnoreWhitespace();
    unscan();
    boolean descending = parseOrderBy();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    int slimit = parseOptionalTokenAndInt(Token.SLIMIT);
    int soffset = parseOptionalTokenAndInt(Token.SOFFSET);
    ZoneId tz = parseLocation();
    return new Select(fields, into, sources, List.copyOf(subqueries), condition, dimensions, fill.fill(),
        fill.value(), descending, order.tok() == Token.ORDER, limit, offset, slimit, soffset, tz);
  }

  /** INTO's [[db.]rp.]measurement, where {@code :MEASUREMENT} names each source measurement. */
  private Target parseTarget() {
    List<String> idents = parseSegmentedIdents();
    if (idents.size() < 3 && peekRune() == ':') {
      expectTokens(Token.COLON, Token.MEASUREMENT);
      idents = new ArrayList<>(idents);
      idents.add(null);
    }
    return switch (idents.size()) {
      case 1 -> new Target(null, null, idents.get(0));
      case 2 -> new Target(null, idents.get(0), idents.get(1));
      default -> new Target(idents.get(0), idents.get(1), idents.get(2));
    };
  }

  private record SourcesAndCondition(List<Measurement> sources, Expr condition) {}

  private SourcesAndCondition parseSourcesAndConditionForDelete() {
    Tok t = scanIgnoreWhitespace();
    List<Measurement> sources = null;
    if (t.tok() == Token.FROM) {
      sources = parseSources(null);
      String err = null;
      for (Measurement m : sources) {
        if (m.database() != null && !m.database().isEmpty()) {
          err = "database not supported";
        }
        if (m.retentionPolicy() != null && !m.retentionPolicy().isEmpty()) {
          err = "retention policy not supported";
        }
      }
      if (err != null) {
        throw error(err, new Pos(0, 0));
      }
    } else {
      unscan();
    }
    Expr condition = parseCondition();
    if (condition == null && sources == null) {
      throw error(t, List.of("FROM", "WHERE"));
    }
    return new SourcesAndCondition(sources, condition);
  }

  private Delete parseDelete() {
    SourcesAndCondition sc = parseSourcesAndConditionForDelete();
    return new Delete(sc.sources, sc.condition);
  }

  private String parseOptionalOn() {
    if (scanIgnoreWhitespace().tok() == Token.ON) {
      return parseIdent();
    }
    unscan();
    return null;
  }

  private List<Measurement> parseOptionalFrom() {
    if (scanIgnoreWhitespace().tok() == Token.FROM) {
      return parseSources(null);
    }
    unscan();
    return null;
  }

  private Statement parseShowSeries() {
    Tok t = scanIgnoreWhitespace();
    unscan();
    if (t.tok() == Token.EXACT || t.tok() == Token.CARDINALITY) {
      return parseShowCardinality(CardinalityOf.SERIES, parseExactCardinality());
    }
    String db = parseOptionalOn();
    List<Measurement> sources = parseOptionalFrom();
    Expr condition = parseCondition();
    parseOrderBy();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    return new ShowSeries(db, sources, condition, limit, offset);
  }

  /** {@code [EXACT] CARDINALITY}, answering whether EXACT was written. */
  private boolean parseExactCardinality() {
    Tok t = scanIgnoreWhitespace();
    if (t.tok() == Token.EXACT) {
      expectTokens(Token.CARDINALITY);
      return true;
    } else if (t.tok() == Token.CARDINALITY) {
      return false;
    }
    throw error(t, List.of("EXACT", "CARDINALITY"));
  }

  /**
   * The rest of SHOW ... [EXACT] CARDINALITY: [ON] [FROM] [WITH KEY, for tag values] [WHERE]
   * [GROUP BY] [LIMIT] [OFFSET].
   */
  private Statement parseShowCardinality(CardinalityOf of, boolean exact) {
    String db = parseOptionalOn();
    List<Measurement> sources = parseOptionalFrom();
    KeyFilter key = of == CardinalityOf.TAG_VALUES ? parseWithKey() : null;
    Expr condition = parseCondition();
    List<Expr> dimensions = parseDimensions();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    return new ShowCardinality(of, exact, db, sources, key, condition, dimensions, limit, offset);
  }

  private Statement parseShowMeasurements() {
    String db = parseOptionalOn();
    Measurement source = null;
    if (scanIgnoreWhitespace().tok() == Token.WITH) {
      expectTokens(Token.MEASUREMENT);
      Tok op = scanIgnoreWhitespace();
      if (op.tok() == Token.EQ || op.tok() == Token.EQREGEX) {
        source = parseSource();
      } else {
        throw error(op, List.of("=", "=~"));
      }
    } else {
      unscan();
    }
    Expr condition = parseCondition();
    parseOrderBy();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    return new ShowMeasurements(db, source, condition, limit, offset);
  }

  private Statement parseShowTagKeys() {
    String db = parseOptionalOn();
    List<Measurement> sources = parseOptionalFrom();
    Expr condition = parseCondition();
    parseOrderBy();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    int slimit = parseOptionalTokenAndInt(Token.SLIMIT);
    int soffset = parseOptionalTokenAndInt(Token.SOFFSET);
    return new ShowTagKeys(db, sources, condition, limit, offset, slimit, soffset);
  }

  private Statement parseShowTagValues() {
    Tok t = scanIgnoreWhitespace();
    unscan();
    if (t.tok() == Token.EXACT || t.tok() == Token.CARDINALITY) {
      return parseShowCardinality(CardinalityOf.TAG_VALUES, parseExactCardinality());
    }
    String db = parseOptionalOn();
    List<Measurement> sources = parseOptionalFrom();
    KeyFilter key = parseWithKey();
    Expr condition = parseCondition();
    parseOrderBy();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    return new ShowTagValues(db, sources, key, condition, limit, offset);
  }

  /** {@code WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (k, ...)}. */
  private KeyFilter parseWithKey() {
    expectTokens(Token.WITH, Token.KEY);
    Tok op = scanIgnoreWhitespace();
    Expr keyExpr;
    if (op.tok() == Token.IN) {
      Tok lp = scanIgnoreWhitespace();
      if (lp.tok() != Token.LPAREN) {
        throw error(lp, List.of("("));
      }
      List<String> keys = new ArrayList<>();
      keys.add(parseIdent());
      while (true) {
        if (scanIgnoreWhitespace().tok() != Token.COMMA) {
          unscan();
          break;
        }
        keys.add(parseIdent());
      }
      Tok rp = scanIgnoreWhitespace();
      if (rp.tok() != Token.RPAREN) {
        throw error(rp, List.of(")"));
      }
      keyExpr = new ListLit(List.copyOf(keys));
    } else if (op.tok() == Token.EQ || op.tok() == Token.NEQ) {
      keyExpr = new StringLit(parseIdent());
    } else if (op.tok() == Token.EQREGEX || op.tok() == Token.NEQREGEX) {
      RegexLit re = parseRegex();
      if (re == null) {
        throw error(scanIgnoreWhitespace(), List.of("regex"));
      }
      keyExpr = re;
    } else {
      throw error(op, List.of("IN", "=", "=~"));
    }
    return new KeyFilter(op.tok(), keyExpr);
  }

  private Statement parseShowFieldKeys() {
    String db = parseOptionalOn();
    List<Measurement> sources = parseOptionalFrom();
    parseOrderBy();
    int limit = parseOptionalTokenAndInt(Token.LIMIT);
    int offset = parseOptionalTokenAndInt(Token.OFFSET);
    return new ShowFieldKeys(db, sources, limit, offset);
  }

  private Statement parseCreateDatabase() {
    String name = parseIdent();
    if (scanIgnoreWhitespace().tok() != Token.WITH) {
      unscan();
      return new CreateDatabase(name, false, null, null, 0, null);
    }
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.DURATION && t.tok() != Token.NAME && t.tok() != Token.REPLICATION
        && t.tok() != Token.SHARD) {
      throw error(t, List.of("DURATION", "NAME", "REPLICATION", "SHARD"));
    }
    unscan();
    Long duration = null;
    Integer replication = null;
    long shard = 0;
    String rpName = null;
    if (scanIgnoreWhitespace().tok() == Token.DURATION) {
      duration = parseDurationValue();
    } else {
      unscan();
    }
    if (scanIgnoreWhitespace().tok() == Token.REPLICATION) {
      replication = parseInt(1, Integer.MAX_VALUE);
    } else {
      unscan();
    }
    if (scanIgnoreWhitespace().tok() == Token.SHARD) {
      Tok d = scanIgnoreWhitespace();
      if (d.tok() != Token.DURATION) {
        throw error(d, List.of("DURATION"));
      }
      shard = parseDurationValue();
    } else {
      unscan();
    }
    if (scanIgnoreWhitespace().tok() == Token.NAME) {
      rpName = parseIdent();
    } else {
      unscan();
    }
    return new CreateDatabase(name, true, duration, replication, shard, rpName);
  }

  private Statement parseCreateRetentionPolicy() {
    String name = parseIdent();
    Tok on = scanIgnoreWhitespace();
    if (on.tok() != Token.ON) {
      throw error(on, List.of("ON"));
    }
    String db = parseIdent();
    Tok d = scanIgnoreWhitespace();
    if (d.tok() != Token.DURATION) {
      throw error(d, List.of("DURATION"));
    }
    long duration = parseDurationValue();
    Tok r = scanIgnoreWhitespace();
    if (r.tok() != Token.REPLICATION) {
      throw error(r, List.of("REPLICATION"));
    }
    int replication = parseInt(1, Integer.MAX_VALUE);
    long shard = 0;
    if (scanIgnoreWhitespace().tok() == Token.SHARD) {
      Tok sd = scanIgnoreWhitespace();
      if (sd.tok() != Token.DURATION) {
        throw error(sd, List.of("DURATION"));
      }
      Tok inf = scanIgnoreWhitespace();
      if (inf.tok() == Token.INF) {
        throw error("invalid duration INF for shard duration", inf.pos());
      }
      unscan();
      shard = parseDurationValue();
    } else {
      unscan();
    }
    boolean isDefault = false;
    if (scanIgnoreWhitespace().tok() == Token.DEFAULT) {
      isDefault = true;
    } else {
      unscan();
    }
    return new CreateRetentionPolicy(name, db, duration, replication, shard, isDefault);
  }

  private Statement parseAlterRetentionPolicy() {
    Tok t = scanIgnoreWhitespace();
    String name;
    if (t.tok() == Token.DEFAULT) {
      name = "default";
    } else if (t.tok() == Token.IDENT) {
      name = t.lit();
    } else {
      throw error(t, List.of("identifier"));
    }
    Tok on = scanIgnoreWhitespace();
    if (on.tok() != Token.ON) {
      throw error(on, List.of("ON"));
    }
    String db = parseIdent();
    Set<Token> found = new HashSet<>();
    Long duration = null;
    Integer replication = null;
    Long shard = null;
    boolean isDefault = false;
    loop:
    while (true) {
      Tok o = scanIgnoreWhitespace();
      if (found.contains(o.tok())) {
        throw error("found duplicate " + o.tok().text + " option", o.pos());
      }
      switch (o.tok()) {
        case DURATION -> duration = parseDurationValue();
        case REPLICATION -> replication = parseInt(1, Integer.MAX_VALUE);
        case SHARD -> {
          Tok sd = scanIgnoreWhitespace();
          if (sd.tok() != Token.DURATION) {
            throw error(sd, List.of("DURATION"));
          }
          Tok inf = scanIgnoreWhitespace();
          if (inf.tok() == Token.INF) {
            throw error("invalid duration INF for shard duration", inf.pos());
          }
          unscan();
          shard = parseDurationValue();
        }
        case DEFAULT -> isDefault = true;
        default -> {
          if (found.isEmpty()) {
            throw error(o, List.of("DURATION", "REPLICATION", "SHARD", "DEFAULT"));
          }
          unscan();
          break loop;
        }
      }
      found.add(o.tok());
    }
    return new AlterRetentionPolicy(name, db, duration, replication, shard, isDefault);
  }

  // --- pieces ---

  private int parseInt(int min, int max) {
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.INTEGER) {
      throw error(t, List.of("integer"));
    }
    long n;
    try {
      n = Long.parseLong(t.lit());
    } catch (NumberFormatException e) {
      throw error("strconv.Atoi: parsing \"" + t.lit() + "\": value out of range", t.pos());
    }
    if (n < min || n > max) {
      throw error("invalid value " + n + ": must be " + min + " <= n <= " + max, t.pos());
    }
    return (int) n;
  }

  private long parseDurationValue() {
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.DURATIONVAL && t.tok() != Token.INF) {
      throw error(t, List.of("duration"));
    }
    if (t.tok() == Token.INF) {
      return 0;
    }
    try {
      return Durations.parse(t.lit());
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage(), t.pos());
    }
  }

  private String parseIdent() {
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.IDENT) {
      throw error(t, List.of("identifier"));
    }
    return t.lit();
  }

  private List<String> parseSegmentedIdents() {
    List<String> idents = new ArrayList<>();
    idents.add(parseIdent());
    while (true) {
      if (scan().tok() != Token.DOT) {
        unscan();
        break;
      }
      int ch = peekRune();
      if (ch == '/' || ch == ':') {
        break;
      } else if (ch == '.') {
        idents.add("");
        continue;
      }
      idents.add(parseIdent());
    }
    if (idents.size() > 3) {
      throw error("too many segments in " + quoteIdent(idents), new Pos(0, 0));
    }
    return idents;
  }

  /** influxql.QuoteIdent, as the "too many segments" error prints the name. */
  static String quoteIdent(List<String> segments) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      boolean quote = needsQuotes(seg) || (!last && !seg.isEmpty())
          || ((i == 0 || last) && seg.isEmpty());
      if (quote) {
        sb.append('"');
      }
      sb.append(seg.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
      if (quote) {
        sb.append('"');
      }
      if (!last) {
        sb.append('.');
      }
    }
    return sb.toString();
  }

  static boolean needsQuotes(String ident) {
    if (Token.lookup(ident) != Token.IDENT) {
      return true;
    }
    for (int i = 0; i < ident.length(); i++) {
      char c = ident.charAt(i);
      if (i == 0 ? !(Scanner.isLetter(c) || c == '_') : !Scanner.isIdentChar(c)) {
        return true;
      }
    }
    return false;
  }

  private List<Field> parseFields() {
    List<Field> fields = new ArrayList<>();
    while (true) {
      fields.add(parseField());
      if (scan().tok() != Token.COMMA) {
        unscan();
        break;
      }
    }
    return fields;
  }

  private Field parseField() {
    Expr expr = parseRegex();
    if (expr == null) {
      Tok first = scanIgnoreWhitespace();
      unscan();
      expr = expr();
      Token bad = invalidSelectOperator(expr);
      if (bad != null) {
        // Not a ParseError in influxql: no "at line" suffix of the usual kind is added twice.
        throw new QueryParseException("invalid operator " + bad.text
            + " in SELECT clause at line " + (first.pos().line() + 1) + ", char "
            + (first.pos().ch() + 1) + "; operator is intended for WHERE clause");
      }
    }
    String alias = null;
    if (scanIgnoreWhitespace().tok() == Token.AS) {
      alias = parseIdent();
    } else {
      unscan();
    }
    consumeWhitespace();
    return new Field(expr, alias);
  }

  private static Token invalidSelectOperator(Expr e) {
    if (e instanceof Binary b) {
      switch (b.op()) {
        case EQ, NEQ, EQREGEX, NEQREGEX, LT, LTE, GT, GTE, AND, OR:
          return b.op();
        default:
          Token l = invalidSelectOperator(b.lhs());
          return l != null ? l : invalidSelectOperator(b.rhs());
      }
    } else if (e instanceof Paren p) {
      return invalidSelectOperator(p.expr());
    } else if (e instanceof Call c) {
      for (Expr a : c.args()) {
        Token t = invalidSelectOperator(a);
        if (t != null) {
          return t;
        }
      }
    }
    return null;
  }

  /**
   * Measurements of a FROM clause; a parenthesized SELECT goes to {@code subqueries} when the
   * statement allows them (not null).
   */
  private List<Measurement> parseSources(List<Select> subqueries) {
    List<Measurement> sources = new ArrayList<>();
    while (true) {
      RegexLit re = parseRegex();
      Tok t = re != null ? null : scanIgnoreWhitespace();
      if (re != null) {
        sources.add(new Measurement(null, null, null, re));
      } else if (t.tok() == Token.LPAREN && subqueries != null) {
        Tok select = scanIgnoreWhitespace();
        if (select.tok() != Token.SELECT) {
          throw error(select, List.of("SELECT"));
        }
        subqueries.add(parseSelect());
        Tok rp = scanIgnoreWhitespace();
        if (rp.tok() != Token.RPAREN) {
          throw error(rp, List.of(")"));
        }
      } else {
        unscan();
        sources.add(parseSource());
      }
      if (scanIgnoreWhitespace().tok() != Token.COMMA) {
        unscan();
        break;
      }
    }
    return sources;
  }

  private Measurement parseSource() {
    RegexLit re = parseRegex();
    if (re != null) {
      return new Measurement(null, null, null, re);
    }
    List<String> idents = parseSegmentedIdents();
    if (idents.size() == 3) {
      return new Measurement(idents.get(0), idents.get(1), idents.get(2), null);
    }
    re = parseRegex();
    if (idents.size() == 1) {
      return re != null ? new Measurement(null, idents.get(0), null, re)
          : new Measurement(null, null, idents.get(0), null);
    }
    return re != null ? new Measurement(idents.get(0), idents.get(1), null, re)
        : new Measurement(null, idents.get(0), idents.get(1), null);
  }

  private Expr parseCondition() {
    if (scanIgnoreWhitespace().tok() != Token.WHERE) {
      unscan();
      return null;
    }
    return expr();
  }

  private List<Expr> parseDimensions() {
    if (scanIgnoreWhitespace().tok() != Token.GROUP) {
      unscan();
      return List.of();
    }
    Tok by = scanIgnoreWhitespace();
    if (by.tok() != Token.BY) {
      throw error(by, List.of("BY"));
    }
    List<Expr> dims = new ArrayList<>();
    while (true) {
      RegexLit re = parseRegex();
      if (re != null) {
        dims.add(re);
      } else {
        dims.add(expr());
        consumeWhitespace();
      }
      if (scan().tok() != Token.COMMA) {
        unscan();
        break;
      }
    }
    return dims;
  }

  private record FillSpec(Fill fill, Number value) {}

  private FillSpec parseFill() {
    Tok t = scanIgnoreWhitespace();
    unscan();
    if (t.tok() != Token.IDENT || !t.lit().toLowerCase(Locale.ROOT).equals("fill")) {
      return new FillSpec(Fill.NULL, null);
    }
    Expr e = expr();
    if (!(e instanceof Call c)) {
      throw new QueryParseException("fill must be a function call");
    }
    if (c.args().size() != 1) {
      throw new QueryParseException("fill requires an argument, e.g.: 0, null, none, previous, linear");
    }
    Expr arg = c.args().get(0);
    if (arg instanceof VarRef v && v.type() == null) {
      switch (v.name()) {
        case "null":
          return new FillSpec(Fill.NULL, null);
        case "none":
          return new FillSpec(Fill.NONE, null);
        case "previous":
          return new FillSpec(Fill.PREVIOUS, null);
        case "linear":
          return new FillSpec(Fill.LINEAR, null);
        default:
          break;
      }
    }
    if (arg instanceof IntegerLit i) {
      return new FillSpec(Fill.NUMBER, i.value());
    } else if (arg instanceof NumberLit n) {
      return new FillSpec(Fill.NUMBER, n.value());
    }
    throw new QueryParseException("expected number argument in fill()");
  }

  /** {@code tz('<IANA zone>')}, influxd's last clause of a SELECT; null without one. */
  private ZoneId parseLocation() {
    Tok t = scanIgnoreWhitespace();
    unscan();
    if (t.tok() != Token.IDENT || !t.lit().toLowerCase(Locale.ROOT).equals("tz")) {
      return null;
    }
    if (!(expr() instanceof Call tz)) {
      throw new QueryParseException("tz must be a function call");
    } else if (tz.args().size() != 1) {
      throw new QueryParseException("tz requires exactly one argument");
    } else if (!(tz.args().get(0) instanceof StringLit name)) {
      throw new QueryParseException("expected string argument in tz()");
    } else {
      return zone(name.value());
    }
  }

  /**
   * A zone as Go's time.LoadLocation names them: "" and "UTC" are UTC, "Local" the server's zone,
   * anything else a name of the IANA database (no bare offsets such as "+01:00").
   */
  static ZoneId zone(String name) {
    if (name.isEmpty() || name.equals("UTC")) {
      return ZoneOffset.UTC;
    } else if (name.equals("Local")) {
      return ZoneId.systemDefault();
    } else if (ZoneId.getAvailableZoneIds().contains(name)) {
      return ZoneId.of(name);
    }
    throw new QueryParseException("unable to find time zone " + name);
  }

  private int parseOptionalTokenAndInt(Token token) {
    if (scanIgnoreWhitespace().tok() != token) {
      unscan();
      return 0;
    }
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.INTEGER) {
      throw error(t, List.of("integer"));
    }
    long n;
    try {
      n = Long.parseLong(t.lit());
    } catch (NumberFormatException e) {
      n = Long.MAX_VALUE; // Go's ParseInt saturates at the maximum on overflow
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  /** ORDER BY; returns whether it asks for descending time. */
  private boolean parseOrderBy() {
    if (scanIgnoreWhitespace().tok() != Token.ORDER) {
      unscan();
      return false;
    }
    Tok by = scanIgnoreWhitespace();
    if (by.tok() != Token.BY) {
      throw error(by, List.of("BY"));
    }
    Tok t = scanIgnoreWhitespace();
    List<Boolean> ascending = new ArrayList<>();
    switch (t.tok()) {
      case ASC, DESC -> ascending.add(t.tok() == Token.ASC);
      case IDENT -> {
        unscan();
        boolean asc = parseSortField();
        if (!t.lit().equals("time")) {
          throw new QueryParseException("only ORDER BY time supported at this time");
        }
        ascending.add(asc);
      }
      default -> throw error(t, List.of("identifier", "ASC", "DESC"));
    }
    while (true) {
      if (scanIgnoreWhitespace().tok() != Token.COMMA) {
        unscan();
        break;
      }
      ascending.add(parseSortField());
    }
    if (ascending.size() > 1) {
      throw new QueryParseException("only ORDER BY time supported at this time");
    }
    return !ascending.get(0);
  }

  private boolean parseSortField() {
    parseIdent();
    Tok t = scanIgnoreWhitespace();
    if (t.tok() != Token.ASC && t.tok() != Token.DESC) {
      unscan();
      return true;
    }
    return t.tok() == Token.ASC;
  }

  private VarRef parseVarRef() {
    List<String> segments = parseSegmentedIdents();
    String type = null;
    if (scan().tok() == Token.DOUBLECOLON) {
      Tok t = scan();
      switch (t.tok()) {
        case IDENT -> {
          type = t.lit().toLowerCase(Locale.ROOT);
          if (!List.of("float", "integer", "unsigned", "string", "boolean").contains(type)) {
            throw error(t, List.of("float", "integer", "unsigned", "string", "boolean", "field", "tag"));
          }
        }
        case FIELD -> type = "field";
        case TAG -> type = "tag";
        default -> throw error(t, List.of("float", "integer", "string", "boolean", "field", "tag"));
      }
    } else {
      unscan();
    }
    return new VarRef(String.join(".", segments), type);
  }

  /** influxql's ParseExpr: operator precedence by re-rooting the right spine. */
  Expr expr() {
    Expr[] root = {unaryExpr()};
    // The tree is kept as mutable nodes while building, then frozen into records.
    Node top = new Node(null, null, null);
    top.rhs = Node.leaf(root[0]);
    while (true) {
      Tok op = scanIgnoreWhitespace();
      if (!op.tok().isOperator()) {
        unscan();
        return top.rhs.freeze();
      }
      Expr rhs;
      if (op.tok() == Token.EQREGEX || op.tok() == Token.NEQREGEX) {
        rhs = parseRegex();
        if (rhs == null) {
          throw error(scanIgnoreWhitespace(), List.of("regex"));
        }
      } else {
        rhs = unaryExpr();
      }
      for (Node node = top; ; ) {
        Node r = node.rhs;
        if (r.op == null || r.op.precedence() >= op.tok().precedence()) {
          node.rhs = new Node(op.tok(), r, Node.leaf(rhs));
          break;
        }
        node = r;
      }
    }
  }

  private static final class Node {
    Token op;
    Node lhs;
    Node rhs;
    Expr leaf;

    Node(Token op, Node lhs, Node rhs) {
      this.op = op;
      this.lhs = lhs;
      this.rhs = rhs;
    }

    static Node leaf(Expr e) {
      Node n = new Node(null, null, null);
      n.leaf = e;
      return n;
    }

    Expr freeze() {
      return op == null ? leaf : new Binary(op, lhs.freeze(), rhs.freeze());
    }
  }

  private Expr unaryExpr() {
    if (scanIgnoreWhitespace().tok() == Token.LPAREN) {
      Expr e = expr();
      Tok t = scanIgnoreWhitespace();
      if (t.tok() != Token.RPAREN) {
        throw error(t, List.of(")"));
      }
      return new Paren(e);
    }
    unscan();
    Tok t = scanIgnoreWhitespace();
    switch (t.tok()) {
      case IDENT: {
        if (scan().tok() == Token.LPAREN) {
          return parseCall(t.lit());
        }
        unscan();
        unscan();
        return parseVarRef();
      }
      case DISTINCT: {
        Tok t0 = scan();
        if (t0.tok() == Token.LPAREN) {
          return parseCall("distinct");
        } else if (t0.tok() == Token.WS) {
          Tok t1 = scanIgnoreWhitespace();
          if (t1.tok() != Token.IDENT) {
            throw error(t1, List.of("identifier"));
          }
          return new Distinct(t1.lit());
        }
        throw error(t0, List.of("(", "identifier"));
      }
      case STRING:
        return new StringLit(t.lit());
      case NUMBER:
        try {
          return new NumberLit(Double.parseDouble(t.lit()));
        } catch (NumberFormatException e) {
          throw error("unable to parse number", t.pos());
        }
      case INTEGER:
        try {
          return new IntegerLit(Long.parseLong(t.lit()));
        } catch (NumberFormatException e) {
          throw error("unable to parse integer", t.pos());
        }
      case TRUE, FALSE:
        return new BoolLit(t.tok() == Token.TRUE);
      case DURATIONVAL:
        try {
          return new DurationLit(Durations.parse(t.lit()));
        } catch (IllegalArgumentException e) {
          throw new QueryParseException(e.getMessage());
        }
      case MUL: {
        if (scan().tok() == Token.DOUBLECOLON) {
          Tok t1 = scan();
          if (t1.tok() == Token.FIELD || t1.tok() == Token.TAG) {
            return new Wildcard(t1.tok());
          }
          throw error(t1, List.of("field", "tag"));
        }
        unscan();
        return new Wildcard(null);
      }
      case BOUNDPARAM: {
        String k = t.lit().substring(1);
        throw new QueryParseException(k.isEmpty() ? "empty bound parameter" : "missing parameter: " + k);
      }
      case ADD, SUB: {
        int mul = t.tok() == Token.SUB ? -1 : 1;
        Tok t0 = scanIgnoreWhitespace();
        switch (t0.tok()) {
          case NUMBER, INTEGER, DURATIONVAL, LPAREN, IDENT: {
            unscan();
            Expr lit = unaryExpr();
            if (lit instanceof NumberLit n) {
              return new NumberLit(n.value() * mul);
            } else if (lit instanceof IntegerLit i) {
              return new IntegerLit(i.value() * mul);
            } else if (lit instanceof DurationLit d) {
              return new DurationLit(d.nanos() * mul);
            }
            return new Binary(Token.MUL, new IntegerLit(mul), lit);
          }
          default:
            throw error(t0, List.of("identifier", "number", "duration", "("));
        }
      }
      default:
        throw error(t, List.of("identifier", "string", "number", "bool"));
    }
  }

  private RegexLit parseRegex() {
    int next = peekRune();
    if (Scanner.isWhitespace(next)) {
      consumeWhitespace();
    }
    next = peekRune();
    if (next != '/') {
      return null;
    }
    Tok t = scanWith(true);
    if (t.tok() == Token.BADESCAPE) {
      throw error("bad escape: " + t.lit(), t.pos());
    } else if (t.tok() == Token.BADREGEX) {
      throw error("bad regex: " + t.lit(), t.pos());
    }
    try {
      return new RegexLit(Pattern.compile(t.lit()), t.lit());
    } catch (PatternSyntaxException e) {
      throw error("error parsing regexp: " + e.getDescription(), t.pos());
    }
  }

  private Call parseCall(String rawName) {
    String name = rawName.toLowerCase(Locale.ROOT);
    List<Expr> args = new ArrayList<>();
    RegexLit re = parseRegex();
    if (re != null) {
      args.add(re);
    } else {
      if (scan().tok() == Token.RPAREN) {
        return new Call(name, List.of());
      }
      unscan();
      args.add(expr());
    }
    while (true) {
      if (scanIgnoreWhitespace().tok() != Token.COMMA) {
        unscan();
        break;
      }
      re = parseRegex();
      if (re != null) {
        args.add(re);
        continue;
      }
      args.add(expr());
    }
    Tok t = scan();
    if (t.tok() != Token.RPAREN) {
      throw error(t, List.of(")"));
    }
    return new Call(name, List.copyOf(args));
  }
}
