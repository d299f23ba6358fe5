package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.influxql.Ast.*;
import dev.capstan.dataplane.tsdb.influxql.Eval.QueryError;
import dev.capstan.dataplane.tsdb.influxql.Eval.Tri;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Runs one SELECT: resolves sources and wildcards per measurement, reads the needed fields of
 * the matching series from the store, and either lists raw rows or feeds aggregates bucket by
 * bucket, straight from the blocks' arrays.
 */
final class SelectEngine {
  private static final Set<String> SELECTORS =
      Set.of("first", "last", "min", "max", "percentile", "top", "bottom", "sample");
  private static final Set<String> AGGREGATES = Set.of("count", "sum", "mean", "median", "mode", "min",
      "max", "first", "last", "spread", "stddev", "percentile", "top", "bottom", "sample", "distinct", "integral");
  private static final int MAX_BUCKETS = 1 << 22;
  /** Calls that answer several points per bucket, each on a row of its own. */
  private static final Set<String> MULTI_ROW = Set.of("top", "bottom", "distinct", "sample");
  /** holt_winters keeps its forecast in memory: as many points as the buckets a query may have. */
  private static final long MAX_FORECAST = MAX_BUCKETS;
  /** Functions over the stream of another's points, run by {@link Transform}. */
  static final Set<String> TRANSFORMS = Set.of("derivative", "non_negative_derivative",
      "difference", "non_negative_difference", "moving_average", "cumulative_sum", "elapsed",
      "exponential_moving_average", "double_exponential_moving_average", "triple_exponential_moving_average",
      "relative_strength_index", "triple_exponential_derivative", "kaufmans_efficiency_ratio",
      "kaufmans_adaptive_moving_average", "chande_momentum_oscillator", "holt_winters", "holt_winters_with_fit");

  private final TsdbStore store;
  private final long now;
  /** Throws once the query was killed; called per measurement and per series. */
  private final Runnable checkpoint;

  SelectEngine(TsdbStore store, long now, Runnable checkpoint) {
    this.store = store;
    this.now = now;
    this.checkpoint = checkpoint;
  }

  /** A field after wildcard expansion, with its output column name. */
  private record OutputColumn(Expr expr, String name) {}

  /**
   * The calls of an aggregate query: each distinct call once, by its text. {@code unit}: the
   * unit of integral() in ns.
   */
  private record CallSpec(Call call, String function, String field, double percentile, int n, long unit,
      List<String> tags) {
    CallSpec(Call call, String function, String field, double percentile, int n) {
      this(call, function, field, percentile, n, 0, List.of());
    }

    CallSpec(Call call, String function, String field, double percentile, int n, long unit) {
      this(call, function, field, percentile, n, unit, List.of());
    }
  }

  List<SeriesRow> run(Select s, String defaultDb, String defaultRp) {
    validate(s);
    if (s.zone() != null && s.condition() != null) {
      s = s.with(Eval.resolveTimeLiterals(s.condition(), s.zone()), s.dimensions());
    }
    List<SeriesRow> out = new ArrayList<>();
    Map<String, List<Measurement>> byDb = new LinkedHashMap<>();
    for (Measurement m : s.sources()) {
      String db = m.database() != null && !m.database().isEmpty() ? m.database() : defaultDb;
      if (db == null || db.isEmpty()) {
        throw new QueryError("database name required");
      }
      byDb.computeIfAbsent(db, k -> new ArrayList<>()).add(m);
    }
    long[] range = timeRange(s.condition());
    for (Map.Entry<String, List<Measurement>> e : byDb.entrySet()) {
      String db = e.getKey();
      if (!store.databases().contains(db)) {
        throw new QueryError("database not found: " + db);
      }
      TreeMap<String, String> names = new TreeMap<>(); // measurement -> rp
      Set<String> all = store.measurements(db);
      for (Measurement m : e.getValue()) {
        String rp = m.retentionPolicy() != null && !m.retentionPolicy().isEmpty()
            ? m.retentionPolicy() : defaultRp;
        if (rp != null && store.retentionPolicies(db).stream().noneMatch(p -> p.name().equals(rp))) {
          throw new QueryError("retention policy not found: " + rp);
        }
        if (m.regex() != null) {
          for (String name : all) {
            if (m.regex().pattern().matcher(name).find()) {
              names.put(name, rp == null ? "" : rp);
            }
          }
        } else if (all.contains(m.name())) {
          names.put(m.name(), rp == null ? "" : rp);
        }
      }
      // Wildcards expand to the union of all sources' keys, as in influxd.
      TreeMap<String, FieldType> unionFields = new TreeMap<>();
      TreeSet<String> unionTags = new TreeSet<>();
      for (String name : names.keySet()) {
        store.fieldKeys(db, name).forEach(unionFields::putIfAbsent);
        for (SeriesKey k : store.series(db, name)) {
          unionTags.addAll(k.tags().keySet());
        }
      }
      // Under ORDER BY time DESC influxd walks measurements, like series, last first.
      for (Map.Entry<String, String> n : (s.descending() ? names.descendingMap() : names).entrySet()) {
        out.addAll(runMeasurement(s, db, n.getValue().isEmpty() ? null : n.getValue(), n.getKey(),
            range, unionFields, unionTags));
      }
    }
    if (s.soffset() > 0 || s.slimit() > 0) {
      // influxd picks the series in ascending order, then answers them last first under DESC.
      if (s.descending()) {
        Collections.reverse(out);
      }
      int from = Math.min(out.size(), s.soffset());
      int to = s.slimit() > 0 ? Math.min(out.size(), from + s.slimit()) : out.size();
      out = new ArrayList<>(out.subList(from, to));
      if (s.descending()) {
        Collections.reverse(out);
      }
    }
    return out;
  }

  // ---------- validation ----------

  /** Whether a SELECT calls an aggregate, selector or transformation (math functions aside). */
  static boolean isAggregate(Select s) {
    List<Call> calls = new ArrayList<>();
    s.fields().forEach(f -> collectCalls(f.expr(), calls));
    return !calls.isEmpty();
  }

  private static void collectCalls(Expr e, List<Call> calls) {
    e = Eval.unparen(e);
    if (e instanceof Call c && MathFunctions.isMath(c.name())) {
      c.args().forEach(a -> collectCalls(a, calls));
    } else if (e instanceof Call c) {
      calls.add(c);
    } else if (e instanceof Binary b) {
      collectCalls(b.lhs(), calls);
      collectCalls(b.rhs(), calls);
    } else if (e instanceof Distinct d) {
      calls.add(new Call("distinct", List.of(new VarRef(d.name(), null))));
    }
  }

  private static void collectRefs(Expr e, List<VarRef> refs) {
    e = Eval.unparen(e);
    if (e instanceof VarRef v) {
      refs.add(v);
    } else if (e instanceof Binary b) {
      collectRefs(b.lhs(), refs);
      collectRefs(b.rhs(), refs);
    } else if (e instanceof Call c) {
      for (Expr a : c.args()) {
        collectRefs(a, refs);
      }
    }
  }

  private static void collectOuterRefs(Expr e, List<Expr> refs) {
    e = Eval.unparen(e);
    if (e instanceof Call c && MathFunctions.isMath(c.name())) {
      c.args().forEach(a -> collectOuterRefs(a, refs));
    } else if (e instanceof VarRef || e instanceof Wildcard || e instanceof RegexLit) {
      refs.add(e);
    } else if (e instanceof Binary b) {
      collectOuterRefs(b.lhs(), refs);
      collectOuterRefs(b.rhs(), refs);
    }
  }

  /** Math functions take a fixed number of arguments; influxd checks it before anything else. */
  private static void checkMathArity(Expr e) {
    e = Eval.unparen(e);
    if (e instanceof Call c) {
      if (MathFunctions.isMath(c.name())) {
        String error = MathFunctions.checkArity(c.name(), c.args().size());
        if (error != null) {
          throw new QueryError(error);
        }
      }
      c.args().forEach(SelectEngine::checkMathArity);
    } else if (e instanceof Binary b) {
      checkMathArity(b.lhs());
      checkMathArity(b.rhs());
    }
  }

  private void validate(Select s) {
    s.fields().forEach(f -> checkMathArity(f.expr()));
    List<Call> calls = new ArrayList<>();
    List<Expr> outer = new ArrayList<>();
    for (Field f : s.fields()) {
      collectCalls(f.expr(), calls);
      collectOuterRefs(f.expr(), outer);
    }
    for (Call c : calls) {
      if (c.name().equals("top") || c.name().equals("bottom")) {
        if (calls.size() > 1) {
          throw new QueryError("selector function " + c.name() + "() cannot be combined with other functions");
        }
        if (s.limit() > 0 && !c.args().isEmpty() && c.args().get(c.args().size() - 1) instanceof IntegerLit n
            && n.value() > s.limit()) {
          throw new QueryError("limit (" + n.value() + ") in " + c.name()
              + " function can not be larger than the LIMIT (" + s.limit() + ") in the select statement");
        }
      }
      if (c.name().equals("sample") && calls.size() > 1
          && calls.stream().noneMatch(o -> o.name().equals("top") || o.name().equals("bottom"))) {
        // influxd answers such a query with rows of each function that do not line up.
        throw new QueryError("sample() beside other functions is not supported by Capstan; query it on its own");
      }
      if (c.name().equals("distinct") && (calls.size() > 1 || !outer.isEmpty())) {
        throw new QueryError("aggregate function distinct() cannot be combined with other functions or fields");
      }
    }
    if (!calls.isEmpty() && !outer.isEmpty()) {
      boolean selectorAlone = calls.size() == 1 && SELECTORS.contains(calls.get(0).name());
      if (!selectorAlone) {
        throw new QueryError("mixing aggregate and non-aggregate queries is not supported");
      }
    }
    for (Call c : calls) {
      if (!isWildcardCall(c)) {
        callSpec(c);
      }
    }
    boolean groupByTime = s.dimensions().stream().anyMatch(d -> Eval.unparen(d) instanceof Call);
    if (calls.isEmpty() && groupByTime) {
      throw new QueryError("GROUP BY requires at least one aggregate function");
    }
    boolean rawTransform = false;
    boolean aggregate = false;
    for (Call c : calls) {
      if (!TRANSFORMS.contains(c.name())) {
        aggregate = true;
        continue;
      }
      Expr inner = Eval.unparen(c.args().get(0));
      rawTransform |= !(inner instanceof Call);
      if (inner instanceof Call ic && (ic.name().equals("top") || ic.name().equals("bottom"))) {
        throw new QueryError("selector function " + ic.name() + "() cannot be combined with other functions");
      }
      if (inner instanceof Call && !groupByTime) {
        throw new QueryError(c.name() + " aggregate requires a GROUP BY interval");
      }
      if (inner instanceof Call ic && ic.name().equals("sample")) {
        throw new QueryError(c.name() + "(sample()) is not supported by Capstan");
      }
      if (!(inner instanceof Call) && groupByTime) {
        throw new QueryError("aggregate function required inside the call to " + c.name());
      }
    }
    if (rawTransform && aggregate) {
      // influxd answers such a statement with the aggregate's row at time 0 among the
      // transformation's rows; Capstan computes one kind per statement.
      throw new QueryError("a transformation of raw values beside an aggregate is not supported"
          + " by Capstan: query them in two statements");
    }
  }

