package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.lb.HashKey;
import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestKeysTest {

  private static byte[] ip(String s) {
    return NetUtil.createByteArrayFromIpAddressString(s);
  }

  @ParameterizedTest(name = "peer {0}, XFF [{1}] -> {2}")
  @CsvSource(delimiter = '|', value = {
      // Untrusted peer: its claim is ignored.
      "203.0.113.7 | 1.2.3.4 | 203.0.113.7",
      // Trusted peer: the nearest untrusted hop is the client.
      "10.0.0.1 | 1.2.3.4 | 1.2.3.4",
      "10.0.0.1 | 6.6.6.6, 1.2.3.4, 10.0.0.9 | 1.2.3.4",
      // Everything trusted: the leftmost.
      "10.0.0.1 | 10.1.1.1, 10.0.0.9 | 10.1.1.1",
      // Garbage stops the walk at the last address read.
      "10.0.0.1 | 1.2.3.4, junk | 10.0.0.1",
      "::ffff:10.0.0.1 | 1.2.3.4 | 1.2.3.4"})
  void clientAddressWalksTrustedHopsFromTheRight(String peer, String xff, String client) {
    List<Cidr> trusted = List.of(Cidr.parse("10.0.0.0/8"));
    assertThat(RequestKeys.clientAddress(ip(peer), xff, trusted)).isEqualTo(ip(client));
  }

  @Test
  void forwardedForKeepsTheChainOnlyFromTrustedProxies() {
    List<Cidr> trusted = List.of(Cidr.parse("10.0.0.0/8"));
    assertThat(RequestKeys.forwardedFor("10.0.0.1", ip("10.0.0.1"), "1.2.3.4", trusted))
        .isEqualTo("1.2.3.4, 10.0.0.1");
    assertThat(RequestKeys.forwardedFor("8.8.8.8", ip("8.8.8.8"), "1.2.3.4", trusted)).isEqualTo("8.8.8.8");
    assertThat(RequestKeys.forwardedFor("10.0.0.1", ip("10.0.0.1"), null, trusted)).isEqualTo("10.0.0.1");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Header | X-User | u1",
      "Cookie | sid | abc",
      "Query | id | 42",
      "Path | | /a/b",
      "Url | | /a/b?id=42&x=1"})
  void hashKeyReadsTheConfiguredPart(HashKey.Source source, String name, String expected) throws Exception {
    RequestHead r = RequestHeadTest.parse("GET /a/b?id=42&x=1 HTTP/1.1|Host: lb|X-User: u1|Cookie: a=1; sid=abc||");
    assertThat(new String(RequestKeys.hashKey(new BalancerConfig.HashKey(source, name), r),
        StandardCharsets.UTF_8)).isEqualTo(expected);
    r.release();
  }

  @Test
  void aMissingKeyIsNull() throws Exception {
    RequestHead r = RequestHeadTest.parse("GET / HTTP/1.1|Host: lb||");
    assertThat(RequestKeys.hashKey(new BalancerConfig.HashKey(HashKey.Source.Header, "X-User"), r)).isNull();
    assertThat(RequestKeys.hashKey(new BalancerConfig.HashKey(HashKey.Source.Query, "id"), r)).isNull();
    assertThat(RequestKeys.hashKey(new BalancerConfig.HashKey(HashKey.Source.Cookie, "sid"), r)).isNull();
    r.release();
  }

  @Test
  void cidrs() {
    assertThat(Cidr.parse("10.1.0.0/16").contains(ip("10.1.255.3"))).isTrue();
    assertThat(Cidr.parse("10.1.0.0/16").contains(ip("10.2.0.1"))).isFalse();
    assertThat(Cidr.parse("10.0.0.0/9").contains(ip("10.127.0.1"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/9").contains(ip("10.128.0.1"))).isFalse();
    assertThat(Cidr.parse("fd00::/8").contains(ip("fd12::1"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> Cidr.parse("nope/8")).hasMessageContaining("nope/8");
  }
}
