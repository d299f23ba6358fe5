package dev.capstan.dataplane.tsdb.http;

import dev.capstan.dataplane.tsdb.store.TsdbStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A stand-in for InfluxQL that knows three statements, enough to test the HTTP layer: {@code
 * SHOW DATABASES}, {@code CREATE DATABASE x} and anything starting with {@code SELEC } as a
 * parse error. It records what it was asked.
 */
final class FakeQueries implements QueryHandler {

  final List<QueryRequest> seen = new CopyOnWriteArrayList<>();
  private final TsdbStore store;

  FakeQueries(TsdbStore store) {
    this.store = store;
  }

  @Override
  public QueryResponse execute(QueryRequest request) {
    seen.add(request);
    String q = request.query().strip();
    if (q.startsWith("SELEC ")) {
      return QueryResponse.badRequest("error parsing query: found SELEC, expected SELECT at line 1, char 1");
    }
    String json;
    if (q.equals("SHOW DATABASES")) {
      String values = store.databases().stream().map(d -> "[" + Json.string(d) + "]").collect(Collectors.joining(","));
      json = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":["
          + values + "]}]}]}";
    } else if (q.startsWith("CREATE DATABASE ")) {
      store.createDatabase(q.substring("CREATE DATABASE ".length()));
      json = "{\"results\":[{\"statement_id\":0}]}";
    } else {
      json = "{\"results\":[{\"statement_id\":0,\"error\":\"unsupported by the fake\"}]}";
    }
    return QueryResponse.ok(json.getBytes(StandardCharsets.UTF_8));
  }
}
