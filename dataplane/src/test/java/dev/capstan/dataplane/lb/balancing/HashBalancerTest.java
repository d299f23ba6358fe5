package dev.capstan.dataplane.lb.balancing;

import static dev.capstan.dataplane.lb.balancing.TestPools.equal;
import static dev.capstan.dataplane.lb.balancing.TestPools.key;
import static dev.capstan.dataplane.lb.balancing.TestPools.names;
import static dev.capstan.dataplane.lb.balancing.TestPools.placement;
import static dev.capstan.dataplane.lb.balancing.TestPools.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consistent hashing, checked the way Envoy's ring-hash tests do: 100k keys, shares against the
 * weights, and keys moved by a change of membership against the optimum, 1/N.
 */
class HashBalancerTest {

  private static final int KEYS = 100_000;

  /** Three standard deviations, relative, of the share of a server of this weight. */
  private static double ringTolerance(int weight) {
    return 3 / Math.sqrt(HashRing.POINTS_PER_WEIGHT_UNIT * weight);
  }

  @Test
  void aKeyAlwaysGoesToTheSameServerWhateverTheOrderOfTheList() {
    List<ServerLoad> pool = equal(5);
    List<ServerLoad> shuffled = new ArrayList<>(pool);
    Collections.shuffle(shuffled, new Random(3));

    Map<Long, String> first = placement(HashBalancer.onHashKey(), pool, 10_000);
    Map<Long, String> again = placement(HashBalancer.onHashKey(), shuffled, 10_000);

    assertThat(again).isEqualTo(first);
  }

  /**
   * Weights 1:2:3 give 1/6, 2/6, 3/6 of 100k keys, each within three standard deviations of
   * the ring's granularity, 3/sqrt(points) of the share: 9.4%, 6.6%, 5.4% (sampling error is
   * ten times smaller).
   */
  @Test
  void keysSpreadInProportionToWeight() {
    List<ServerLoad> pool = weighted(1, 2, 3);

    Map<Long, String> placement = placement(HashBalancer.onHashKey(), pool, KEYS);

    for (int i = 0; i < pool.size(); i++) {
      String address = pool.get(i).server().address();
      double share = placement.values().stream().filter(address::equals).count() / (double) KEYS;
      double expected = (i + 1) / 6.0;
      assertThat(share).as(address).isCloseTo(expected, within(ringTolerance(i + 1) * expected));
    }
  }

  /** Removing one of 10: about 1/10 of keys move (±20%), all of them from the removed server. */
  @ParameterizedTest
  @ValueSource(ints = {0, 3, 9})
  void removingAServerMovesOnlyItsKeys(int removed) {
    List<ServerLoad> before = equal(10);
    List<ServerLoad> after = new ArrayList<>(before);
    String gone = after.remove(removed).server().address();
    HashBalancer hash = HashBalancer.onHashKey();

    Map<Long, String> was = placement(hash, before, KEYS);
    Map<Long, String> is = placement(hash, after, KEYS);

    long moved = was.keySet().stream().filter(k -> !was.get(k).equals(is.get(k))).count();
    long movedBetweenSurvivors = was.keySet().stream()
        .filter(k -> !was.get(k).equals(is.get(k)) && !was.get(k).equals(gone)).count();
    assertThat(moved / (double) KEYS).isCloseTo(1 / 10.0, within(0.2 / 10));
    assertThat(movedBetweenSurvivors).isZero();
    assertThat(is).doesNotContainValue(gone);
  }

  /** Adding an 11th server: about 1/11 of keys move (±20%), all of them to the new server. */
  @Test
  void addingAServerTakesKeysOnlyForItself() {
    List<ServerLoad> before = equal(10);
    ServerLoad added = new ServerLoad(new Server("10.0.1.1", 8080, 1));
    List<ServerLoad> after = new ArrayList<>(before);
    after.add(added);
    HashBalancer hash = HashBalancer.onHashKey();

    Map<Long, String> was = placement(hash, before, KEYS);
    Map<Long, String> is = placement(hash, after, KEYS);

    List<Long> moved = was.keySet().stream().filter(k -> !was.get(k).equals(is.get(k))).toList();
    assertThat(moved.size() / (double) KEYS).isCloseTo(1 / 11.0, within(0.2 / 11));
    assertThat(moved).allSatisfy(k -> assertThat(is.get(k)).isEqualTo(added.server().address()));
  }

  /** Doubling one server's weight only adds points: keys move to it, never between others. */
  @Test
  void raisingAWeightMovesKeysOnlyToThatServer() {
    List<ServerLoad> before = equal(4);
    List<ServerLoad> after = new ArrayList<>(before);
    after.set(0, new ServerLoad(new Server("10.0.0.0", 8080, 2)));
    HashBalancer hash = HashBalancer.onHashKey();

    Map<Long, String> was = placement(hash, before, KEYS);
    Map<Long, String> is = placement(hash, after, KEYS);

    List<Long> moved = was.keySet().stream().filter(k -> !was.get(k).equals(is.get(k))).toList();
    // from 1/4 to 2/5 of the keys
    assertThat(moved.size() / (double) KEYS).isCloseTo(0.15, within(0.03));
    assertThat(moved).allSatisfy(k -> assertThat(is.get(k)).isEqualTo("10.0.0.0:8080"));
  }

