package dev.capstan.controllers.lb;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpBalancerStatusReaderTest {

  /** The shape of the balancer's /status (LbServer.Status), trimmed to what matters here. */
  static final String STATUS = """
      {"mode":"HTTP","algorithm":"RoundRobin","listeners":{"web":8080},"openConnections":2,
       "servers":[
        {"address":"10.1.0.5:8086","weight":1,"health":"UP","active":0,"ewmaMillis":null,"requests":7,"failures":0},
        {"address":"10.1.0.6:8086","weight":1,"health":"DOWN","active":0,"ewmaMillis":null,"requests":3,"failures":3},
        {"address":"10.1.0.7:8086","weight":2,"health":"EJECTED","active":0,"ewmaMillis":null,"requests":9,"failures":2},
        {"address":"10.1.0.8:8086","weight":1,"health":"UP","active":1,"ewmaMillis":1.5,"requests":5,"failures":0}]}
      """;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      `{"servers":[]}`                                   | 0
      `{"servers":[{"health":"UP"}]}`                    | 1
      `{"servers":[{"health":"DOWN"},{"health":"up"}]}`  | 0
      `{"mode":"TCP"}`                                   |
      `{"servers":{"health":"UP"}}`                      |
      `not json`                                         |
      `<html>502 Bad Gateway</html>`                     |
      """)
  void countsTheServersReportedUp(String json, Integer up) {
    assertThat(HttpBalancerStatusReader.healthyIn(json))
        .isEqualTo(up == null ? OptionalInt.empty() : OptionalInt.of(up));
  }

  @Test
  void aBalancerStatusCountsOnlyUp() {
    assertThat(HttpBalancerStatusReader.healthyIn(STATUS)).hasValue(2);
  }

  @Test
  void ipv6AddressesAreBracketed() {
    assertThat(HttpBalancerStatusReader.statusUri("fd00::5", 9901)).hasToString("http://[fd00::5]:9901/status");
    assertThat(HttpBalancerStatusReader.statusUri("10.0.0.5", 9901)).hasToString("http://10.0.0.5:9901/status");
  }

  /**
   * Over real HTTP: a balancer that answers is counted; one that refuses the connection, and
   * one that answers an error, are left out rather than failing the read.
   */
  @Test
  void onlyBalancersThatAnswerAReportAreCounted() throws IOException {
    // One port, three addresses: a balancer that reports, one that answers an error, and
    // 127.0.0.4 with nothing there (connection refused).
    HttpServer ok = server("127.0.0.2", 0, 200, STATUS);
    int port = ok.getAddress().getPort();
    HttpServer failing = server("127.0.0.3", port, 500, "{\"servers\":[]}");
    try {
      Map<String, Integer> answers = new HttpBalancerStatusReader()
          .healthyServers(List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"), port);
      assertThat(answers).containsExactly(Map.entry("127.0.0.2", 2));
    } finally {
      ok.stop(0);
      failing.stop(0);
    }
  }

  private static HttpServer server(String address, int port, int status, String body) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 0);
    s.createContext("/status", x -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(status, bytes.length);
      x.getResponseBody().write(bytes);
      x.close();
    });
    s.start();
    return s;
  }
}
