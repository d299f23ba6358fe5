package dev.capstan.dataplane.tsdb.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SeriesKeyTest {

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of("cpu", Map.of(), "cpu"),
        Arguments.of("cpu", Map.of("host", "a"), "cpu,host=a"),
        // tags in key order, whatever order they were given in
        Arguments.of("cpu", Map.of("region", "eu", "host", "a", "dc", "x"), "cpu,dc=x,host=a,region=eu"),
        // the measurement escapes commas and spaces, not equals signs
        Arguments.of("my cpu,x=1", Map.of("host", "a"), "my\\ cpu\\,x=1,host=a"),
        // tag keys and values escape commas, equals signs and spaces
        Arguments.of("cpu", Map.of("a key", "v=1,2"), "cpu,a\\ key=v\\=1\\,2"),
        Arguments.of("cpu", Map.of("k=,", "b"), "cpu,k\\=\\,=b"));
  }

  @ParameterizedTest
  @MethodSource("keys")
  void textIsInfluxdsSeriesKey(String measurement, Map<String, String> tags, String expected) {
    assertThat(SeriesKey.of(measurement, tags).text()).isEqualTo(expected);
  }
}
