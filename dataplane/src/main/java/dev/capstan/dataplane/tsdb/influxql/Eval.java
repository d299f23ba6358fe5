package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.influxql.Ast.*;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Expression evaluation with influxql's rules: typed arithmetic, nulls, time literals. */
final class Eval {
  private Eval() {}

  static final long MIN_TIME = Long.MIN_VALUE + 2;
  static final long MAX_TIME = Long.MAX_VALUE - 1;

  /** Thrown for a statement that cannot run; the message is influxd's. */
  static final class QueryError extends RuntimeException {
    QueryError(String message) {
      super(message);
    }
  }

  /** Tri-state for evaluating conditions with some inputs not known yet. */
  enum Tri { TRUE, FALSE, UNKNOWN }

  static boolean isTimeRef(Expr e) {
    return e instanceof VarRef v && v.name().equalsIgnoreCase("time");
  }

  static Expr unparen(Expr e) {
    while (e instanceof Paren p) {
      e = p.expr();
    }
    return e;
  }

  /** The time, in ns, that a literal or {@code now() - 1h}-style expression stands for. */
  static long timeValue(Expr e, long now) {
    e = unparen(e);
    if (e instanceof IntegerLit i) {
      return i.value();
    } else if (e instanceof NumberLit n) {
      return (long) n.value();
    } else if (e instanceof DurationLit d) {
      return d.nanos();
    } else if (e instanceof StringLit s) {
      return parseTime(s.value());
    } else if (e instanceof Call c && c.name().equals("now") && c.args().isEmpty()) {
      return now;
    } else if (e instanceof Binary b && (b.op() == Token.ADD || b.op() == Token.SUB)) {
      long l = timeValue(b.lhs(), now);
      long r = timeValue(b.rhs(), now);
      return b.op() == Token.ADD ? l + r : l - r;
    }
    throw new QueryError("invalid time comparison: " + e);
  }

  private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");

  static long parseTime(String s) {
    return parseTime(s, ZoneOffset.UTC);
  }

