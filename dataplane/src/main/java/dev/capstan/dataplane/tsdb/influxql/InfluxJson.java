package dev.capstan.dataplane.tsdb.influxql;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes {@code /query} answers byte for byte as influxd 1.6.7 does: Go's encoding/json field
 * order and omitempty rules, its number and time texts, {@code MarshalIndent} with four spaces for
 * {@code pretty=true}, and a trailing newline.
 */
public final class InfluxJson {
  private InfluxJson() {}

  /**
   * The whole answer {@code {"results":[...]}}, results of the same statement merged as influxd's
   * handler merges them (an error replaces what came before; rows of the same series join).
   */
  public static void write(List<StatementResult> results, JsonOptions options, OutputStream out) {
    Map<String, Object> root = new LinkedHashMap<>();
    List<Object> list = new ArrayList<>();
    for (StatementResult r : merge(results)) {
      list.add(result(r));
    }
    root.put("results", list);
    emit(root, options, out);
  }

  /** influxd's non-chunked merge of the results its executor emitted. */
  static List<StatementResult> merge(List<StatementResult> results) {
    List<StatementResult> out = new ArrayList<>();
    for (StatementResult r : results) {
      if (out.isEmpty() || out.get(out.size() - 1).statementId() != r.statementId()) {
        out.add(r);
        continue;
      }
      if (r.error() != null) {
        out.set(out.size() - 1, r);
        continue;
      }
      StatementResult last = out.get(out.size() - 1);
      List<SeriesRow> series = new ArrayList<>(last.series());
      int merged = 0;
      if (!series.isEmpty()) {
        SeriesRow tail = series.get(series.size() - 1);
        for (SeriesRow row : r.series()) {
          if (!Objects.equals(tail.name(), row.name()) || !tail.tags().equals(row.tags())) {
            break;
          }
          List<List<Object>> values = new ArrayList<>(tail.values());
          values.addAll(row.values());
          tail = new SeriesRow(tail.name(), tail.tags(), tail.columns(), tail.timeColumn(), values, tail.partial(),
              tail.zone());
          series.set(series.size() - 1, tail);
          merged++;
        }
      }
      series.addAll(r.series().subList(merged, r.series().size()));
      List<StatementResult.Message> messages = new ArrayList<>(last.messages());
      messages.addAll(r.messages());
      out.set(out.size() - 1, new StatementResult(last.statementId(), series, messages, last.error(), r.partial()));
    }
    return out;
  }

