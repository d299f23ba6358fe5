package dev.capstan.controllers.lb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code GET /status} of each balancer (the JSON of the balancer's {@code LbServer.Status}:
 * a {@code servers} array whose {@code health} is UP, DOWN or EJECTED) and counts the servers
 * that are UP. All balancers are asked at once with short timeouts, so that a reconcile waits
 * at most about {@link #REQUEST_TIMEOUT} however many balancers there are and however many are
 * unreachable.
 */
public final class HttpBalancerStatusReader implements BalancerStatusReader {
  private static final Logger log = LoggerFactory.getLogger(HttpBalancerStatusReader.class);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT)
      .build();

  @Override
  public Map<String, Integer> healthyServers(Collection<String> addresses, int port) {
    Map<String, CompletableFuture<OptionalInt>> asked = new LinkedHashMap<>();
    for (String address : addresses) {
      HttpRequest request = HttpRequest.newBuilder(statusUri(address, port)).timeout(REQUEST_TIMEOUT).GET().build();
      asked.put(address, http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> r.statusCode() == 200 ? healthyIn(r.body()) : OptionalInt.empty()));
    }
    long deadline = System.nanoTime() + REQUEST_TIMEOUT.plus(CONNECT_TIMEOUT).toNanos();
    Map<String, Integer> answers = new LinkedHashMap<>();
    for (var e : asked.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        e.getValue().get(left, TimeUnit.NANOSECONDS).ifPresent(n -> answers.put(e.getKey(), n));
      } catch (ExecutionException | TimeoutException ex) {
        e.getValue().cancel(true);
        log.debug("balancer {} did not report its servers: {}", e.getKey(), ex.toString());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return answers;
  }

  static URI statusUri(String address, int port) {
    String host = address.contains(":") ? "[" + address + "]" : address;
    return URI.create("http://" + host + ":" + port + "/status");
  }

  /** The servers reported UP in a balancer's /status JSON; empty when it is not such a report. */
  static OptionalInt healthyIn(String json) {
    try {
      JsonNode servers = JSON.readTree(json).path("servers");
      if (!servers.isArray()) {
        return OptionalInt.empty();
      }
      int up = 0;
      for (JsonNode s : servers) {
        if ("UP".equals(s.path("health").asText())) {
          up++;
        }
      }
      return OptionalInt.of(up);
    } catch (IOException e) {
      return OptionalInt.empty();
    }
  }
}