  /**
   * The transformation a call asks for, with influxd's argument errors. {@code groupInterval}
   * is the GROUP BY time interval (0 without): derivative's default unit over buckets.
   */
  static Transform transformOf(Call c, long groupInterval) {
    String name = c.name();
    List<Expr> args = c.args();
    switch (name) {
      case "derivative", "non_negative_derivative", "elapsed": {
        if (args.isEmpty() || args.size() > 2) {
          throw new QueryError("invalid number of arguments for " + name
              + ", expected at least 1 but no more than 2, got " + args.size());
        }
        long unit;
        if (args.size() == 2) {
          if (!(args.get(1) instanceof DurationLit d)) {
            throw new QueryError("second argument to " + name + " must be a duration, got "
                + goType(args.get(1)));
          }
          if (d.nanos() <= 0) {
            throw new QueryError("duration argument must be positive, got "
                + (d.nanos() < 0 ? "-" + Durations.formatInfluxQl(-d.nanos()) : "0s"));
          }
          unit = d.nanos();
        } else if (name.equals("elapsed")) {
          unit = 1;
        } else {
          // Verified against influxd 1.6.7: over GROUP BY time buckets the unit is the interval.
          unit = groupInterval > 0 ? groupInterval : Durations.S;
        }
        return name.equals("elapsed") ? new Transform.Elapsed(unit)
            : new Transform.Derivative(unit, name.startsWith("non_negative"));
      }
      case "moving_average": {
        if (args.size() != 2) {
          throw new QueryError("invalid number of arguments for moving_average, expected 2, got " + args.size());
        }
        if (!(args.get(1) instanceof IntegerLit n)) {
          throw new QueryError("second argument for moving_average must be an integer, got " + goType(args.get(1)));
        }
        if (n.value() <= 1) {
          throw new QueryError("moving_average window must be greater than 1, got " + n.value());
        }
        // A window wider than any list of points yields nothing, as in influxd.
        return new Transform.MovingAverage((int) Math.min(n.value(), Integer.MAX_VALUE));
      }
      case "exponential_moving_average", "double_exponential_moving_average", "triple_exponential_moving_average",
          "relative_strength_index", "triple_exponential_derivative", "kaufmans_efficiency_ratio",
          "kaufmans_adaptive_moving_average", "chande_momentum_oscillator":
        return technicalIndicator(name, args);
      case "holt_winters", "holt_winters_with_fit": {
        if (args.size() != 3) {
          throw new QueryError("invalid number of arguments for " + name + ", expected 3, got " + args.size());
        }
        if (!(args.get(1) instanceof IntegerLit n)) {
          throw new QueryError("expected integer argument as second arg in " + name);
        }
        if (n.value() <= 0) {
          throw new QueryError("second arg to " + name + " must be greater than 0, got " + n.value());
        }
        if (!(args.get(2) instanceof IntegerLit season)) {
          throw new QueryError("expected integer argument as third arg in " + name);
        }
        if (season.value() < 0) {
          throw new QueryError("third arg to " + name + " cannot be negative, got " + season.value());
        }
        if (!(Eval.unparen(args.get(0)) instanceof Call)) {
          throw new QueryError("must use aggregate function with " + name);
        }
        if (n.value() > MAX_FORECAST || season.value() > MAX_FORECAST) {
          throw new QueryError(name + " forecasts at most " + MAX_FORECAST + " intervals with a season of at most as many"
              + " in Capstan; got " + n.value() + " and " + season.value());
        }
        return new Transform.HoltWintersForecast((int) n.value(), (int) season.value(), name.endsWith("_fit"),
            groupInterval);
      }
      default: {
        if (args.size() != 1) {
          throw new QueryError("invalid number of arguments for " + name + ", expected 1, got " + args.size());
        }
        return name.equals("cumulative_sum") ? new Transform.CumulativeSum()
            : new Transform.Difference(name.equals("non_negative_difference"));
      }
    }
  }

  /** {@code f(field, period[, hold_period[, warmup_type]])}, checked as influxd's compiler checks it. */
  private static Transform technicalIndicator(String name, List<Expr> args) {
    boolean kaufmans = name.startsWith("kaufmans_");
    boolean momentum = name.equals("chande_momentum_oscillator");
    int maxArgs = kaufmans ? 3 : 4;
    if (args.size() < 2 || args.size() > maxArgs) {
      throw new QueryError("invalid number of arguments for " + name + ", expected at least 2 but no more than "
          + maxArgs + ", got " + args.size());
    }
    if (!(args.get(1) instanceof IntegerLit period)) {
      throw new QueryError(name + " period must be an integer");
    }
    if (period.value() < 1) {
      throw new QueryError(name + " period must be greater than or equal to 1");
    }
    long hold = -1;
    if (args.size() >= 3) {
      if (!(args.get(2) instanceof IntegerLit h)) {
        throw new QueryError(name + " hold period must be an integer");
      }
      if (name.equals("triple_exponential_derivative") && h.value() < 1 && h.value() != -1) {
        throw new QueryError(name + " hold period must be greater than or equal to 1");
      }
      if (h.value() < 0 && h.value() != -1) {
        throw new QueryError(name + " hold period must be greater than or equal to 0");
      }
      hold = h.value();
    }
    Indicators.Warmup warmup = momentum ? Indicators.Warmup.NONE : Indicators.Warmup.EXPONENTIAL;
    if (args.size() >= 4) {
      if (!(args.get(3) instanceof StringLit type)) {
        throw new QueryError(name + " warmup type must be a string");
      }
      warmup = switch (type.value()) {
        case "exponential" -> Indicators.Warmup.EXPONENTIAL;
        case "simple" -> Indicators.Warmup.SIMPLE;
        case "none" -> momentum ? Indicators.Warmup.NONE : null;
        default -> null;
      };
      if (warmup == null) {
        throw new QueryError(name + " warmup type must be one of: " + (momentum ? "'none' " : "") + "'exponential' 'simple'");
      }
    }
    // Periods and hold periods beyond an int are longer than any list of points: nothing is answered.
    return new Transform.TechnicalIndicator(name, (int) Math.min(period.value(), Integer.MAX_VALUE - 1),
        (int) Math.min(hold, Integer.MAX_VALUE), warmup);
  }

  /** A literal as InfluxQL writes it, for error messages that quote one. */
  private static String literalText(Expr e) {
    e = Eval.unparen(e);
    if (e instanceof IntegerLit i) {
      return Long.toString(i.value());
    } else if (e instanceof NumberLit n) {
      return GoFormat.formatFloat(n.value());
    } else if (e instanceof StringLit str) {
      return "'" + str.value().replace("'", "\\'") + "'";
    } else if (e instanceof BoolLit b) {
      return Boolean.toString(b.value());
    } else if (e instanceof DurationLit d) {
      return Durations.formatInfluxQl(d.nanos());
    } else if (e instanceof Wildcard w) {
      return w.type() == null ? "*" : "*::" + w.type().text.toLowerCase(java.util.Locale.ROOT);
    } else if (e instanceof RegexLit re) {
      return "/" + re.source() + "/";
    }
    return e.toString();
  }

  /** The Go type influxd names in its argument errors. */
  private static String goType(Expr e) {
    String t;
    if (e instanceof IntegerLit) {
      t = "IntegerLiteral";
    } else if (e instanceof NumberLit) {
      t = "NumberLiteral";
    } else if (e instanceof StringLit) {
      t = "StringLiteral";
    } else if (e instanceof BoolLit) {
      t = "BooleanLiteral";
    } else if (e instanceof DurationLit) {
      t = "DurationLiteral";
    } else if (e instanceof RegexLit) {
      t = "RegexLiteral";
    } else if (e instanceof Binary) {
      t = "BinaryExpr";
    } else if (e instanceof Paren) {
      t = "ParenExpr";
    } else {
      t = e.getClass().getSimpleName();
    }
    return "*influxql." + t;
  }

  /** The transformation calls of a column (under arithmetic), each once, left to right. */
  private static void transformCalls(Expr e, List<Call> out) {
    e = Eval.unparen(e);
    if (e instanceof Call c && TRANSFORMS.contains(c.name())) {
      if (!out.contains(c)) {
        out.add(c);
      }
    } else if (e instanceof Call c && MathFunctions.isMath(c.name())) {
      c.args().forEach(a -> transformCalls(a, out));
    } else if (e instanceof Binary b) {
      transformCalls(b.lhs(), out);
      transformCalls(b.rhs(), out);
    }
  }

  private static final Set<String> NUMERIC_ONLY =
      Set.of("mean", "median", "stddev", "spread", "sum", "percentile", "integral", "derivative",
          "non_negative_derivative", "difference", "non_negative_difference", "moving_average",
          "cumulative_sum", "exponential_moving_average", "double_exponential_moving_average",
          "triple_exponential_moving_average", "relative_strength_index", "triple_exponential_derivative",
          "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average", "chande_momentum_oscillator");

