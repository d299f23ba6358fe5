package dev.capstan.dataplane.lb.balancing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pools of servers for the tests: server i is 10.0.0.i:8080, named by its index. */
final class TestPools {

  private TestPools() {}

  static List<ServerLoad> weighted(int... weights) {
    List<ServerLoad> pool = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      pool.add(new ServerLoad(new Server("10.0.0." + i, 8080, weights[i])));
    }
    return List.copyOf(pool);
  }

  static List<ServerLoad> equal(int count) {
    int[] weights = new int[count];
    Arrays.fill(weights, 1);
    return weighted(weights);
  }

  /** How many of {@code picks} picks went to each server, by index in {@code pool}. */
  static long[] counts(Balancer balancer, List<ServerLoad> pool, int picks, Request request) {
    long[] counts = new long[pool.size()];
    for (int n = 0; n < picks; n++) {
      counts[pool.indexOf(balancer.pick(request, pool).orElseThrow())]++;
    }
    return counts;
  }

  static String names(List<ServerLoad> pool, List<ServerLoad> picked) {
    StringBuilder names = new StringBuilder();
    for (ServerLoad s : picked) {
      names.append((char) ('a' + pool.indexOf(s)));
    }
    return names.toString();
  }

  /** Key {@code i} as 8 bytes. */
  static byte[] key(long i) {
    return ByteBuffer.allocate(8).putLong(i).array();
  }

  /** Where each of {@code keys} keys goes, by address. */
  static Map<Long, String> placement(Balancer balancer, List<ServerLoad> pool, int keys) {
    Map<Long, String> placement = new HashMap<>();
    for (long k = 0; k < keys; k++) {
      placement.put(k, balancer.pick(Request.ofHashKey(key(k)), pool).orElseThrow()
          .server().address());
    }
    return placement;
  }
}