  /**
   * A time literal ({@code '2026-03-29'}, {@code '2026-03-29 02:30:00'}, RFC3339); one without an
   * offset is wall-clock time in {@code zone} (the statement's {@code tz()}), as in influxd.
   */
  static long parseTime(String s, ZoneId zone) {
    try {
      if (DATE.matcher(s).matches()) {
        return Math.multiplyExact(LocalDate.parse(s).atStartOfDay(zone).toEpochSecond(), 1_000_000_000L);
      }
      String t = s.replace(' ', 'T');
      OffsetDateTime odt = t.endsWith("Z") || t.matches(".*[+-]\\d{2}:\\d{2}$")
          ? OffsetDateTime.parse(t)
          : LocalDateTime.parse(t).atZone(zone).toOffsetDateTime();
      return Math.addExact(Math.multiplyExact(odt.toEpochSecond(), 1_000_000_000L), odt.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new QueryError("invalid operation: time and *influxql.StringLiteral are not compatible");
    }
  }

  /**
   * The condition with every string literal compared with {@code time} replaced by the instant
   * it names in {@code zone}, so that the rest of a statement reads times zone-free.
   */
  static Expr resolveTimeLiterals(Expr e, ZoneId zone) {
    if (e instanceof Paren p) {
      return new Paren(resolveTimeLiterals(p.expr(), zone));
    } else if (e instanceof Binary b) {
      if (b.op() == Token.AND || b.op() == Token.OR) {
        return new Binary(b.op(), resolveTimeLiterals(b.lhs(), zone), resolveTimeLiterals(b.rhs(), zone));
      } else if (isTimeRef(unparen(b.lhs()))) {
        return new Binary(b.op(), b.lhs(), timeLiterals(b.rhs(), zone));
      } else if (isTimeRef(unparen(b.rhs()))) {
        return new Binary(b.op(), timeLiterals(b.lhs(), zone), b.rhs());
      }
    }
    return e;
  }

  private static Expr timeLiterals(Expr e, ZoneId zone) {
    if (e instanceof StringLit s) {
      return new IntegerLit(parseTime(s.value(), zone));
    } else if (e instanceof Paren p) {
      return new Paren(timeLiterals(p.expr(), zone));
    } else if (e instanceof Binary b && (b.op() == Token.ADD || b.op() == Token.SUB)) {
      return new Binary(b.op(), timeLiterals(b.lhs(), zone), timeLiterals(b.rhs(), zone));
    }
    return e;
  }

  /** Evaluates a value expression; {@code refs} resolves names (tags, fields, call results). */
  static Object value(Expr e, Function<Expr, Object> refs) {
    if (e instanceof Paren p) {
      return value(p.expr(), refs);
    } else if (e instanceof Call c && MathFunctions.isMath(c.name())) {
      List<Object> args = new ArrayList<>(c.args().size());
      for (Expr a : c.args()) {
        args.add(value(a, refs));
      }
      return MathFunctions.apply(c.name(), args);
    } else if (e instanceof VarRef || e instanceof Call || e instanceof Distinct) {
      return refs.apply(e);
    } else if (e instanceof NumberLit n) {
      return n.value();
    } else if (e instanceof IntegerLit i) {
      return i.value();
    } else if (e instanceof StringLit s) {
      return s.value();
    } else if (e instanceof BoolLit b) {
      return b.value();
    } else if (e instanceof DurationLit d) {
      return d.nanos();
    } else if (e instanceof Binary b) {
      if (b.op() == Token.AND || b.op() == Token.OR) {
        Object l = value(b.lhs(), refs);
        Object r = value(b.rhs(), refs);
        boolean lb = Boolean.TRUE.equals(l);
        boolean rb = Boolean.TRUE.equals(r);
        return b.op() == Token.AND ? lb && rb : lb || rb;
      }
      if (b.op() == Token.EQREGEX || b.op() == Token.NEQREGEX) {
        Object l = value(b.lhs(), refs);
        if (!(b.rhs() instanceof RegexLit re) || !(l instanceof String s)) {
          return false;
        }
        boolean m = re.pattern().matcher(s).find();
        return b.op() == Token.EQREGEX ? m : !m;
      }
      return binary(b.op(), value(b.lhs(), refs), value(b.rhs(), refs));
    }
    return null;
  }

  static Object binary(Token op, Object l, Object r) {
    if (l == null || r == null) {
      return switch (op) {
        case EQ, NEQ, LT, LTE, GT, GTE -> false;
        default -> null;
      };
    }
    if (l instanceof Long a && r instanceof Long b) {
      long x = a;
      long y = b;
      return switch (op) {
        case ADD -> x + y;
        case SUB -> x - y;
        case MUL -> x * y;
        case DIV -> y == 0 ? (Object) 0.0 : (Object) ((double) x / (double) y);
        case MOD -> y == 0 ? (Object) 0L : (Object) (x % y);
        case BITWISE_AND -> x & y;
        case BITWISE_OR -> x | y;
        case BITWISE_XOR -> x ^ y;
        case EQ -> x == y;
        case NEQ -> x != y;
        case LT -> x < y;
        case LTE -> x <= y;
        case GT -> x > y;
        case GTE -> x >= y;
        default -> null;
      };
    }
    if (l instanceof Number a && r instanceof Number b) {
      double x = a.doubleValue();
      double y = b.doubleValue();
      return switch (op) {
        case ADD -> x + y;
        case SUB -> x - y;
        case MUL -> x * y;
        case DIV -> y == 0 ? 0.0 : x / y;
        case MOD -> y == 0 ? 0.0 : x % y;
        case EQ -> x == y;
        case NEQ -> x != y;
        case LT -> x < y;
        case LTE -> x <= y;
        case GT -> x > y;
        case GTE -> x >= y;
        default -> null;
      };
    }
    if (l instanceof String a && r instanceof String b) {
      int c = a.compareTo(b);
      return switch (op) {
        case ADD -> a + b;
        case EQ -> c == 0;
        case NEQ -> c != 0;
        case LT -> c < 0;
        case LTE -> c <= 0;
        case GT -> c > 0;
        case GTE -> c >= 0;
        default -> null;
      };
    }
    if (l instanceof Boolean a && r instanceof Boolean b) {
      return switch (op) {
        case EQ -> a.equals(b);
        case NEQ -> !a.equals(b);
        case BITWISE_AND -> a & b;
        case BITWISE_OR -> a | b;
        case BITWISE_XOR -> a ^ b;
        default -> null;
      };
    }
    return switch (op) {
      case EQ, LT, LTE, GT, GTE -> false;
      case NEQ -> true;
      default -> null;
    };
  }
}