  /** {@code mean(*)} or {@code max(/re/)}: one call per matching field, named mean_field. */
  private static boolean isWildcardCall(Call c) {
    return !c.args().isEmpty() && !Set.of("top", "bottom", "distinct").contains(c.name())
        && (Eval.unparen(c.args().get(0)) instanceof Wildcard
            || Eval.unparen(c.args().get(0)) instanceof RegexLit);
  }

  private static CallSpec callSpec(Call c) {
    String name = c.name();
    if (TRANSFORMS.contains(name)) {
      // Checked here for its arguments; run by the transform plan, not by an accumulator.
      transformOf(c, 0);
      Expr inner = Eval.unparen(c.args().get(0));
      if (!(inner instanceof VarRef || inner instanceof Call || inner instanceof Wildcard
          || inner instanceof RegexLit)) {
        throw new QueryError("expected field argument in " + name + "()");
      }
      if (inner instanceof Call ic && !isWildcardCall(ic)) {
        callSpec(ic);
      }
      return null;
    }
    if (!AGGREGATES.contains(name)) {
      throw new QueryError("undefined function " + name + "()");
    }
    List<Expr> args = c.args();
    switch (name) {
      case "integral": {
        if (args.isEmpty() || args.size() > 2) {
          throw new QueryError("invalid number of arguments for integral, expected at least 1 but no more than 2, got "
              + args.size());
        }
        long unit = 1_000_000_000L;
        if (args.size() == 2) {
          if (!(args.get(1) instanceof DurationLit d)) {
            throw new QueryError("second argument must be a duration");
          }
          if (d.nanos() <= 0) {
            throw new QueryError("duration argument must be positive, got " + Durations.formatGo(d.nanos()));
          }
          unit = d.nanos();
        }
        return new CallSpec(c, name, fieldArg(name, args.get(0)), 0, 0, unit);
      }
      case "percentile": {
        if (args.size() != 2) {
          throw new QueryError("invalid number of arguments for percentile, expected 2, got " + args.size());
        }
        double p;
        if (args.get(1) instanceof IntegerLit i) {
          p = i.value();
        } else if (args.get(1) instanceof NumberLit n) {
          p = n.value();
        } else {
          throw new QueryError("expected float argument in percentile()");
        }
        return new CallSpec(c, name, fieldArg(name, args.get(0)), p, 0);
      }
      case "top", "bottom": {
        if (args.size() < 2) {
          throw new QueryError("invalid number of arguments for " + name + ", expected at least 2, got " + args.size());
        }
        Expr last = args.get(args.size() - 1);
        if (!(last instanceof IntegerLit lim)) {
          throw new QueryError("expected integer as last argument in " + name + "(), found " + last);
        }
        if (lim.value() < 1) {
          throw new QueryError("limit (" + lim.value() + ") in " + name + " function must be at least 1");
        }
        // top(v, host, 2): the best point of each host, then the best 2 of those.
        List<String> tags = new ArrayList<>();
        for (Expr tag : args.subList(1, args.size() - 1)) {
          if (!(Eval.unparen(tag) instanceof VarRef v)) {
            throw new QueryError("only fields or tags are allowed in " + name + "(), found " + literalText(tag));
          }
          tags.add(v.name());
        }
        return new CallSpec(c, name, fieldArg(name, args.get(0)), 0, (int) lim.value(), 0, List.copyOf(tags));
      }
      case "sample": {
        if (args.size() != 2) {
          throw new QueryError("invalid number of arguments for sample, expected 2, got " + args.size());
        }
        if (!(Eval.unparen(args.get(1)) instanceof IntegerLit n)) {
          throw new QueryError("expected integer argument in sample()");
        }
        if (n.value() < 1) {
          throw new QueryError("sample window must be greater than 1, got " + n.value());
        }
        return new CallSpec(c, name, fieldArg(name, args.get(0)), 0, (int) Math.min(n.value(), Integer.MAX_VALUE));
      }
      case "distinct": {
        if (args.isEmpty()) {
          throw new QueryError("distinct function requires at least one argument");
        }
        if (args.size() > 1) {
          throw new QueryError("distinct function can only have one argument");
        }
        if (!(args.get(0) instanceof VarRef v)) {
          throw new QueryError("expected field argument in distinct()");
        }
        return new CallSpec(c, name, v.name(), 0, 0);
      }
      default: {
        if (args.size() != 1) {
          throw new QueryError("invalid number of arguments for " + name + ", expected 1, got " + args.size());
        }
        Expr a = Eval.unparen(args.get(0));
        if (name.equals("count") && a instanceof Call inner && inner.name().equals("distinct")) {
          CallSpec d = callSpec(inner);
          return new CallSpec(c, "count_distinct", d.field(), 0, 0);
        }
        if (name.equals("count") && a instanceof Distinct d) {
          return new CallSpec(c, "count_distinct", d.name(), 0, 0);
        }
        return new CallSpec(c, name, fieldArg(name, a), 0, 0);
      }
    }
  }

  private static String fieldArg(String name, Expr a) {
    a = Eval.unparen(a);
    if (a instanceof VarRef v) {
      return v.name();
    } else if (a instanceof Wildcard || a instanceof RegexLit) {
      // Reached only by top() and bottom(); the other calls expand * and /regex/ into columns.
      throw new QueryError("expected first argument to be a field in " + name + "(), found " + literalText(a));
    } else if (a instanceof Call) {
      throw new QueryError("expected field argument in " + name + "()");
    }
    throw new QueryError("expected field argument in " + name + "()");
  }

  // ---------- time range ----------

  private long[] timeRange(Expr cond) {
    long[] r = {Eval.MIN_TIME, Eval.MAX_TIME};
    if (cond == null) {
      return r;
    }
    return range(cond);
  }

  private long[] range(Expr e) {
    e = Eval.unparen(e);
    if (e instanceof Binary b) {
      if (b.op() == Token.AND) {
        long[] l = range(b.lhs());
        long[] r = range(b.rhs());
        return new long[] {Math.max(l[0], r[0]), Math.min(l[1], r[1])};
      } else if (b.op() == Token.OR) {
        // influxd 1.6 intersects the time ranges of both sides of an OR too: "time < a OR
        // time > b" selects nothing there, and Capstan answers the same.
        long[] l = range(b.lhs());
        long[] r = range(b.rhs());
        return new long[] {Math.max(l[0], r[0]), Math.min(l[1], r[1])};
      }
      Token op = b.op();
      Expr other;
      if (Eval.isTimeRef(Eval.unparen(b.lhs()))) {
        other = b.rhs();
      } else if (Eval.isTimeRef(Eval.unparen(b.rhs()))) {
        other = b.lhs();
        op = switch (op) {
          case LT -> Token.GT;
          case LTE -> Token.GTE;
          case GT -> Token.LT;
          case GTE -> Token.LTE;
          default -> op;
        };
      } else {
        return new long[] {Eval.MIN_TIME, Eval.MAX_TIME};
      }
      long t = Eval.timeValue(other, now);
      return switch (op) {
        case GT -> new long[] {t == Long.MAX_VALUE ? t : t + 1, Eval.MAX_TIME};
        case GTE -> new long[] {t, Eval.MAX_TIME};
        case LT -> new long[] {Eval.MIN_TIME, t - 1};
        case LTE -> new long[] {Eval.MIN_TIME, t};
        case EQ -> new long[] {t, t};
        default -> new long[] {Eval.MIN_TIME, Eval.MAX_TIME};
      };
    }
    return new long[] {Eval.MIN_TIME, Eval.MAX_TIME};
  }

  // ---------- per measurement ----------

  /** GROUP BY: tags (in the order named, {@code *} and regexes expanded) and an optional time(interval[, offset]). */
  private record Dimensions(List<String> tags, long interval, long offset) {}

  private static Dimensions dimensions(Select s, Set<String> tagKeys, long now) {
    List<String> groupTags = new ArrayList<>();
    long interval = 0;
    long offset = 0;
    for (Expr d : s.dimensions()) {
      d = Eval.unparen(d);
      if (d instanceof Call c && c.name().equals("time")) {
        if (c.args().isEmpty() || c.args().size() > 2) {
          throw new QueryError("time dimension expected 1 or 2 arguments");
        }
        if (!(c.args().get(0) instanceof DurationLit di)) {
          throw new QueryError("time dimension must have duration argument");
        }
        interval = di.nanos();
        if (interval <= 0) {
          throw new QueryError("time dimension must have positive duration");
        }
        if (c.args().size() == 2) {
          Expr o = c.args().get(1);
          if (o instanceof DurationLit od) {
            offset = od.nanos();
          } else if (o instanceof Call nc && nc.name().equals("now")) {
            offset = now;
          } else {
            throw new QueryError("time dimension offset must be duration or now()");
          }
        }
      } else if (d instanceof VarRef v) {
        if (!groupTags.contains(v.name())) {
          groupTags.add(v.name());
        }
      } else if (d instanceof Wildcard) {
        for (String t : tagKeys) {
          if (!groupTags.contains(t)) {
            groupTags.add(t);
          }
        }
      } else if (d instanceof RegexLit re) {
        for (String t : tagKeys) {
          if (re.pattern().matcher(t).find() && !groupTags.contains(t)) {
            groupTags.add(t);
          }
        }
      } else {
        throw new QueryError("only time and tag dimensions allowed");
      }
    }
    return new Dimensions(groupTags, interval, offset);
  }

