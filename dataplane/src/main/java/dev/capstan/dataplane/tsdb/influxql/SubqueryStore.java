package dev.capstan.dataplane.tsdb.influxql;

import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.codec.Column;
import dev.capstan.dataplane.tsdb.influxql.Eval.QueryError;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.RetentionPolicy;
import dev.capstan.dataplane.tsdb.store.SeriesFilter;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.SeriesVisitor;
import dev.capstan.dataplane.tsdb.store.ShardGroupSpan;
import dev.capstan.dataplane.tsdb.store.TsdbStore;
import dev.capstan.dataplane.tsdb.store.WriteOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The result of a subquery as the read-only store its outer SELECT reads, which is how influxd
 * treats it: a result series is a series (its name the measurement, its GROUP BY tags the tags),
 * a row is a point and every column but time is a field. A field is float if any of its values
 * is; integers then widen, as influxd's iterators cast them.
 */
final class SubqueryStore implements TsdbStore {
  /** The one database and policy the outer SELECT names. */
  static final String DATABASE = "subquery";

  private final TreeMap<String, TreeMap<SeriesKey, Map<String, TreeMap<Long, Object>>>> data = new TreeMap<>();
  private final Map<String, TreeMap<String, FieldType>> types = new TreeMap<>();

  /** Adds the rows of one subquery's result. */
  void add(List<SeriesRow> rows) {
    for (SeriesRow row : rows) {
      if (row.name() == null || !row.timeColumn()) {
        continue;
      }
      SeriesKey key = SeriesKey.of(row.name(), row.tags());
      Map<String, TreeMap<Long, Object>> fields =
          data.computeIfAbsent(row.name(), n -> new TreeMap<>()).computeIfAbsent(key, k -> new LinkedHashMap<>());
      TreeMap<String, FieldType> fieldTypes = types.computeIfAbsent(row.name(), n -> new TreeMap<>());
      for (List<Object> values : row.values()) {
        long time = (Long) values.get(0);
        for (int c = 1; c < values.size(); c++) {
          Object v = values.get(c);
          if (v == null) {
            continue;
          }
          String field = row.columns().get(c);
          FieldType type = typeOf(v);
          FieldType known = fieldTypes.putIfAbsent(field, type);
          if (known != null && known != type) {
            if (isNumber(known) && isNumber(type)) {
              fieldTypes.put(field, FieldType.FLOAT);
            } else {
              throw new QueryError("subquery column " + field + " of " + row.name() + " holds both "
                  + known.influxName() + " and " + type.influxName() + " values; select them under two names");
            }
          }
          if (fields.computeIfAbsent(field, f -> new TreeMap<>()).put(time, v) != null) {
            // influxd keeps both rows; a series here holds one value per time.
            throw new QueryError("the subquery answers two rows at one time in " + key.text()
                + "; group it by the tags that tell them apart (GROUP BY *)");
          }
        }
      }
    }
  }

  /** The measurements of the result, as the outer SELECT's FROM. */
  List<Ast.Measurement> sources() {
    List<Ast.Measurement> out = new ArrayList<>();
    for (String name : data.keySet()) {
      out.add(new Ast.Measurement(DATABASE, null, name, null));
    }
    return out;
  }

  private static FieldType typeOf(Object v) {
    if (v instanceof Double) {
      return FieldType.FLOAT;
    } else if (v instanceof Long) {
      return FieldType.INTEGER;
    } else if (v instanceof Boolean) {
      return FieldType.BOOLEAN;
    }
    return FieldType.STRING;
  }

  private static boolean isNumber(FieldType t) {
    return t == FieldType.FLOAT || t == FieldType.INTEGER;
  }

  @Override
  public List<String> databases() {
    return List.of(DATABASE);
  }

  @Override
  public List<RetentionPolicy> retentionPolicies(String database) {
    return List.of(new RetentionPolicy(RetentionPolicy.AUTOGEN, Duration.ZERO, Duration.ofDays(7), 1, true));
  }

  @Override
  public SortedSet<String> measurements(String database) {
    return new TreeSet<>(data.keySet());
  }

  @Override
  public List<SeriesKey> series(String database, String measurement) {
    return new ArrayList<>(data.getOrDefault(measurement, new TreeMap<>()).keySet());
  }

  @Override
  public SortedMap<String, FieldType> fieldKeys(String database, String measurement) {
    return new TreeMap<>(types.getOrDefault(measurement, new TreeMap<>()));
  }

  @Override
  public void read(ReadRequest request, SeriesVisitor visitor) {
    SeriesFilter filter = request.filter();
    for (String measurement : filter.measurement() != null ? List.of(filter.measurement()) : data.keySet()) {
      Map<String, FieldType> fieldTypes = types.getOrDefault(measurement, new TreeMap<>());
      for (var series : data.getOrDefault(measurement, new TreeMap<>()).entrySet()) {
        if (!filter.matches(series.getKey())) {
          continue;
        }
        Map<String, Block> blocks = new LinkedHashMap<>();
        for (String field : request.fields()) {
          TreeMap<Long, Object> points = series.getValue().get(field);
          if (points == null) {
            continue;
          }
          NavigableMap<Long, Object> range =
              request.limit().applyTo(points.subMap(request.minTime(), true, request.maxTime(), true));
          if (!range.isEmpty()) {
            blocks.put(field, block(range, fieldTypes.get(field)));
          }
        }
        if (!blocks.isEmpty()) {
          visitor.visit(series.getKey(), blocks);
        }
      }
    }
  }

  private static Block block(NavigableMap<Long, Object> points, FieldType type) {
    long[] times = new long[points.size()];
    int i = 0;
    for (long t : points.keySet()) {
      times[i++] = t;
    }
    Column column = switch (type) {
      case FLOAT -> new Column.FloatColumn(points.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray());
      case INTEGER -> new Column.IntegerColumn(points.values().stream().mapToLong(v -> (Long) v).toArray());
      case BOOLEAN -> {
        boolean[] b = new boolean[points.size()];
        int j = 0;
        for (Object v : points.values()) {
          b[j++] = (Boolean) v;
        }
        yield new Column.BooleanColumn(b);
      }
      case STRING -> new Column.StringColumn(points.values().stream().map(v -> (String) v).toList());
    };
    return new Block(times, column);
  }

  // A subquery's result is read, never written.

  @Override
  public List<ShardGroupSpan> shardGroups() {
    throw new UnsupportedOperationException("a subquery result has no shards");
  }

  @Override
  public void createDatabase(String name) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public void dropDatabase(String name) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public void createRetentionPolicy(String database, RetentionPolicy policy) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public void alterRetentionPolicy(String database, RetentionPolicy policy) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public void dropRetentionPolicy(String database, String name) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public WriteOutcome write(String database, String retentionPolicy, List<Point> points) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public void delete(String database, SeriesFilter filter, long minTime, long maxTime) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }

  @Override
  public void dropMeasurement(String database, String measurement) {
    throw new UnsupportedOperationException("a subquery result is read-only");
  }
}
