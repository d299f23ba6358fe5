package dev.capstan.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** isCIDR answers as Go's netip.ParsePrefix does in the API server. */
class KubernetesCidrTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "10.0.0.0/8, true",
    "10.0.0.0/32, true",
    "::/0, true",
    "fd00::/8, true",
    "::1.2.3.4/128, true",
    "1:2:3:4:5:6:7::/64, true",
    "1:2:3:4:5:6:1.2.3.4/128, true",
    "abc/8, false",
    "10.0.0.0/33, false",
    "010.0.0.0/8, false",
    "10.0.0.0/08, false",
    "256.0.0.0/8, false",
    "1.2.3/24, false",
    "1.2.3.4, false",
    "2001:db8::/129, false",
    "1:2:3:4:5:6:7:8::/64, false",
    "1::2::3/64, false",
    "fe80::1%eth0/64, false",
    "::ffff:10.0.0.0/104, false",
    "[::1]/128, false",
  })
  void parsesAsTheApiServerDoes(String cidr, boolean valid) {
    assertThat(KubernetesCidr.isCidr(cidr)).isEqualTo(valid);
  }
}
