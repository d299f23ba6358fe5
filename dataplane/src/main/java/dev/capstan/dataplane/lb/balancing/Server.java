package dev.capstan.dataplane.lb.balancing;

import java.nio.charset.StandardCharsets;

/**
 * A server traffic may be sent to: where it is and its relative share of traffic. Two servers
 * are the same server when host and port match; the weight is part of the value so that a
 * change of weight is seen as a change of the pool.
 *
 * @param weight relative share of traffic, at least 1 (the API allows 1 to 1000)
 */
public record Server(String host, int port, int weight) {

  public Server {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("server host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("server port " + port + " is not in 1..65535");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("server weight " + weight + " of " + host + ":" + port
          + " is less than 1");
    }
  }

  /** {@code host:port}, the identity the hash ring places, so a weight change moves few keys. */
  public String address() {
    return host + ":" + port;
  }

  byte[] addressBytes() {
    return address().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return address() + " weight " + weight;
  }
}
