package dev.capstan.dataplane.lb.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XxHash64Test {

  /** Reference values of XXH64 with seed 0 (the xxHash and python-xxhash documentation). */
  @ParameterizedTest
  @CsvSource({
      "'', ef46db3751d8e999",
      "a, d24ec4f1a98c6e5b",
      "abc, 44bc2cf5ad770999",
      "Nobody inspects the spammish repetition, fbcea83c8a378bf1",
  })
  void matchesTheReferenceImplementation(String input, String expectedHex) {
    long hash = XxHash64.hash(input.getBytes(StandardCharsets.US_ASCII), 0);

    assertThat(Long.toHexString(hash)).isEqualTo(expectedHex);
  }

  @ParameterizedTest
  @CsvSource({"0, 1", "1, 2", "0, -1"})
  void theSeedChangesTheHash(long seed1, long seed2) {
    byte[] input = "10.0.0.1:8080".getBytes(StandardCharsets.US_ASCII);

    assertThat(XxHash64.hash(input, seed1)).isNotEqualTo(XxHash64.hash(input, seed2));
  }
}