  /**
   * A {@code chunked=true} answer: per statement, each series in chunks of at most {@code
   * chunkSize} rows, one {@code {"results":[...]}} line per chunk, {@code partial} marking a series
   * (and a statement) that continues in the next line, as influxd 1.6.7 streams them.
   */
  public static void writeChunked(List<StatementResult> results, JsonOptions options, int chunkSize,
      OutputStream out) {
    for (StatementResult r : results) {
      for (StatementResult c : chunk(r, chunkSize)) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("results", List.of(result(c)));
        emit(root, options, out);
      }
    }
  }

  /** {@code {"error":"..."}}: a query that did not parse or could not run at all. */
  public static void writeError(String error, JsonOptions options, OutputStream out) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("error", error);
    emit(root, options, out);
  }

  static List<StatementResult> chunk(StatementResult result, int chunkSize) {
    List<StatementResult> chunks = new ArrayList<>();
    // Only SELECT answers (the ones with a time column) stream in chunks; influxd sends the
    // answers of meta statements such as SHOW DATABASES whole.
    if (result.error() != null || result.series().isEmpty() || !result.series().get(0).timeColumn()) {
      chunks.add(result);
      return chunks;
    }
    int size = chunkSize > 0 ? chunkSize : 10_000;
    List<SeriesRow> series = result.series();
    for (int s = 0; s < series.size(); s++) {
      SeriesRow row = series.get(s);
      List<List<Object>> values = row.values();
      for (int i = 0; i < Math.max(1, values.size()); i += size) {
        int end = Math.min(values.size(), i + size);
        boolean moreOfSeries = end < values.size();
        boolean moreOfStatement = moreOfSeries || s < series.size() - 1;
        SeriesRow part = new SeriesRow(row.name(), row.tags(), row.columns(), row.timeColumn(),
            values.subList(i, end), moreOfSeries, row.zone());
        chunks.add(new StatementResult(result.statementId(), List.of(part),
            chunks.isEmpty() ? result.messages() : List.of(), null, moreOfStatement));
      }
    }
    return chunks;
  }

  private static Map<String, Object> result(StatementResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("statement_id", (long) r.statementId());
    if (!r.series().isEmpty()) {
      m.put("series", r.series());
    }
    if (!r.messages().isEmpty()) {
      List<Object> msgs = new ArrayList<>();
      for (StatementResult.Message msg : r.messages()) {
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("level", msg.level());
        mm.put("text", msg.text());
        msgs.add(mm);
      }
      m.put("messages", msgs);
    }
    if (r.partial()) {
      m.put("partial", Boolean.TRUE);
    }
    if (r.error() != null) {
      m.put("error", r.error());
    }
    return m;
  }

  private static void emit(Object root, JsonOptions options, OutputStream out) {
    try {
      Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
      new Emitter(w, options).value(root, 0);
      w.write('\n');
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class Emitter {
    private final Writer w;
    private final JsonOptions options;

    Emitter(Writer w, JsonOptions options) {
      this.w = w;
      this.options = options;
    }

    private void newline(int depth) throws IOException {
      if (options.pretty()) {
        w.write('\n');
        for (int i = 0; i < depth; i++) {
          w.write("    ");
        }
      }
    }

    private void key(String k, int depth, boolean first) throws IOException {
      if (!first) {
        w.write(',');
      }
      newline(depth);
      string(k);
      w.write(options.pretty() ? ": " : ":");
    }

    @SuppressWarnings("unchecked")
    void value(Object v, int depth) throws IOException {
      if (v == null) {
        w.write("null");
      } else if (v instanceof String s) {
        string(s);
      } else if (v instanceof Double d) {
        // JSON has no NaN or infinity; influxd writes them as null (an RSI of a flat series is 0/0).
        w.write(Double.isFinite(d) ? GoFormat.formatFloat(d) : "null");
      } else if (v instanceof Long || v instanceof Integer) {
        w.write(v.toString());
      } else if (v instanceof Boolean b) {
        w.write(b ? "true" : "false");
      } else if (v instanceof Map<?, ?> m) {
        object((Map<String, Object>) m, depth);
      } else if (v instanceof SeriesRow row) {
        row(row, depth);
      } else if (v instanceof List<?> list) {
        array(list, depth, false, null);
      } else {
        string(v.toString());
      }
    }

    private void object(Map<String, Object> m, int depth) throws IOException {
      if (m.isEmpty()) {
        w.write("{}");
        return;
      }
      w.write('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : m.entrySet()) {
        key(e.getKey(), depth + 1, first);
        first = false;
        value(e.getValue(), depth + 1);
      }
      newline(depth);
      w.write('}');
    }

    /** {@code timeFirst}: the first item is a time, printed in {@code zone} (null: UTC). */
    private void array(List<?> list, int depth, boolean timeFirst, ZoneId zone) throws IOException {
      if (list.isEmpty()) {
        w.write("[]");
        return;
      }
      w.write('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          w.write(',');
        }
        newline(depth + 1);
        Object item = list.get(i);
        if (i == 0 && timeFirst && item instanceof Long t) {
          time(t, zone);
        } else {
          value(item, depth + 1);
        }
      }
      newline(depth);
      w.write(']');
    }

    private void time(long nanos, ZoneId zone) throws IOException {
      if (options.epoch() == null) {
        // An RFC3339 time has nothing to escape: one write, not one per character.
        w.write('"' + (zone == null ? GoFormat.formatTime(nanos) : GoFormat.formatTime(nanos, zone)) + '"');
      } else {
        w.write(Long.toString(nanos / options.epochDivisor()));
      }
    }

    private void row(SeriesRow row, int depth) throws IOException {
      w.write('{');
      boolean first = true;
      if (row.name() != null && !row.name().isEmpty()) {
        key("name", depth + 1, true);
        string(row.name());
        first = false;
      }
      if (!row.tags().isEmpty()) {
        key("tags", depth + 1, first);
        first = false;
        object(new TreeMap<>(row.tags()), depth + 1);
      }
      if (!row.columns().isEmpty()) {
        key("columns", depth + 1, first);
        first = false;
        array(row.columns(), depth + 1, false, null);
      }
      if (!row.values().isEmpty()) {
        key("values", depth + 1, first);
        first = false;
        List<List<Object>> values = row.values();
        w.write('[');
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            w.write(',');
          }
          newline(depth + 2);
          array(values.get(i), depth + 2, row.timeColumn(), row.zone());
        }
        newline(depth + 1);
        w.write(']');
      }
      if (row.partial()) {
        key("partial", depth + 1, first);
        first = false;
        w.write("true");
      }
      if (first) {
        w.write('}');
        return;
      }
      newline(depth);
      w.write('}');
    }

    /** Go's encoding/json string escaping, HTML-safe as json.Marshal is. */
    private void string(String s) throws IOException {
      if (!needsEscaping(s)) {
        w.write('"' + s + '"'); // the common case, written whole instead of char by char
        return;
      }
      w.write('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> w.write("\\\"");
          case '\\' -> w.write("\\\\");
          case '\n' -> w.write("\\n");
          case '\r' -> w.write("\\r");
          case '\t' -> w.write("\\t");
          case '<' -> w.write("\\u003c");
          case '>' -> w.write("\\u003e");
          case '&' -> w.write("\\u0026");
          case '\u2028' -> w.write("\\u2028");
          case '\u2029' -> w.write("\\u2029");
          default -> {
            if (c < 0x20) {
              w.write(String.format("\\u%04x", (int) c));
            } else {
              w.write(c);
            }
          }
        }
      }
      w.write('"');
    }

    /** Whether {@link #string} must rewrite any character of {@code s}, as Go's encoder does. */
    private static boolean needsEscaping(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
          return true;
        }
      }
      return false;
    }
  }
}
