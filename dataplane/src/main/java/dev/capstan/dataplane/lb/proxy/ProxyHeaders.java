package dev.capstan.dataplane.lb.proxy;

import dev.capstan.api.lb.LoadBalancerSpec.ProxyProtocol;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The PROXY protocol header a TCP listener sends a server ahead of the client's bytes, as
 * HAProxy's {@code send-proxy} (v1, text) and {@code send-proxy-v2} (binary) do: the client's
 * address as the source, the address the client connected to as the destination. Netty's
 * {@code HAProxyMessageEncoder} writes it.
 */
final class ProxyHeaders {

  private ProxyHeaders() {}

  /**
   * The header for one client connection; null when {@code protocol} is None.
   *
   * @param client the client's address (the accepted channel's remote address)
   * @param listener the address the client connected to (the accepted channel's local address)
   */
  static HAProxyMessage of(ProxyProtocol protocol, SocketAddress client, SocketAddress listener) {
    HAProxyProtocolVersion version = switch (protocol) {
      case None -> null;
      case V1 -> HAProxyProtocolVersion.V1;
      case V2 -> HAProxyProtocolVersion.V2;
    };
    if (version == null) {
      return null;
    }
    InetSocketAddress src = (InetSocketAddress) client;
    InetSocketAddress dst = (InetSocketAddress) listener;
    // A header has one family for both addresses. A dual-stack socket can pair an IPv4 client
    // with an IPv6 local address; the IPv4 one is then written in its IPv4-mapped IPv6 form.
    boolean v4 = src.getAddress() instanceof Inet4Address && dst.getAddress() instanceof Inet4Address;
    return new HAProxyMessage(version, HAProxyCommand.PROXY,
        v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
        text(src.getAddress(), v4), text(dst.getAddress(), v4), src.getPort(), dst.getPort());
  }

  /** The address as a header carries it: no IPv6 scope, IPv4 mapped into IPv6 when needed. */
  private static String text(InetAddress address, boolean v4) {
    if (address instanceof Inet4Address && !v4) {
      return "::ffff:" + address.getHostAddress();
    }
    return NetUtil.toAddressString(address);
  }
}