  /**
   * The select list as output columns, with an alias or null for each: {@code *} and regexes
   * expanded over the measurements' fields and tags (tags grouped by left out), {@code mean(*)}
   * and {@code derivative(mean(*))} into a call per field that takes it, top() and bottom() with
   * the tags they pick by.
   */
  private static void expandColumns(Select s, SortedMap<String, FieldType> unionFields, Set<String> unionTags,
      List<String> groupTags, List<OutputColumn> columns, List<String> aliases) {
    for (Field f : s.fields()) {
      Expr e = Eval.unparen(f.expr());
      if (e instanceof Wildcard w) {
        TreeMap<String, Expr> cols = new TreeMap<>();
        if (w.type() != Token.TAG) {
          unionFields.keySet().forEach(k -> cols.put(k, new VarRef(k, "field")));
        }
        if (w.type() != Token.FIELD) {
          unionTags.stream().filter(k -> !groupTags.contains(k))
              .forEach(k -> cols.putIfAbsent(k, new VarRef(k, "tag")));
        }
        cols.forEach((k, v) -> {
          columns.add(new OutputColumn(v, k));
          aliases.add(null);
        });
      } else if (e instanceof RegexLit re) {
        TreeMap<String, Expr> cols = new TreeMap<>();
        unionFields.keySet().stream().filter(k -> re.pattern().matcher(k).find())
            .forEach(k -> cols.put(k, new VarRef(k, "field")));
        unionTags.stream().filter(k -> !groupTags.contains(k) && re.pattern().matcher(k).find())
            .forEach(k -> cols.putIfAbsent(k, new VarRef(k, "tag")));
        cols.forEach((k, v) -> {
          columns.add(new OutputColumn(v, k));
          aliases.add(null);
        });
      } else if (e instanceof Call c && TRANSFORMS.contains(c.name())
          && Eval.unparen(c.args().get(0)) instanceof Call ic && isWildcardCall(ic)) {
        // derivative(mean(*)): one column per field the aggregate takes, named derivative_field.
        Expr arg = Eval.unparen(ic.args().get(0));
        for (Map.Entry<String, FieldType> field : unionFields.entrySet()) {
          String k = field.getKey();
          boolean numeric = field.getValue() == FieldType.FLOAT || field.getValue() == FieldType.INTEGER;
          boolean minMax = ic.name().equals("min") || ic.name().equals("max");
          if ((arg instanceof RegexLit re && !re.pattern().matcher(k).find())
              || (NUMERIC_ONLY.contains(ic.name()) && !numeric)
              || (minMax && field.getValue() == FieldType.STRING)) {
            continue;
          }
          List<Expr> innerArgs = new ArrayList<>(ic.args());
          innerArgs.set(0, new VarRef(k, null));
          List<Expr> args = new ArrayList<>(c.args());
          args.set(0, new Call(ic.name(), List.copyOf(innerArgs)));
          columns.add(new OutputColumn(new Call(c.name(), List.copyOf(args)), c.name() + "_" + k));
          aliases.add(null);
        }
      } else if (e instanceof Call c && isWildcardCall(c)) {
        Expr arg = Eval.unparen(c.args().get(0));
        for (Map.Entry<String, FieldType> field : unionFields.entrySet()) {
          String k = field.getKey();
          boolean numeric = field.getValue() == FieldType.FLOAT || field.getValue() == FieldType.INTEGER;
          boolean minMax = c.name().equals("min") || c.name().equals("max");
          if ((arg instanceof RegexLit re && !re.pattern().matcher(k).find())
              || (NUMERIC_ONLY.contains(c.name()) && !numeric)
              || (minMax && field.getValue() == FieldType.STRING)) {
            continue;
          }
          List<Expr> args = new ArrayList<>(c.args());
          args.set(0, new VarRef(k, null));
          Call expanded = new Call(c.name(), List.copyOf(args));
          callSpec(expanded);
          columns.add(new OutputColumn(expanded, c.name() + "_" + k));
          aliases.add(null);
        }
      } else {
        columns.add(new OutputColumn(f.expr(), fieldName(f.expr())));
        aliases.add(f.alias());
        if (e instanceof Call c && (c.name().equals("top") || c.name().equals("bottom"))) {
          // The tags top() and bottom() pick by are shown beside the value, as influxd does.
          for (String tag : callSpec(c).tags()) {
            columns.add(new OutputColumn(new VarRef(tag, "tag"), tag));
            aliases.add(null);
          }
        }
      }
    }
  }


  private List<SeriesRow> runMeasurement(Select s, String db, String rp, String m, long[] range,
      SortedMap<String, FieldType> unionFields, Set<String> unionTags) {
    checkpoint.run();
    SortedMap<String, FieldType> fieldTypes = store.fieldKeys(db, m);
    List<SeriesKey> seriesKeys = store.series(db, m);
    TreeSet<String> tagKeys = new TreeSet<>();
    for (SeriesKey k : seriesKeys) {
      tagKeys.addAll(k.tags().keySet());
    }

    Dimensions dims = dimensions(s, tagKeys, now);
    List<String> groupTags = dims.tags();
    long interval = dims.interval();
    long offset = dims.offset();
    boolean byTime = interval > 0;
    TimeWindows windows = byTime ? new TimeWindows(interval, offset, s.zone()) : null;

    List<OutputColumn> columns = new ArrayList<>();
    List<String> aliases = new ArrayList<>();
    expandColumns(s, unionFields, unionTags, groupTags, columns, aliases);
    List<String> names = columnNames(columns, aliases);

    // Transformations: the engine computes each one's argument as a column of its own (the
    // raw field, or the aggregate per bucket); the transform then runs over that column.
    List<ColumnTransforms> plans = new ArrayList<>();
    List<OutputColumn> evalColumns = new ArrayList<>();
    boolean extendRange = false;
    boolean transform = false;
    for (OutputColumn c : columns) {
      List<Call> tcalls = new ArrayList<>();
      transformCalls(c.expr(), tcalls);
      if (tcalls.isEmpty()) {
        plans.add(new ColumnTransforms(List.of(), List.of(), List.of(evalColumns.size())));
        evalColumns.add(c);
        continue;
      }
      transform = true;
      List<Transform> trs = new ArrayList<>();
      List<Integer> eval = new ArrayList<>();
      for (Call t : tcalls) {
        Transform tr = transformOf(t, interval);
        Expr inner = Eval.unparen(t.args().get(0));
        if (inner instanceof VarRef v && !(tr instanceof Transform.Elapsed)) {
          FieldType type = fieldTypes.get(v.name());
          if (type == FieldType.STRING || type == FieldType.BOOLEAN) {
            throw new QueryError("unsupported " + tr.iteratorName() + " iterator type: *query."
                + (type == FieldType.STRING ? "string" : "boolean") + "InterruptIterator");
          }
        }
        trs.add(tr);
        eval.add(evalColumns.size());
        evalColumns.add(new OutputColumn(inner, c.name()));
        extendRange |= byTime && tr.extendsRange();
      }
      plans.add(new ColumnTransforms(List.copyOf(tcalls), List.copyOf(trs), List.copyOf(eval)));
    }

    // influxd reads one interval more, before the range (after it under DESC), so the first
    // bucket shown has a predecessor. Its start with no lower time bound wraps around in
    // influxd (MinTime - interval) and the statement answers nothing; so does Capstan.
    long[] readRange = range;
    if (extendRange) {
      if (s.descending()) {
        long hi = range[1] == Eval.MAX_TIME ? now : range[1];
        readRange = new long[] {range[0], hi > Long.MAX_VALUE - interval ? Long.MAX_VALUE : hi + interval};
      } else {
        if (range[0] == Eval.MIN_TIME) {
          return List.of();
        }
        readRange = new long[] {range[0] < Long.MIN_VALUE + interval ? Long.MIN_VALUE : range[0] - interval, range[1]};
      }
    }

    List<Call> calls = new ArrayList<>();
    for (OutputColumn c : evalColumns) {
      collectCalls(c.expr(), calls);
    }
    boolean aggregate = !calls.isEmpty();

    // Fields to read: referenced fields of the select list and the condition.
    LinkedHashSet<String> readFields = new LinkedHashSet<>();
    List<VarRef> refs = new ArrayList<>();
    for (OutputColumn c : evalColumns) {
      collectRefs(c.expr(), refs);
    }
    List<VarRef> condRefs = new ArrayList<>();
    if (s.condition() != null) {
      collectRefs(s.condition(), condRefs);
    }
    Set<String> selectedFields = new LinkedHashSet<>();
    for (VarRef v : refs) {
      if (isField(v, fieldTypes)) {
        readFields.add(v.name());
        selectedFields.add(v.name());
      }
    }
    boolean fieldCondition = false;
    for (VarRef v : condRefs) {
      if (!Eval.isTimeRef(v) && isField(v, fieldTypes)) {
        readFields.add(v.name());
        fieldCondition = true;
      }
    }
    if (selectedFields.isEmpty() || range[0] > range[1]) {
      return List.of();
    }

    Expr cond = s.condition();
    SeriesFilter filter = new SeriesFilter(m,
        key -> cond == null || tagCondition(cond, key, fieldTypes) != Tri.FALSE);
    List<SeriesKey> keys = new ArrayList<>();
    List<Map<String, Block>> data = new ArrayList<>();
    ReadRequest.Limit limit = transform ? ReadRequest.Limit.NONE
        : readLimit(s, columns, calls, byTime, fieldCondition || hasTimeOr(cond));
    store.read(new ReadRequest(db, rp, filter, List.copyOf(readFields), readRange[0], readRange[1], limit),
        (key, fields) -> {
          checkpoint.run();
          keys.add(key);
          data.add(fields);
        });
    if (keys.isEmpty()) {
      return List.of();
    }

    // Group series by their group-by tag values, in tag order.
    // Series of a group share their GROUP BY tags; groups sort by those tags in key order.
    List<String> sortedTags = new ArrayList<>(groupTags);
    Collections.sort(sortedTags);
    TreeMap<List<String>, List<Integer>> groups = new TreeMap<>(SelectEngine::compareLists);
    for (int i = 0; i < keys.size(); i++) {
      List<String> g = new ArrayList<>();
      for (String t : sortedTags) {
        g.add(keys.get(i).tag(t));
      }
      groups.computeIfAbsent(g, k -> new ArrayList<>()).add(i);
    }

    List<String> outColumns = new ArrayList<>();
    outColumns.add("time");
    outColumns.addAll(names);
    List<SeriesRow> result = new ArrayList<>();
    Expr rowCond = fieldCondition || hasTimeOr(cond) ? cond : null;
    if (extendRange && rowCond != null) {
      // influxd takes the time bounds out of the condition: the extra interval is read.
      rowCond = withoutTime(rowCond);
    }

    TimeWindows.Buckets buckets = null;
    if (byTime) {
      long lo = readRange[0];
      if (lo == Eval.MIN_TIME) {
        lo = Long.MAX_VALUE;
        for (Map<String, Block> d : data) {
          for (Block b : d.values()) {
            if (b.size() > 0) {
              lo = Math.min(lo, b.timestamps()[0]);
            }
          }
        }
      }
      long hi = readRange[1] == Eval.MAX_TIME ? now : readRange[1];
      buckets = windows.between(lo, hi, MAX_BUCKETS);
      if (buckets.count() == 0) {
        return List.of();
      }
    }

    // influxd walks its series backwards too under ORDER BY time DESC: groups come last first.
    for (Map.Entry<List<String>, List<Integer>> g : (s.descending() ? groups.descendingMap() : groups).entrySet()) {
      Map<String, String> tags = new TreeMap<>();
      for (int i = 0; i < sortedTags.size(); i++) {
        tags.put(sortedTags.get(i), g.getKey().get(i));
      }
      List<List<Object>> rows;
      if (aggregate) {
        rows = aggregateRows(s, evalColumns, calls, g.getValue(), keys, data, fieldTypes, rowCond,
            readRange, windows, buckets);
      } else {
        rows = rawRows(evalColumns, g.getValue(), keys, data, fieldTypes, selectedFields, rowCond);
      }
      if (s.descending() && !aggregate) {
        Collections.reverse(rows); // aggregateRows orders its buckets itself
      }
      if (transform) {
        long keepFrom = byTime && range[0] != Eval.MIN_TIME ? windows.start(range[0]) : Long.MIN_VALUE;
        long keepTo = byTime ? (range[1] == Eval.MAX_TIME ? now : range[1]) : Long.MAX_VALUE;
        rows = transformRows(s, rows, columns, plans, keepFrom, keepTo);
      } else {
        int from = Math.min(rows.size(), s.offset());
        int to = s.limit() > 0 ? Math.min(rows.size(), from + s.limit()) : rows.size();
        rows = rows.subList(from, to);
      }
      if (rows.isEmpty()) {
        continue;
      }
      result.add(new SeriesRow(m, groupTags.isEmpty() ? Map.of() : tags, outColumns, true,
          new ArrayList<>(rows), false, s.zone()));
    }
    return result;
  }

