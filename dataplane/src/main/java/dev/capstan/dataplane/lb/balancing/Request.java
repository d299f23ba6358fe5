package dev.capstan.dataplane.lb.balancing;

import java.net.InetAddress;

/**
 * What a balancer may look at to pick a server for one connection or request. The arrays are
 * read, never written, and not copied, to keep the per-request path free of allocations;
 * callers must not change them afterwards.
 *
 * @param hashKey the bytes of the key algorithm Hash hashes (a header, cookie, path...); null
 *     when the request does not carry it, and then Hash falls back to round robin
 * @param clientAddress the client's IP address, 4 or 16 bytes; null when unknown
 */
public record Request(byte[] hashKey, byte[] clientAddress) {

  public static Request of(byte[] hashKey, InetAddress client) {
    return new Request(hashKey, client == null ? null : client.getAddress());
  }

  public static Request ofClient(InetAddress client) {
    return of(null, client);
  }

  public static Request ofHashKey(byte[] hashKey) {
    return new Request(hashKey, null);
  }
}
