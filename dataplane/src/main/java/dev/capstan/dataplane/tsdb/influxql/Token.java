package dev.capstan.dataplane.tsdb.influxql;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * InfluxQL tokens, in influxql's order; {@link #text} is what influxd prints for the token in a
 * parse error ("found FROM, expected ...").
 */
enum Token {
  ILLEGAL("ILLEGAL"), EOF("EOF"), WS("WS"), COMMENT(""),
  IDENT("IDENT"), BOUNDPARAM(""), NUMBER("NUMBER"), INTEGER(""), DURATIONVAL("DURATIONVAL"),
  STRING("STRING"), BADSTRING("BADSTRING"), BADESCAPE("BADESCAPE"), TRUE("TRUE"), FALSE("FALSE"),
  REGEX("REGEX"), BADREGEX(""),
  ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), BITWISE_AND("&"), BITWISE_OR("|"),
  BITWISE_XOR("^"), AND("AND"), OR("OR"), EQ("="), NEQ("!="), EQREGEX("=~"), NEQREGEX("!~"),
  LT("<"), LTE("<="), GT(">"), GTE(">="),
  LPAREN("("), RPAREN(")"), COMMA(","), COLON(":"), DOUBLECOLON("::"), SEMICOLON(";"), DOT("."),
  ALL, ALTER, ANALYZE, ANY, AS, ASC, BEGIN, BY, CARDINALITY, CREATE, CONTINUOUS, DATABASE,
  DATABASES, DEFAULT, DELETE, DESC, DESTINATIONS, DIAGNOSTICS, DISTINCT, DROP, DURATION, END,
  EVERY, EXACT, EXPLAIN, FIELD, FOR, FROM, GRANT, GRANTS, GROUP, GROUPS, IN, INF, INSERT, INTO,
  KEY, KEYS, KILL, LIMIT, MEASUREMENT, MEASUREMENTS, NAME, OFFSET, ON, ORDER, PASSWORD, POLICY,
  POLICIES, PRIVILEGES, QUERIES, QUERY, READ, REPLICATION, RESAMPLE, RETENTION, REVOKE, SELECT,
  SERIES, SET, SHOW, SHARD, SHARDS, SLIMIT, SOFFSET, STATS, SUBSCRIPTION, SUBSCRIPTIONS, TAG, TO,
  USER, USERS, VALUES, WHERE, WITH, WRITE;

  private static final Map<String, Token> KEYWORDS = new HashMap<>();

  static {
    for (Token t : values()) {
      if (t.ordinal() >= ALL.ordinal()) {
        KEYWORDS.put(t.name().toLowerCase(Locale.ROOT), t);
      }
    }
    KEYWORDS.put("and", AND);
    KEYWORDS.put("or", OR);
    KEYWORDS.put("true", TRUE);
    KEYWORDS.put("false", FALSE);
  }

  final String text;

  Token() {
    this.text = name();
  }

  Token(String text) {
    this.text = text;
  }

  static Token lookup(String ident) {
    return KEYWORDS.getOrDefault(ident.toLowerCase(Locale.ROOT), IDENT);
  }

  boolean isOperator() {
    return ordinal() >= ADD.ordinal() && ordinal() <= GTE.ordinal();
  }

  int precedence() {
    return switch (this) {
      case OR -> 1;
      case AND -> 2;
      case EQ, NEQ, EQREGEX, NEQREGEX, LT, LTE, GT, GTE -> 3;
      case ADD, SUB, BITWISE_OR, BITWISE_XOR -> 4;
      case MUL, DIV, MOD, BITWISE_AND -> 5;
      default -> 0;
    };
  }

  /** influxql's tokstr: the literal when there is one, else the token's text. */
  static String describe(Token tok, String lit) {
    return lit != null && !lit.isEmpty() ? lit : tok.text;
  }
}