  /**
   * Runs each column's transformation over the rows its argument produced (in read order), and
   * zips the columns by time again. As in influxd every call is its own iterator: LIMIT and
   * OFFSET count each column's points, and a column without a transformation beside one (a
   * plain aggregate) shows only the buckets of the query's own range.
   */
  private static List<List<Object>> transformRows(Select s, List<List<Object>> rows,
      List<OutputColumn> columns, List<ColumnTransforms> plans, long keepFrom, long keepTo) {
    java.util.Comparator<Long> order =
        s.descending() ? Collections.reverseOrder() : java.util.Comparator.naturalOrder();
    // Several rows at one time when a stream has several points there (series merged without
    // GROUP BY tags).
    ZippedRows zipped = new ZippedRows(order, columns.size());
    for (int k = 0; k < columns.size(); k++) {
      ColumnTransforms plan = plans.get(k);
      List<Transform.Point> out;
      if (plan.calls().isEmpty()) {
        out = columnPoints(rows, plan.eval().get(0), null, keepFrom, keepTo);
      } else if (plan.calls().size() == 1 && Eval.unparen(columns.get(k).expr()).equals(plan.calls().get(0))) {
        // The column is the transformation itself: its stream as it comes, every point kept.
        Transform t = plan.transforms().get(0);
        out = t.apply(columnPoints(rows, plan.eval().get(0), t, keepFrom, keepTo), !s.descending());
      } else {
        // Each transformation of the column is a stream; arithmetic joins them by time (the k-th
        // point of a time in one stream with the k-th of that time in the others).
        ZippedRows streams = new ZippedRows(order, plan.calls().size());
        for (int j = 0; j < plan.calls().size(); j++) {
          Transform t = plan.transforms().get(j);
          streams.add(j, t.apply(columnPoints(rows, plan.eval().get(j), t, keepFrom, keepTo), !s.descending()),
              Transform.Point::time, Transform.Point::value);
        }
        Expr expr = columns.get(k).expr();
        List<Transform.Point> joined = new ArrayList<>();
        streams.forEach((time, cells) -> joined.add(new Transform.Point(time, Eval.value(expr, x -> {
          int j = plan.calls().indexOf(x);
          return j < 0 ? null : cells[j];
        }))));
        out = joined;
      }
      int from = Math.min(out.size(), s.offset());
      int to = s.limit() > 0 ? Math.min(out.size(), from + s.limit()) : out.size();
      zipped.add(k, out.subList(from, to), Transform.Point::time, Transform.Point::value);
    }
    List<List<Object>> result = new ArrayList<>();
    zipped.forEach((time, values) -> {
      List<Object> row = new ArrayList<>(columns.size() + 1);
      row.add(time);
      row.addAll(java.util.Arrays.asList(values));
      result.add(row);
    });
    return result;
  }

  /**
   * The points of one engine column a transformation reads (non-null, the extra interval
   * included) or a plain column shows (its nulls included, only the query's own buckets).
   */
  private static List<Transform.Point> columnPoints(List<List<Object>> rows, int column,
      Transform t, long keepFrom, long keepTo) {
    // A column is of one type in influxd: fill(0) beside float means is 0.0, not 0.
    boolean floats = false;
    for (List<Object> row : rows) {
      floats |= row.get(column + 1) instanceof Double;
    }
    List<Transform.Point> points = new ArrayList<>();
    for (List<Object> row : rows) {
      long time = (Long) row.get(0);
      Object v = row.get(column + 1);
      if (floats && v instanceof Long l) {
        v = (double) l;
      }
      boolean inRange = time >= keepFrom && time <= keepTo;
      if (t == null ? inRange : v != null && (inRange || t.extendsRange())) {
        points.add(new Transform.Point(time, v));
      }
    }
    return points;
  }

  /** The transformations of one output column and the engine columns of their arguments. */
  private record ColumnTransforms(List<Call> calls, List<Transform> transforms, List<Integer> eval) {}

  /** The condition with its comparisons on time made true (the range applies them). */
  private static Expr withoutTime(Expr e) {
    Expr u = Eval.unparen(e);
    if (u instanceof Binary b) {
      if (b.op() == Token.AND || b.op() == Token.OR) {
        return new Binary(b.op(), withoutTime(b.lhs()), withoutTime(b.rhs()));
      }
      if (Eval.isTimeRef(Eval.unparen(b.lhs())) || Eval.isTimeRef(Eval.unparen(b.rhs()))) {
        return new BoolLit(true);
      }
    }
    return e;
  }

  /**
   * How many points per series field the statement can use, when fewer than all, so the store
   * reads one block per series instead of every one: last() or first() without GROUP BY time
   * use the newest or oldest point; raw rows under LIMIT use OFFSET + LIMIT from the end that
   * ORDER BY reads first (a row's time comes from one of its fields, so each field's own first
   * OFFSET + LIMIT points hold every row shown). Not with a row condition (a WHERE on fields,
   * or on time with OR): the points it rejects would have to be replaced by further ones. Not
   * with columns beside a selector, which take their values at the selected point's time.
   */
  private static ReadRequest.Limit readLimit(Select s, List<OutputColumn> columns, List<Call> calls,
      boolean byTime, boolean rowCondition) {
    if (rowCondition || byTime) {
      return ReadRequest.Limit.NONE;
    }
    if (calls.isEmpty()) {
      long rows = (long) s.limit() + s.offset();
      return s.limit() <= 0 || rows >= Integer.MAX_VALUE
          ? ReadRequest.Limit.NONE : new ReadRequest.Limit((int) rows, s.descending());
    }
    String function = calls.get(0).name();
    if (!function.equals("last") && !function.equals("first")) {
      return ReadRequest.Limit.NONE;
    }
    for (Call c : calls) {
      if (!c.name().equals(function) || c.args().size() != 1 || !(Eval.unparen(c.args().get(0)) instanceof VarRef)) {
        return ReadRequest.Limit.NONE;
      }
    }
    List<Expr> outer = new ArrayList<>();
    for (OutputColumn c : columns) {
      collectOuterRefs(c.expr(), outer);
    }
    if (!outer.isEmpty()) {
      return ReadRequest.Limit.NONE;
    }
    return function.equals("last") ? ReadRequest.Limit.newest(1) : ReadRequest.Limit.oldest(1);
  }

  private static boolean hasTimeOr(Expr e) {
    e = e == null ? null : Eval.unparen(e);
    if (e instanceof Binary b) {
      if (b.op() == Token.OR) {
        List<VarRef> refs = new ArrayList<>();
        collectRefs(b, refs);
        return refs.stream().anyMatch(Eval::isTimeRef);
      }
      return hasTimeOr(b.lhs()) || hasTimeOr(b.rhs());
    }
    return false;
  }

