package dev.capstan.dataplane.lb.balancing;

import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring (ketama): each server owns points on a 64-bit circle, a key goes to
 * the owner of the first point at or after the key's hash. A server's points are the hashes of
 * its address with seeds 0, 1, 2..., so they depend on that server alone: removing a server
 * sends only its own keys elsewhere, adding one takes keys only for itself, and no key moves
 * between servers that stay.
 *
 * <p>Points are proportional to weight: {@value #POINTS_PER_WEIGHT_UNIT} per unit of weight,
 * after dividing the weights by their greatest common divisor, so that a pool of equal weights
 * (the usual case, whether 1 or 1000) has {@value #POINTS_PER_WEIGHT_UNIT} points per server.
 * A pool of more than {@value #MAX_POINTS} / {@value #POINTS_PER_WEIGHT_UNIT} units gets fewer
 * points per unit, a power of two, so the count only changes when the pool doubles or halves.
 * Only a change of the divisor (a weight not shared by the others comes or goes) or of the
 * points per unit moves keys between servers that stay.
 */
final class HashRing {

  /** With 1024 points, a server's share of the circle is off its weight's by about 3% (1/sqrt(1024)). */
  static final int POINTS_PER_WEIGHT_UNIT = 1024;

  /** 3 MB of ring, built in about 0.1 s: a pool of 256 servers of equal weight. */
  static final int MAX_POINTS = 1 << 18;

  private final long[] hashes;
  private final ServerLoad[] owners;

  private HashRing(long[] hashes, ServerLoad[] owners) {
    this.hashes = hashes;
    this.owners = owners;
  }

  /** @param servers not empty, no server twice */
  static HashRing of(List<ServerLoad> servers) {
    int divisor = 0;
    long units = 0;
    for (ServerLoad s : servers) {
      divisor = gcd(divisor, s.server().weight());
    }
    for (ServerLoad s : servers) {
      units += s.server().weight() / divisor;
    }
    long perUnit =
        Long.highestOneBit(Math.max(1, Math.min(POINTS_PER_WEIGHT_UNIT, MAX_POINTS / units)));

    // Primitive arrays, not an object per point: twice as fast, and the ring is built on a
    // change of health (see Balancer.prepare).
    int size = Math.toIntExact(units * perUnit);
    long[] hashes = new long[size];
    PointOwners owners = new PointOwners(size);
    int n = 0;
    for (ServerLoad s : servers) {
      byte[] address = s.server().addressBytes();
      long count = s.server().weight() / divisor * perUnit;
      for (long seed = 0; seed < count; seed++) {
        hashes[n] = XxHash64.hash(address, seed);
        owners.put(hashes[n++], s);
      }
    }
    Arrays.sort(hashes);
    ServerLoad[] ownerOf = new ServerLoad[size];
    for (int i = 0; i < size; i++) {
      ownerOf[i] = owners.get(hashes[i]);
    }
    return new HashRing(hashes, ownerOf);
  }

  /**
   * The owner of each point, by hash. Should two servers' points have the same hash, the
   * server with the lower address owns it, so the ring does not depend on the order of the list.
   */
  private static final class PointOwners {
    private final long[] hashes;
    private final ServerLoad[] owners;
    private final int mask;

    PointOwners(int points) {
      int capacity = Integer.highestOneBit(Math.max(2, points) * 2 - 1) * 2;
      hashes = new long[capacity];
      owners = new ServerLoad[capacity];
      mask = capacity - 1;
    }

    void put(long hash, ServerLoad owner) {
      int i = slot(hash);
      if (owners[i] == null
          || owner.server().address().compareTo(owners[i].server().address()) < 0) {
        hashes[i] = hash;
        owners[i] = owner;
      }
    }

    ServerLoad get(long hash) {
      return owners[slot(hash)];
    }

    /** Linear probing from the hash's own bits, which xxHash has already mixed. */
    private int slot(long hash) {
      int i = (int) (hash ^ (hash >>> 32)) & mask;
      while (owners[i] != null && hashes[i] != hash) {
        i = (i + 1) & mask;
      }
      return i;
    }
  }

  ServerLoad serverFor(byte[] key) {
    long hash = XxHash64.hash(key, 0);
    int i = Arrays.binarySearch(hashes, hash);
    if (i < 0) {
      i = -i - 1;
    }
    return owners[i == hashes.length ? 0 : i];
  }

  int size() {
    return hashes.length;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
