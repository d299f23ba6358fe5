package dev.capstan.dataplane.tsdb.influxql;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.config.TsdbNodeConfig;
import dev.capstan.dataplane.server.DurableFile;
import dev.capstan.dataplane.tsdb.influxql.Eval.QueryError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's continuous queries, by database, in creation order. Kept in a JSON file next to the
 * data (written whole to a temporary file, synced, then moved over the old one), so they survive
 * a restart; {@link #inMemory()} for executors that have no data directory.
 */
public final class ContinuousQueries {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One continuous query; {@code text} is its CREATE statement, parsed again to run it;
   * {@code declared}: it comes from the node configuration (the TsdbCluster), not from InfluxQL.
   */
  public record Definition(String database, String name, String text, boolean declared) {
    public Definition(String database, String name, String text) {
      this(database, name, text, false);
    }
  }

  private final Path file;
  private final Map<String, Map<String, Definition>> byDatabase = new LinkedHashMap<>();

  private ContinuousQueries(Path file) {
    this.file = file;
  }

  public static ContinuousQueries inMemory() {
    return new ContinuousQueries(null);
  }

  /** The queries kept in {@code file}, none if it does not exist yet. */
  public static ContinuousQueries open(Path file) throws IOException {
    ContinuousQueries queries = new ContinuousQueries(file);
    if (Files.exists(file)) {
      for (Definition d : JSON.readValue(file.toFile(), new TypeReference<List<Definition>>() {})) {
        queries.byDatabase.computeIfAbsent(d.database(), k -> new LinkedHashMap<>()).put(d.name(), d);
      }
    }
    return queries;
  }

  /** Adds a query; the same statement again is a no-op, another under its name an error. */
  synchronized void create(Definition d) {
    Map<String, Definition> db = byDatabase.computeIfAbsent(d.database(), k -> new LinkedHashMap<>());
    Definition existing = db.get(d.name());
    if (existing != null) {
      if (existing.text().equals(d.text())) {
        return;
      }
      throw new QueryError("continuous query already exists");
    }
    db.put(d.name(), d);
    try {
      save();
    } catch (QueryError e) {
      db.remove(d.name());
      throw e;
    }
  }

  /**
   * Makes the continuous queries the configuration declares exist as declared, and removes the
   * ones it declared before and no longer does; queries created with InfluxQL stay unless one
   * of the same name is declared. A declared query that does not parse is left out.
   *
   * @return one line per change or refusal, for the log
   */
  public synchronized List<String> applyDeclared(TsdbNodeConfig config) {
    List<String> lines = new ArrayList<>();
    Map<String, Map<String, Definition>> wanted = new LinkedHashMap<>();
    for (TsdbNodeConfig.Database db : config.databases() == null ? List.<TsdbNodeConfig.Database>of() : config.databases()) {
      for (TsdbNodeConfig.ContinuousQuery cq : db.continuousQueriesOrEmpty()) {
        StringBuilder text = new StringBuilder("CREATE CONTINUOUS QUERY ").append(Parser.quoteIdent(List.of(cq.name())))
            .append(" ON ").append(Parser.quoteIdent(List.of(db.name())));
        if (cq.resampleEvery() != null || cq.resampleFor() != null) {
          text.append(" RESAMPLE");
          if (cq.resampleEvery() != null) {
            text.append(" EVERY ").append(cq.resampleEvery());
          }
          if (cq.resampleFor() != null) {
            text.append(" FOR ").append(cq.resampleFor());
          }
        }
        text.append(" BEGIN ").append(cq.query()).append(" END");
        try {
          List<Ast.Statement> parsed = Parser.parseQuery(text.toString());
          if (parsed.size() != 1 || !(parsed.get(0) instanceof Ast.CreateContinuousQuery create)) {
            throw new QueryParseException("the query must be one SELECT");
          }
          wanted.computeIfAbsent(db.name(), k -> new LinkedHashMap<>())
              .put(cq.name(), new Definition(db.name(), cq.name(), create.text(), true));
        } catch (QueryParseException e) {
          // The position counts from the CREATE CONTINUOUS QUERY statement the declaration makes.
          lines.add("continuous query " + cq.name() + " on " + db.name() + " refused: " + e.getMessage());
        }
      }
    }
    boolean changed = false;
    for (Map.Entry<String, Map<String, Definition>> db : byDatabase.entrySet()) {
      for (var it = db.getValue().values().iterator(); it.hasNext(); ) {
        Definition d = it.next();
        if (d.declared() && !wanted.getOrDefault(db.getKey(), Map.of()).containsKey(d.name())) {
          it.remove();
          changed = true;
          lines.add("continuous query " + d.name() + " on " + d.database() + " removed: no longer declared");
        }
      }
    }
    for (Map<String, Definition> db : wanted.values()) {
      for (Definition d : db.values()) {
        Definition existing = byDatabase.getOrDefault(d.database(), Map.of()).get(d.name());
        if (d.equals(existing)) {
          continue;
        }
        byDatabase.computeIfAbsent(d.database(), k -> new LinkedHashMap<>()).put(d.name(), d);
        changed = true;
        lines.add("continuous query " + d.name() + " on " + d.database() + (existing == null ? " created"
            : existing.declared() ? " changed" : " declared, replacing the one created with InfluxQL"));
      }
    }
    if (changed) {
      save();
    }
    return lines;
  }

  /** Removes a query; one that does not exist is not an error (as in influxd). */
  synchronized void drop(String database, String name) {
    Map<String, Definition> db = byDatabase.get(database);
    Definition removed = db == null ? null : db.remove(name);
    if (removed != null) {
      try {
        save();
      } catch (QueryError e) {
        db.put(name, removed);
        throw e;
      }
    }
  }

  /** Forgets the queries of a dropped database. */
  synchronized void dropDatabase(String database) {
    if (byDatabase.remove(database) != null) {
      save();
    }
  }

  /** The queries of one database, in creation order. */
  synchronized List<Definition> of(String database) {
    return List.copyOf(byDatabase.getOrDefault(database, Map.of()).values());
  }

  public synchronized List<Definition> all() {
    List<Definition> out = new ArrayList<>();
    byDatabase.values().forEach(db -> out.addAll(db.values()));
    return out;
  }

  private void save() {
    if (file == null) {
      return;
    }
    try {
      DurableFile.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all()));
    } catch (IOException e) {
      throw new QueryError("cannot save continuous queries to " + file + ": " + e.getMessage());
    }
  }
}