  private static int compareLists(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private static boolean isField(VarRef v, Map<String, FieldType> fieldTypes) {
    if ("tag".equals(v.type())) {
      return false;
    }
    return fieldTypes.containsKey(v.name());
  }

  static String fieldName(Expr e) {
    e = Eval.unparen(e);
    if (e instanceof Call c) {
      return c.name();
    } else if (e instanceof VarRef v) {
      return v.name();
    } else if (e instanceof Distinct) {
      return "distinct";
    } else if (e instanceof Binary b) {
      List<String> parts = new ArrayList<>();
      binaryNames(b, parts);
      return String.join("_", parts);
    }
    return "";
  }

  private static void binaryNames(Expr e, List<String> parts) {
    e = Eval.unparen(e);
    if (e instanceof VarRef v) {
      parts.add(v.name());
    } else if (e instanceof Call c) {
      parts.add(c.name());
    } else if (e instanceof Binary b) {
      binaryNames(b.lhs(), parts);
      binaryNames(b.rhs(), parts);
    }
  }

  /** influxd's ColumnNames: aliases first, then generated names made unique with _1, _2. */
  private static List<String> columnNames(List<OutputColumn> columns, List<String> aliases) {
    String[] out = new String[columns.size()];
    Map<String, Integer> seen = new HashMap<>();
    seen.put("time", 1);
    for (int i = 0; i < columns.size(); i++) {
      if (aliases.get(i) != null && !aliases.get(i).isEmpty()) {
        out[i] = aliases.get(i);
        seen.put(aliases.get(i), 1);
      }
    }
    for (int i = 0; i < columns.size(); i++) {
      if (out[i] != null) {
        continue;
      }
      String name = columns.get(i).name();
      Integer count = seen.get(name);
      if (count != null) {
        while (true) {
          String resolved = name + "_" + count;
          if (!seen.containsKey(resolved)) {
            seen.put(name, count + 1);
            name = resolved;
            break;
          }
          count++;
        }
      }
      seen.merge(name, 1, Integer::sum);
      out[i] = name;
    }
    return List.of(out);
  }

  // ---------- conditions ----------

  /** A condition on a series' tags; field and time comparisons are not known here. */
  private static Tri tagCondition(Expr e, SeriesKey key, Map<String, FieldType> fieldTypes) {
    e = Eval.unparen(e);
    if (e instanceof Binary b) {
      if (b.op() == Token.AND || b.op() == Token.OR) {
        Tri l = tagCondition(b.lhs(), key, fieldTypes);
        Tri r = tagCondition(b.rhs(), key, fieldTypes);
        if (b.op() == Token.AND) {
          if (l == Tri.FALSE || r == Tri.FALSE) {
            return Tri.FALSE;
          }
          return l == Tri.TRUE && r == Tri.TRUE ? Tri.TRUE : Tri.UNKNOWN;
        }
        if (l == Tri.TRUE || r == Tri.TRUE) {
          return Tri.TRUE;
        }
        return l == Tri.FALSE && r == Tri.FALSE ? Tri.FALSE : Tri.UNKNOWN;
      }
      List<VarRef> refs = new ArrayList<>();
      collectRefs(b, refs);
      if (refs.isEmpty()) {
        Object v = Eval.value(b, x -> null);
        return Boolean.TRUE.equals(v) ? Tri.TRUE : Tri.FALSE;
      }
      for (VarRef v : refs) {
        if (Eval.isTimeRef(v) || isField(v, fieldTypes)) {
          return Tri.UNKNOWN;
        }
      }
      Object v = Eval.value(b, x -> x instanceof VarRef r ? key.tag(r.name()) : null);
      return Boolean.TRUE.equals(v) ? Tri.TRUE : Tri.FALSE;
    }
    return Tri.UNKNOWN;
  }

  /** A condition on one row: tags of its series, its field values and its time. */
  private boolean rowCondition(Expr e, long time, Function<Expr, Object> refs) {
    e = Eval.unparen(e);
    if (e instanceof Binary b) {
      if (b.op() == Token.AND) {
        return rowCondition(b.lhs(), time, refs) && rowCondition(b.rhs(), time, refs);
      } else if (b.op() == Token.OR) {
        return rowCondition(b.lhs(), time, refs) || rowCondition(b.rhs(), time, refs);
      }
      if (Eval.isTimeRef(Eval.unparen(b.lhs())) || Eval.isTimeRef(Eval.unparen(b.rhs()))) {
        boolean left = Eval.isTimeRef(Eval.unparen(b.lhs()));
        long t = Eval.timeValue(left ? b.rhs() : b.lhs(), now);
        Object r = left ? Eval.binary(b.op(), time, t) : Eval.binary(b.op(), t, time);
        return Boolean.TRUE.equals(r);
      }
      return Boolean.TRUE.equals(Eval.value(b, refs));
    }
    return Boolean.TRUE.equals(Eval.value(e, refs));
  }

  // ---------- row access over blocks ----------

  /** The rows of one series: the union of its fields' timestamps, and per field an index. */
  private static final class Rows {
    final long[] times;
    final String[] fields;
    final Column[] columns;
    /** index[f][row], -1 when the field has no value then; null for one field (identity). */
    final int[][] index;

    Rows(Map<String, Block> blocks) {
      fields = blocks.keySet().toArray(new String[0]);
      columns = new Column[fields.length];
      index = new int[fields.length][];
      long[][] ts = new long[fields.length][];
      int total = 0;
      for (int f = 0; f < fields.length; f++) {
        Block b = blocks.get(fields[f]);
        columns[f] = b.values();
        ts[f] = b.timestamps();
        total += ts[f].length;
      }
      if (fields.length == 1) {
        times = ts[0];
        index[0] = null;
        return;
      }
      long[] merged = new long[total];
      int[] pos = new int[fields.length];
      for (int f = 0; f < fields.length; f++) {
        index[f] = new int[total];
      }
      int n = 0;
      while (true) {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (int f = 0; f < fields.length; f++) {
          if (pos[f] < ts[f].length && (!any || ts[f][pos[f]] < min)) {
            min = ts[f][pos[f]];
            any = true;
          }
        }
        if (!any) {
          break;
        }
        merged[n] = min;
        for (int f = 0; f < fields.length; f++) {
          if (pos[f] < ts[f].length && ts[f][pos[f]] == min) {
            index[f][n] = pos[f]++;
          } else {
            index[f][n] = -1;
          }
        }
        n++;
      }
      times = java.util.Arrays.copyOf(merged, n);
    }

    int field(String name) {
      for (int f = 0; f < fields.length; f++) {
        if (fields[f].equals(name)) {
          return f;
        }
      }
      return -1;
    }

    int idx(int f, int row) {
      return index[f] == null ? row : index[f][row];
    }

    Object value(int f, int row) {
      if (f < 0) {
        return null;
      }
      int i = idx(f, row);
      if (i < 0) {
        return null;
      }
      return boxed(columns[f], i);
    }
  }

  static Object boxed(Column c, int i) {
    if (c instanceof Column.FloatColumn fc) {
      return fc.values()[i];
    } else if (c instanceof Column.IntegerColumn ic) {
      return ic.values()[i];
    } else if (c instanceof Column.StringColumn sc) {
      return sc.values().get(i);
    }
    return ((Column.BooleanColumn) c).values()[i];
  }

  private Function<Expr, Object> rowRefs(Rows rows, int row, SeriesKey key,
      Map<String, FieldType> fieldTypes, boolean tagsAsEmpty) {
    return x -> {
      if (x instanceof VarRef v) {
        if (isField(v, fieldTypes)) {
          return rows.value(rows.field(v.name()), row);
        }
        if (Eval.isTimeRef(v)) {
          return rows.times[row];
        }
        if ("field".equals(v.type())) {
          return null;
        }
        String tv = key.tags().get(v.name());
        return tv == null && tagsAsEmpty ? "" : tv;
      }
      return null;
    };
  }

  // ---------- raw ----------

  private List<List<Object>> rawRows(List<OutputColumn> columns, List<Integer> series,
      List<SeriesKey> keys, List<Map<String, Block>> data, Map<String, FieldType> fieldTypes,
      Set<String> selectedFields, Expr cond) {
    List<long[]> order = new ArrayList<>(); // time, series position, row
    List<Rows> rowsOf = new ArrayList<>();
    List<List<Object>> out = new ArrayList<>();
    List<Object[]> tmp = new ArrayList<>();
    for (int si = 0; si < series.size(); si++) {
      checkpoint.run();
      int idx = series.get(si);
      Rows rows = new Rows(data.get(idx));
      rowsOf.add(rows);
      SeriesKey key = keys.get(idx);
      int[] sel = selectedFields.stream().mapToInt(rows::field).filter(f -> f >= 0).toArray();
      for (int r = 0; r < rows.times.length; r++) {
        boolean any = false;
        for (int f : sel) {
          if (rows.idx(f, r) >= 0) {
            any = true;
            break;
          }
        }
        if (!any) {
          continue;
        }
        if (cond != null && !rowCondition(cond, rows.times[r], rowRefs(rows, r, key, fieldTypes, true))) {
          continue;
        }
        Function<Expr, Object> refs = rowRefs(rows, r, key, fieldTypes, false);
        List<Object> row = new ArrayList<>(columns.size() + 1);
        row.add(rows.times[r]);
        for (OutputColumn c : columns) {
          row.add(Eval.value(c.expr(), refs));
        }
        tmp.add(new Object[] {rows.times[r], si, row});
      }
    }
    // Stable sort: by time, series in key order on ties.
    tmp.sort((a, b) -> Long.compare((Long) a[0], (Long) b[0]));
    for (Object[] t : tmp) {
      @SuppressWarnings("unchecked")
      List<Object> row = (List<Object>) t[2];
      out.add(row);
    }
    return out;
  }

  // ---------- aggregates ----------

  private static Accumulator[] newRow(List<CallSpec> specs, boolean descending) {
    Accumulator[] row = new Accumulator[specs.size()];
    for (int k = 0; k < specs.size(); k++) {
      CallSpec sp = specs.get(k);
      row[k] = Accumulator.create(sp.function(), sp.percentile(), sp.n());
      if (row[k] instanceof Accumulator.TopBottom tb) {
        tb.tagKeys = sp.tags();
      } else if (row[k] instanceof Accumulator.Sample sample) {
        sample.seriesReversed = descending;
      } else if (row[k] instanceof Accumulator.Distinct distinct) {
        distinct.byLatest = descending;
      }
    }
    return row;
  }

  /** The points integral() reads for one group, its series merged in time order. */
  private static final class IntegralPoints {
    private long[] times = new long[64];
    private double[] values = new double[64];
    private int n;
    private boolean integers;

    void add(long t, double v, boolean integer) {
      if (n == times.length) {
        times = java.util.Arrays.copyOf(times, n * 2);
        values = java.util.Arrays.copyOf(values, n * 2);
      }
      times[n] = t;
      values[n++] = v;
      integers = integer;
    }

    List<Integral.Area> areas(TimeWindows windows, long unit) {
      // Series were added one after the other: a stable sort by time merges them.
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (x, y) -> Long.compare(times[x], times[y]));
      long[] t = new long[n];
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        t[i] = times[order[i]];
        v[i] = values[order[i]];
      }
      return Integral.areas(t, v, integers, windows, unit);
    }
  }

  private List<List<Object>> aggregateRows(Select s, List<OutputColumn> columns, List<Call> calls,
      List<Integer> series, List<SeriesKey> keys, List<Map<String, Block>> data,
      Map<String, FieldType> fieldTypes, Expr cond, long[] range, TimeWindows windows,
      TimeWindows.Buckets buckets) {
    Accumulated acc = accumulate(s, columns, calls, series, keys, data, fieldTypes, cond, range, windows, buckets);
    return bucketRows(s, columns, acc, fieldTypes, range, windows, buckets);
  }

  /**
   * A group's calls accumulated per time bucket (one bucket without GROUP BY time).
   *
   * @param specs the distinct calls, in order of first appearance
   * @param callIndex each call's index in {@code specs}
   * @param acc per bucket, an accumulator per call; null for a bucket without points
   * @param aux the columns a lone selector carries from the point it selects (max(v), host)
   * @param auxValues per bucket, those columns' values at the selected point; null without aux
   * @param anyIntegral whether integral() is among the calls (its areas are not points)
   */
  private record Accumulated(List<CallSpec> specs, Map<Call, Integer> callIndex, Accumulator[][] acc,
                         List<VarRef> aux, Map<VarRef, Object>[] auxValues, boolean anyIntegral) {}

  /** Walks the group's series and points into per-bucket accumulators. */
  private Accumulated accumulate(Select s, List<OutputColumn> columns, List<Call> calls,
      List<Integer> series, List<SeriesKey> keys, List<Map<String, Block>> data,
      Map<String, FieldType> fieldTypes, Expr cond, long[] range, TimeWindows windows,
      TimeWindows.Buckets buckets) {
    boolean byTime = windows != null;
    // Distinct calls by identity of their text.
    List<CallSpec> specs = new ArrayList<>();
    Map<Call, Integer> callIndex = new HashMap<>();
    for (Call c : calls) {
      if (!callIndex.containsKey(c)) {
        callIndex.put(c, specs.size());
        specs.add(callSpec(c));
      }
    }
    int nBuckets = byTime ? buckets.count() : 1;
    Accumulator[][] acc = new Accumulator[nBuckets][];
    // A lone selector carries the other columns of the point it selects (max(v), host).
    List<VarRef> aux = new ArrayList<>();
    for (OutputColumn c : columns) {
      List<Expr> outer = new ArrayList<>();
      collectOuterRefs(c.expr(), outer);
      for (Expr o : outer) {
        if (o instanceof VarRef v) {
          aux.add(v);
        }
      }
    }
    Map<VarRef, Object>[] auxValues = aux.isEmpty() ? null : newAuxArray(nBuckets);
    // integral() spans buckets (its area is split at their edges): its points are gathered for
    // the whole group and its areas computed after the walk.
    Map<Integer, IntegralPoints> integrals = new HashMap<>();
    for (CallSpec spec : specs) {
      if (spec.function().equals("integral") && s.descending()) {
        throw new QueryError("integral() with ORDER BY time DESC is not supported by Capstan");
      }
    }

    // influxd walks the series backwards for ORDER BY time DESC; partial sums fold in that order.
    List<Integer> order = new ArrayList<>(series);
    if (s.descending()) {
      Collections.reverse(order);
    }
    for (int idx : order) {
      checkpoint.run();
      Rows rows = new Rows(data.get(idx));
      SeriesKey key = keys.get(idx);
      for (int ci = 0; ci < specs.size(); ci++) {
        CallSpec spec = specs.get(ci);
        int f = isField(new VarRef(spec.field(), null), fieldTypes) ? rows.field(spec.field()) : -1;
        if (f < 0) {
          continue;
        }
        Column col = rows.columns[f];
        int[] index = rows.index[f];
        long[] times = rows.times;
        // Typed access hoisted out of the loop; no point is boxed.
        double[] fv = col instanceof Column.FloatColumn fc ? fc.values() : null;
        long[] lv = col instanceof Column.IntegerColumn ic ? ic.values() : null;
        List<String> sv = col instanceof Column.StringColumn sc ? sc.values() : null;
        boolean[] bv = col instanceof Column.BooleanColumn bc ? bc.values() : null;
        // Times ascend, so the bucket changes rarely: keep its bounds [lo, hi).
        long lo = 1;
        long hi = 0;
        Accumulator a = null;
        Accumulator target = null;
        int b = 0;
        IntegralPoints integral = spec.function().equals("integral")
            ? integrals.computeIfAbsent(ci, k -> new IntegralPoints()) : null;
        List<String> pickTags = null;
        if (!spec.tags().isEmpty()) {
          pickTags = new ArrayList<>(spec.tags().size());
          for (String tag : spec.tags()) {
            pickTags.add(key.tag(tag));
          }
        }
        for (int r = 0; r < times.length; r++) {
          int i = index == null ? r : index[r];
          if (i < 0) {
            continue;
          }
          long t = times[r];
          if (t < range[0] || t > range[1]) {
            continue;
          }
          if (cond != null && !rowCondition(cond, t, rowRefs(rows, r, key, fieldTypes, true))) {
            continue;
          }
          if (integral != null) {
            if (fv != null) {
              integral.add(t, fv[i], false);
            } else if (lv != null) {
              integral.add(t, lv[i], true);
            } else if (sv != null) {
              // influxd's "unsupported integral iterator type" for strings and booleans
              Accumulator.create("integral", 0, 0).addString(t, sv.get(i));
            } else {
              Accumulator.create("integral", 0, 0).addBoolean(t, bv[i]);
            }
            continue;
          }
          if (t < lo || t >= hi) {
            if (a != target) {
              target.combine(a);
            }
            if (byTime) {
              lo = windows.start(t);
              hi = windows.end(t);
              b = buckets.indexOf(t);
            } else {
              lo = Long.MIN_VALUE;
              hi = Long.MAX_VALUE;
              b = 0;
            }
            if (b < 0 || b >= nBuckets) {
              a = null;
              target = null;
            } else {
              Accumulator[] row = acc[b];
              if (row == null) {
                row = newRow(specs, s.descending());
                acc[b] = row;
              }
              target = row[ci];
              Accumulator partial = target.partial();
              a = partial != null ? partial : target;
            }
          }
          if (a == null) {
            continue;
          }
          if (a instanceof Accumulator.MultiSelector multi) {
            multi.tagValues = pickTags;
            if (auxValues != null) {
              multi.rowColumns = rowRefs(rows, r, key, fieldTypes, false);
            }
          }
          if (fv != null) {
            a.addDouble(t, fv[i]);
          } else if (lv != null) {
            a.addLong(t, lv[i]);
          } else if (sv != null) {
            a.addString(t, sv.get(i));
          } else {
            a.addBoolean(t, bv[i]);
          }
          if (auxValues != null && a.selectedChanged) {
            Map<VarRef, Object> vals = new HashMap<>();
            Function<Expr, Object> refs = rowRefs(rows, r, key, fieldTypes, false);
            for (VarRef v : aux) {
              vals.put(v, refs.apply(v));
            }
            auxValues[b] = vals;
          }
        }
        if (a != target) {
          target.combine(a);
        }
      }
    }

    for (Map.Entry<Integer, IntegralPoints> e : integrals.entrySet()) {
      CallSpec spec = specs.get(e.getKey());
      for (Integral.Area area : e.getValue().areas(windows, spec.unit())) {
        int b = byTime ? buckets.indexOf(area.start()) : 0;
        if (b >= 0 && b < nBuckets) {
          if (acc[b] == null) {
            acc[b] = newRow(specs, s.descending());
          }
          ((Accumulator.Precomputed) acc[b][e.getKey()]).value = area.value();
        }
      }
    }

    return new Accumulated(specs, callIndex, acc, aux, auxValues, !integrals.isEmpty());
  }

  /** The rows of accumulated buckets, bucket by bucket, with fill. */
  private static List<List<Object>> bucketRows(Select s, List<OutputColumn> columns, Accumulated accumulated,
      Map<String, FieldType> fieldTypes, long[] range, TimeWindows windows, TimeWindows.Buckets buckets) {
    boolean byTime = windows != null;
    List<CallSpec> specs = accumulated.specs();
    Map<Call, Integer> callIndex = accumulated.callIndex();
    Accumulator[][] acc = accumulated.acc();
    List<VarRef> aux = accumulated.aux();
    Map<VarRef, Object>[] auxValues = accumulated.auxValues();
    int nBuckets = acc.length;
    boolean selectorTime = !byTime && specs.size() == 1 && SELECTORS.contains(specs.get(0).function());
    // influxd's integral() keeps the time its reducer gives (0 without GROUP BY time) and is
    // not filled: an interval without area has no row.
    boolean onlyIntegrals = specs.stream().allMatch(sp -> sp.function().equals("integral"));
    long defaultTime = range[0] == Eval.MIN_TIME || onlyIntegrals ? 0 : range[0];
    List<List<Object>> out = new ArrayList<>();
    Object[] previous = new Object[specs.size()];
    // As in influxd every call is filled on its own (each is an iterator with its own fill): a
    // bucket where one call has points and another none shows the fill in the other's column,
    // fill(number) cast to the column's type. A call without points anywhere in the group, and
    // integral(), have no fill of their own (the iterator never starts); influxd's row scanner
    // then puts a fill(number) in their empty cells, and null for the other fills.
    boolean[] filled = new boolean[specs.size()];
    FieldType[] fillTypes = new FieldType[specs.size()];
    for (int k = 0; k < specs.size(); k++) {
      for (int b = 0; b < nBuckets && !filled[k]; b++) {
        filled[k] = acc[b] != null && acc[b][k].produced();
      }
      filled[k] &= !specs.get(k).function().equals("integral");
      fillTypes[k] = fillType(specs.get(k), fieldTypes);
    }
    boolean multiRowCalls = specs.stream().anyMatch(sp -> MULTI_ROW.contains(sp.function()));
    // After the calls' own fills, influxd's row scanner keeps a map of each column's value per
    // series: under fill(previous) an empty cell (a call or a lone selector's other column, as in
    // max(v), host) keeps the last value the column had; under fill(number) it takes the number
    // cast to the column's numeric type (strings, booleans and tags get it as written).
    Map<VarRef, Object> lastAux = new HashMap<>();
    Map<VarRef, FieldType> auxTypes = new HashMap<>();
    for (VarRef v : aux) {
      auxTypes.put(v, isField(v, fieldTypes) ? fieldTypes.get(v.name()) : null);
    }
    boolean anyPoints = false;
    for (int b = 0; b < nBuckets && !anyPoints; b++) {
      anyPoints = acc[b] != null;
    }
    if (byTime && !anyPoints && !accumulated.anyIntegral()) {
      return List.of(); // a group whose points the condition all refused: influxd shows no series
    }
    int[] shown = {0};
    if (byTime) {
      boolean[] hasPoints = new boolean[nBuckets];
      for (int b = 0; b < nBuckets; b++) {
        hasPoints[b] = acc[b] != null;
      }
      shown = buckets.walk(hasPoints);
    }
    if (s.descending()) {
      // ORDER BY time DESC: influxd walks the buckets last first (fill(previous) takes the later
      // bucket's value), but answers the points of one bucket (top, bottom, distinct) in time order.
      for (int i = 0, j = shown.length - 1; i < j; i++, j--) {
        int t = shown[i];
        shown[i] = shown[j];
        shown[j] = t;
      }
    }
    for (int b : shown) {
      Accumulator[] row = acc[b];
      long bucketTime = byTime ? buckets.start(b) : defaultTime;
      if (row == null && multiRowCalls) {
        continue; // influxd fills no bucket of top, bottom, distinct or sample
      }
      if (row != null && row[0].multiRow()) {
        // Calls answering several points stand alone, or are the columns of one sample(*).
        for (Object[] cells : multiRows(row)) {
          Object[] first = (Object[]) java.util.Arrays.stream(cells).filter(java.util.Objects::nonNull).findFirst().orElseThrow();
          long t = (Long) first[0] == Long.MIN_VALUE ? bucketTime : (Long) first[0];
          List<Object> r = new ArrayList<>();
          r.add(t);
          Map<String, String> picked = first.length > 2 ? (Map<String, String>) first[2] : Map.of();
          Function<Expr, Object> rowColumns = first.length > 3 ? (Function<Expr, Object>) first[3] : null;
          for (OutputColumn c : columns) {
            // A series without the picked tag shows null there, as in influxd; other columns
            // come from the chosen point's row (top(v, 2), host).
            r.add(Eval.value(c.expr(), x -> {
              if (x instanceof Call || x instanceof Ast.Distinct) {
                Integer k = x instanceof Call call ? callIndex.get(call) : Integer.valueOf(0);
                return k == null || cells[k] == null ? null : ((Object[]) cells[k])[1];
              } else if (x instanceof VarRef ref && !picked.getOrDefault(ref.name(), "").isEmpty()) {
                return picked.get(ref.name());
              }
              return rowColumns != null ? rowColumns.apply(x) : null;
            }));
          }
          out.add(r);
        }
        continue;
      }
      Object[] vals = new Object[specs.size()];
      boolean[] produced = new boolean[specs.size()];
      // A row even when its results are null (stddev of one point) if some call produced.
      boolean any = false;
      long time = bucketTime;
      if (row != null) {
        for (int k = 0; k < specs.size(); k++) {
          vals[k] = row[k].result();
          produced[k] = row[k].produced();
          any |= produced[k];
        }
        if (selectorTime && vals[0] != null) {
          time = row[0].time();
        }
      }
      if (!any && (!byTime || onlyIntegrals || s.fill() == Fill.NONE)) {
        continue;
      }
      for (int k = 0; k < specs.size(); k++) {
        if (produced[k]) {
          // A result, even a null one (influxd's NaN: the stddev of one point), is the column's
          // value: not filled, and what fill(previous) repeats.
          previous[k] = vals[k];
          continue;
        } else if (!byTime) {
          continue;
        }
        if (filled[k]) {
          vals[k] = switch (s.fill()) {
            // influxd's count() reports 0, not null, for an empty interval under fill(null).
            case NULL -> specs.get(k).function().startsWith("count") ? (Object) 0L : null;
            case NUMBER -> castFill(s.fillValue(), fillTypes[k]);
            case PREVIOUS -> previous[k];
            case LINEAR -> linear(b, k, nBuckets, acc, buckets, windows.interval());
            case NONE -> null;
          };
        }
        if (vals[k] == null) {
          vals[k] = scannerFill(s, previous[k], fillTypes[k]);
        }
      }
      Object[] finalVals = vals;
      Map<VarRef, Object> auxRow = auxValues == null || !any ? null : auxValues[b];
      Map<VarRef, Object> rowAux = auxValues != null && byTime ? new HashMap<>() : auxRow;
      if (auxValues != null && byTime) {
        for (VarRef v : aux) {
          Object value = auxRow == null ? null : auxRow.get(v);
          if (value != null) {
            lastAux.put(v, value);
          } else {
            value = scannerFill(s, lastAux.get(v), auxTypes.get(v));
          }
          rowAux.put(v, value);
        }
      }
      List<Object> r = new ArrayList<>(columns.size() + 1);
      r.add(time);
      for (OutputColumn c : columns) {
        r.add(Eval.value(c.expr(), x -> {
          if (x instanceof Call call) {
            Integer k = callIndex.get(call);
            return k == null ? null : finalVals[k];
          } else if (x instanceof Ast.Distinct) {
            return null;
          }
          return rowAux == null ? null : rowAux.get(x);
        }));
      }
      out.add(r);
    }
    return out;
  }

  /**
   * Rows zipped from columns of points by time: the k-th point of a time in one column beside the
   * k-th point of that time in the others (as influxd zips its iterators), so a time has as many
   * rows as the column with the most points there; cells of columns with fewer are null.
   */
  private static final class ZippedRows {
    private final TreeMap<Long, List<Object[]>> byTime;
    private final int width;

    ZippedRows(java.util.Comparator<Long> order, int width) {
      this.byTime = new TreeMap<>(order);
      this.width = width;
    }

    /** Column {@code k}: its points in their order. */
    <P> void add(int k, List<P> points, java.util.function.ToLongFunction<P> time, Function<P, Object> value) {
      Map<Long, Integer> seen = new HashMap<>();
      for (P p : points) {
        long t = time.applyAsLong(p);
        List<Object[]> atTime = byTime.computeIfAbsent(t, x -> new ArrayList<>());
        int occurrence = seen.merge(t, 1, Integer::sum) - 1;
        if (occurrence == atTime.size()) {
          atTime.add(new Object[width]);
        }
        atTime.get(occurrence)[k] = value.apply(p);
      }
    }

    /** Every row with its time, in the order's time order. */
    void forEach(java.util.function.BiConsumer<Long, Object[]> row) {
      byTime.forEach((time, atTime) -> atTime.forEach(cells -> row.accept(time, cells)));
    }
  }

  /**
   * The rows of a bucket of multi-point calls, zipped by time (see {@link ZippedRows}): each cell
   * holds a call's point ({time, value, tags, row columns}) or null.
   */
  private static List<Object[]> multiRows(Accumulator[] row) {
    ZippedRows zipped = new ZippedRows(java.util.Comparator.naturalOrder(), row.length);
    for (int k = 0; k < row.length; k++) {
      zipped.add(k, row[k].results(), point -> (Long) point[0], point -> point);
    }
    List<Object[]> rows = new ArrayList<>();
    zipped.forEach((time, cells) -> rows.add(cells));
    return rows;
  }

  @SuppressWarnings("unchecked")
  private static Map<VarRef, Object>[] newAuxArray(int n) {
    return new Map[n];
  }

  /**
   * An empty cell of a GROUP BY time row as influxd's row scanner leaves it: the column's last
   * value under fill(previous), the fill number under fill(number) (cast to a numeric column's
   * type; a string, boolean or tag column cannot take it and shows it as written), else null.
   */
  private static Object scannerFill(Select s, Object last, FieldType type) {
    if (s.fill() == Fill.PREVIOUS) {
      return last;
    } else if (s.fill() != Fill.NUMBER) {
      return null;
    } else if (type == FieldType.FLOAT || type == FieldType.INTEGER) {
      return castFill(s.fillValue(), type);
    }
    return s.fillValue();
  }

  /** The type of a call's results, which a fill(number) takes: influxd casts the number to it. */
  private static FieldType fillType(CallSpec spec, Map<String, FieldType> fieldTypes) {
    return switch (spec.function()) {
      case "count", "count_distinct" -> FieldType.INTEGER;
      case "mean", "median", "stddev", "integral" -> FieldType.FLOAT;
      default -> fieldTypes.get(spec.field());
    };
  }

  /**
   * fill(number) in a column of {@code type}, as influxd casts it: an integer column truncates,
   * a boolean or string one cannot take a number and shows its zero value.
   */
  private static Object castFill(Number value, FieldType type) {
    if (type == null) {
      return value;
    }
    return switch (type) {
      case FLOAT -> value.doubleValue();
      case INTEGER -> value.longValue();
      case BOOLEAN -> false;
      case STRING -> "";
    };
  }

  /**
   * fill(linear): interpolate call {@code k} between the nearest buckets where it has values, on
   * bucket numbers as influxd counts them (each time divided by the interval, truncated), so a
   * window stretched by a daylight-saving change interpolates as there; null for strings and
   * booleans and at the edges.
   */
  private static Object linear(int b, int k, int nBuckets, Accumulator[][] acc, TimeWindows.Buckets buckets,
      long interval) {
    int prevB = -1;
    for (int p = b - 1; p >= 0; p--) {
      if (acc[p] != null && acc[p][k].result() != null) {
        prevB = p;
        break;
      }
    }
    int nextB = -1;
    for (int q = b + 1; q < nBuckets; q++) {
      if (acc[q] != null && acc[q][k].result() != null) {
        nextB = q;
        break;
      }
    }
    if (prevB < 0 || nextB < 0) {
      return null;
    }
    Object pv = acc[prevB][k].result();
    Object nv = acc[nextB][k].result();
    long x = buckets.start(b) / interval;
    long px = buckets.start(prevB) / interval;
    long nx = buckets.start(nextB) / interval;
    // influxd's linearInteger and linearFloat: y = m*x + b in float64, the integer form
    // truncated once at the end (a falling line from 2 to 1 gives 1 half way, not 2).
    if (pv instanceof Long pl && nv instanceof Long nl) {
      double m = (double) (nl - pl) / (double) (nx - px);
      return (long) (m * (double) (x - px) + (double) pl);
    } else if (pv instanceof Number pn && nv instanceof Number nn) {
      double m = (nn.doubleValue() - pn.doubleValue()) / (double) (nx - px);
      return m * (double) (x - px) + pn.doubleValue();
    }
    return null;
  }
}
