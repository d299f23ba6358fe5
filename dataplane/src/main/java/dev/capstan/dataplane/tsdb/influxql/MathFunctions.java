package dev.capstan.dataplane.tsdb.influxql;

import java.util.List;
import java.util.Set;

/**
 * InfluxQL's math functions (abs, round, sqrt, pow, log, sin, ...), applied to a row's values
 * or to an aggregate's result like arithmetic is: {@code round(mean(v))}. As in influxd 1.6.7,
 * abs, ceil, floor and round keep integers integers, every other function answers a float, a
 * result that is not a number (NaN, infinity) is null, and so is any result of a null or
 * non-numeric argument.
 */
final class MathFunctions {
  private MathFunctions() {}

  private static final Set<String> ONE_ARGUMENT = Set.of("abs", "sin", "cos", "tan", "asin", "acos",
      "atan", "exp", "ln", "log2", "log10", "sqrt", "ceil", "floor", "round");
  private static final Set<String> TWO_ARGUMENTS = Set.of("atan2", "log", "pow");

  static boolean isMath(String name) {
    return ONE_ARGUMENT.contains(name) || TWO_ARGUMENTS.contains(name);
  }

  /** influxd's argument-count error, or null when the count is right. */
  static String checkArity(String name, int count) {
    int expected = TWO_ARGUMENTS.contains(name) ? 2 : 1;
    return count == expected ? null
        : "invalid number of arguments for " + name + ", expected " + expected + ", got " + count;
  }

  static Object apply(String name, List<Object> args) {
    if (args.size() != (TWO_ARGUMENTS.contains(name) ? 2 : 1)) {
      throw new Eval.QueryError(checkArity(name, args.size()));
    }
    Object a = args.get(0);
    if (a instanceof Long l) {
      switch (name) {
        case "abs":
          return Math.abs(l);
        case "ceil", "floor", "round":
          return l;
        default:
          break;
      }
    }
    if (!(a instanceof Number x)) {
      return null;
    }
    double v = x.doubleValue();
    double r;
    if (TWO_ARGUMENTS.contains(name)) {
      if (!(args.get(1) instanceof Number y)) {
        return null;
      }
      double w = y.doubleValue();
      r = switch (name) {
        case "atan2" -> Math.atan2(v, w);
        case "log" -> Math.log(v) / Math.log(w);
        default -> Math.pow(v, w);
      };
    } else {
      r = switch (name) {
        case "abs" -> Math.abs(v);
        case "sin" -> Math.sin(v);
        case "cos" -> Math.cos(v);
        case "tan" -> Math.tan(v);
        case "asin" -> Math.asin(v);
        case "acos" -> Math.acos(v);
        case "atan" -> Math.atan(v);
        case "exp" -> Math.exp(v);
        case "ln" -> Math.log(v);
        case "log2" -> Math.log(v) / Math.log(2);
        case "log10" -> Math.log10(v);
        case "sqrt" -> Math.sqrt(v);
        case "ceil" -> Math.ceil(v);
        case "floor" -> Math.floor(v);
        default -> roundHalfAwayFromZero(v);
      };
    }
    return Double.isNaN(r) || Double.isInfinite(r) ? null : r;
  }

  /** Go's math.Round: halves away from zero (Java's Math.round sends -2.5 to -2). */
  static double roundHalfAwayFromZero(double v) {
    double a = Math.abs(v);
    double t = Math.floor(a);
    if (a - t >= 0.5) {
      t += 1;
    }
    return Math.copySign(t, v);
  }
}