  @Test
  void pointsAreProportionalToWeightsOverTheirCommonDivisor() {
    assertThat(HashRing.of(weighted(2, 4, 6)).size()).isEqualTo(6 * 1024);
    assertThat(HashRing.of(weighted(1000, 1000)).size()).isEqualTo(2 * 1024);
    // 1999 units would be 2M points: 128 per unit, the power of two under 2^18 / 1999
    assertThat(HashRing.of(weighted(1000, 999)).size()).isEqualTo(1999 * 128);
  }

  /**
   * 300 servers get 512 points each (2^18 / 300 = 873, rounded down to a power of two), and so
   * do 299: the points of the survivors do not change, and neither do their keys.
   */
  @Test
  void aPoolLargerThanTheCapKeepsItsGuarantee() {
    List<ServerLoad> before = equal(300);
    List<ServerLoad> after = new ArrayList<>(before);
    String gone = after.remove(150).server().address();
    HashBalancer hash = HashBalancer.onHashKey();

    Map<Long, String> was = placement(hash, before, KEYS);
    Map<Long, String> is = placement(hash, after, KEYS);

    assertThat(HashRing.of(before).size()).isEqualTo(300 * 512);
    assertThat(was.keySet()).allSatisfy(
        k -> assertThat(was.get(k).equals(gone) || was.get(k).equals(is.get(k))).isTrue());
  }

  @Test
  void withoutAKeyItIsRoundRobin() {
    List<ServerLoad> pool = weighted(2, 1);
    Balancer hash = HashBalancer.onHashKey();

    List<ServerLoad> picked = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picked.add(hash.pick(new Request(null, new byte[] {10, 0, 0, 1}), pool).orElseThrow());
    }

    assertThat(names(pool, picked)).isEqualTo("abaaba");
  }

  @Test
  void ipHashPinsAClientAndSpreadsClientsOfOneSubnet() {
    List<ServerLoad> pool = equal(3);
    Balancer ipHash = HashBalancer.onClientAddress();
    long[] counts = new long[3];

    for (int host = 0; host < 256; host++) {
      byte[] client = {(byte) 192, (byte) 168, 1, (byte) host};
      ServerLoad first = ipHash.pick(new Request(key(host), client), pool).orElseThrow();
      ServerLoad again = ipHash.pick(new Request(null, client.clone()), pool).orElseThrow();
      assertThat(again).isSameAs(first);
      counts[pool.indexOf(first)]++;
    }

    // a /24 is not one server's, as it would be with nginx's ip_hash
    for (long c : counts) {
      assertThat(c).isBetween(50L, 120L);
    }
  }

  @Test
  void ipHashSpreadsManyClientsEvenly() {
    List<ServerLoad> pool = equal(4);
    Balancer ipHash = HashBalancer.onClientAddress();
    SplittableRandom random = new SplittableRandom(11);
    long[] counts = new long[4];

    for (int i = 0; i < KEYS; i++) {
      byte[] client = new byte[random.nextBoolean() ? 4 : 16];
      random.nextBytes(client);
      counts[pool.indexOf(ipHash.pick(new Request(null, client), pool).orElseThrow())]++;
    }

    for (long c : counts) {
      assertThat(c / (double) KEYS).isCloseTo(0.25, within(0.25 * ringTolerance(1)));
    }
  }

  @Test
  void aChangedPoolIsHashedOnTheNewRing() {
    List<ServerLoad> pool = equal(3);
    Balancer hash = HashBalancer.onHashKey();
    ServerLoad owner = hash.pick(Request.ofHashKey(key(1)), pool).orElseThrow();
    List<ServerLoad> without = new ArrayList<>(pool);
    without.remove(owner);

    assertThat(hash.pick(Request.ofHashKey(key(1)), without).orElseThrow()).isNotSameAs(owner);
    assertThat(hash.pick(Request.ofHashKey(key(1)), new ArrayList<>(pool))).containsSame(owner);
  }

  @Test
  void preparingBuildsTheRingThePicksThenUse() {
    List<ServerLoad> pool = equal(4);
    Balancer prepared = HashBalancer.onHashKey();
    prepared.prepare(pool);
    prepared.prepare(List.of());

    assertThat(placement(prepared, pool, 1000))
        .isEqualTo(placement(HashBalancer.onHashKey(), pool, 1000));
  }

  @Test
  void noHealthyServerIsNoPick() {
    assertThat(HashBalancer.onHashKey().pick(Request.ofHashKey(key(1)), List.of())).isEmpty();
  }
}
