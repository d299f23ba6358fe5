package dev.capstan.dataplane.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LbSettingsTest {

  private static final String BASE = """
      listeners: [{name: web, port: 8080}]
      backends: [{host: 10.0.0.1, port: 80, weight: 1}]
      adminPort: 9901
      """;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "algorithm: RoundRobin | mode is missing from lb.yaml (HTTP or TCP)",
      "mode: HTTP | algorithm is missing from lb.yaml",
      "'mode: HTTP\nalgorithm: Hash' | hashKey is missing from lb.yaml for algorithm Hash",
      "'mode: HTTP\nalgorithm: RandomTwoChoices' | twoChoicesBasis is missing from lb.yaml for RandomTwoChoices",
      "'mode: HTTP\nalgorithm: RoundRobin\ntimeouts: {connect: 5x, response: 1s, idle: 1s}' | timeouts.connect: invalid duration 5x (use a count and ms, s, m or h, such as 5s or 1m30s)",
      "'mode: HTTP\nalgorithm: RoundRobin\ntrustedProxies: [10.0.0.0/40]' | trustedProxies: 10.0.0.0/40 has a prefix length outside 0..32",
      "'mode: HTTP\nalgorithm: RoundRobin\nproxyProtocol: V1' | proxyProtocol V1 needs mode TCP in lb.yaml; in mode HTTP servers get the client address in X-Forwarded-For"})
  void mistakesAreOneLineNamingTheSetting(String head, String message) {
    assertThatThrownBy(() -> LbSettings.of(LbFixture.parse(head + "\n" + BASE), System::nanoTime))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void readsDurationsCookiesAndChecks() {
    LbSettings s = LbSettings.of(LbFixture.parse("""
        mode: HTTP
        algorithm: RoundRobin
        sessionCookie: {name: S, path: /app, ttl: 1h30m}
        activeHealthCheck: {type: HTTP, path: /hz, expectedStatuses: [{from: 200, to: 204}], interval: 2s, timeout: 500ms, healthyThreshold: 2, unhealthyThreshold: 3}
        passiveHealthCheck: {maxFails: 2, failTimeout: 10s}
        timeouts: {connect: 250ms, response: 1m, idle: 90s}
        """ + BASE), System::nanoTime);
    assertThat(s.sessionCookie()).isEqualTo(new LbSettings.Cookie("S", "/app", 5400));
    assertThat(s.activeCheck().expects(204)).isTrue();
    assertThat(s.activeCheck().expects(205)).isFalse();
    assertThat(s.activeCheck().intervalNanos()).isEqualTo(2_000_000_000L);
    assertThat(s.maxFails()).isEqualTo(2);
    assertThat(s.connectTimeoutMillis()).isEqualTo(250);
    assertThat(s.responseTimeoutNanos()).isEqualTo(60_000_000_000L);
    assertThat(s.idleTimeoutNanos()).isEqualTo(90_000_000_000L);
    assertThat(s.proxyProtocol()).as("absent: off").isEqualTo(ProxyProtocol.None);
  }

  @Test
  void readsTheProxyProtocolOfATcpListener() {
    LbSettings s = LbSettings.of(LbFixture.parse("mode: TCP\nalgorithm: IPHash\nproxyProtocol: V2\n" + BASE),
        System::nanoTime);
    assertThat(s.proxyProtocol()).isEqualTo(ProxyProtocol.V2);
  }
}
