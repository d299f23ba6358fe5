package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyHeadersTest {

  @Test
  void noneSendsNoHeader() throws UnknownHostException {
    assertThat(ProxyHeaders.of(ProxyProtocol.None, at("192.0.2.1", 40000), at("198.51.100.7", 5432))).isNull();
  }

  /** Version 1 is text, which shows exactly what a server is told. */
  @ParameterizedTest(name = "{0} -> {1} = {2}")
  @CsvSource(delimiter = '|', textBlock = """
      192.0.2.1        | 198.51.100.7 | PROXY TCP4 192.0.2.1 198.51.100.7 40000 5432
      2001:db8::1      | 2001:db8::2  | PROXY TCP6 2001:db8::1 2001:db8::2 40000 5432
      fe80::1%1        | fe80::2%1    | PROXY TCP6 fe80::1 fe80::2 40000 5432
      192.0.2.1        | 2001:db8::2  | PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 40000 5432
      ::ffff:192.0.2.1 | 198.51.100.7 | PROXY TCP4 192.0.2.1 198.51.100.7 40000 5432
      """)
  void version1CarriesClientThenListenerAddress(String client, String listener, String line)
      throws UnknownHostException {
    ByteBuf bytes = encode(ProxyHeaders.of(ProxyProtocol.V1, at(client, 40000), at(listener, 5432)));
    try {
      assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(line + "\r\n");
    } finally {
      bytes.release();
    }
  }

  /** Version 2 is binary: read back with Netty's decoder, as a server would. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      192.0.2.1   | 198.51.100.7 | TCP4 | 192.0.2.1
      2001:db8::1 | 2001:db8::2  | TCP6 | 2001:db8:0:0:0:0:0:1
      192.0.2.1   | 2001:db8::2  | TCP6 | 0:0:0:0:0:ffff:c000:201
      """)
  void version2DecodesToTheSameAddresses(String client, String listener, HAProxyProxiedProtocol family,
      String decodedSource) throws UnknownHostException {
    EmbeddedChannel server = new EmbeddedChannel(new HAProxyMessageDecoder());
    server.writeInbound(encode(ProxyHeaders.of(ProxyProtocol.V2, at(client, 40000), at(listener, 5432))));
    HAProxyMessage seen = server.readInbound();
    try {
      assertThat(seen.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
      assertThat(seen.proxiedProtocol()).isEqualTo(family);
      assertThat(seen.sourceAddress()).isEqualTo(decodedSource);
      assertThat(seen.sourcePort()).isEqualTo(40000);
      assertThat(seen.destinationPort()).isEqualTo(5432);
    } finally {
      seen.release();
      server.finishAndReleaseAll();
    }
  }

  private static ByteBuf encode(HAProxyMessage header) {
    EmbeddedChannel ch = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    ch.writeOutbound(header);
    ByteBuf bytes = ch.readOutbound();
    ch.finishAndReleaseAll();
    return bytes;
  }

  private static InetSocketAddress at(String literal, int port) throws UnknownHostException {
    // Literals only: getByName does no lookup for them.
    return new InetSocketAddress(InetAddress.getByName(literal), port);
  }
}
