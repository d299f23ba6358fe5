package dev.capstan.dataplane.lb.proxy;

import dev.capstan.api.config.BalancerConfig;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the proxy reads from a request to choose a server and to tell the server who the client
 * is: the key of algorithm Hash, cookies, and the client address behind trusted proxies. Pure.
 */
public final class RequestKeys {

  private RequestKeys() {}

  /** The bytes algorithm Hash hashes; null when the request lacks the key (then: round robin). */
  static byte[] hashKey(BalancerConfig.HashKey key, RequestHead request) {
    if (key == null || key.source() == null) {
      return null;
    }
    String value = switch (key.source()) {
      case Header -> request.header(key.name());
      case Cookie -> cookie(request, key.name());
      case Path -> new QueryStringDecoder(request.target()).rawPath();
      case Url -> request.target();
      case Query -> {
        List<String> values = new QueryStringDecoder(request.target()).parameters().get(key.name());
        yield values == null || values.isEmpty() ? null : values.get(0);
      }
    };
    return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
  }

  /** The value of cookie {@code name} of the request, or null. */
  static String cookie(RequestHead request, String name) {
    for (String header : request.headers("cookie")) {
      // Cheap test first: most requests carry cookies, few carry this one.
      if (!header.contains(name)) {
        continue;
      }
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return null;
  }

  /**
   * The client's address as IPHash sees it: the peer, unless the peer is a trusted proxy; then
   * the X-Forwarded-For entries are walked from the right (the nearest hop) past trusted
   * proxies, and the first one not trusted is the client. A forged leftmost entry therefore
   * never wins while a trusted hop stands in front of it.
   */
  public static byte[] clientAddress(byte[] peer, String forwardedFor, List<Cidr> trusted) {
    if (forwardedFor == null || trusted.isEmpty() || !Cidr.anyContains(trusted, peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    byte[] client = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      byte[] hop = NetUtil.createByteArrayFromIpAddressString(hops[i].trim());
      if (hop == null) {
        break; // garbage: stop at the last address we could read
      }
      client = hop;
      if (!Cidr.anyContains(trusted, hop)) {
        break;
      }
    }
    return client;
  }

  /**
   * The X-Forwarded-For to send on: the incoming one with the peer appended when the peer is a
   * trusted proxy (so the chain is kept), else the peer alone, as an untrusted client could
   * have written anything there.
   */
  public static String forwardedFor(String peer, byte[] peerBytes, String incoming, List<Cidr> trusted) {
    if (incoming != null && !incoming.isBlank() && Cidr.anyContains(trusted, peerBytes)) {
      return incoming + ", " + peer;
    }
    return peer;
  }
}
