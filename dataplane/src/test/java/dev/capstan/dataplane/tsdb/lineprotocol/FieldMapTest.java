package dev.capstan.dataplane.tsdb.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldMapTest {

  /** What the parser's LinkedHashMap did for a repeated key: remove it, then put it at the end. */
  private static Map<String, FieldValue> reference(List<String> names) {
    Map<String, FieldValue> expected = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      expected.remove(names.get(i));
      expected.put(names.get(i), FieldValue.of((long) i));
    }
    return expected;
  }

  private static FieldMap built(List<String> names) {
    FieldMap.Builder builder = new FieldMap.Builder();
    for (int i = 0; i < names.size(); i++) {
      builder.put(names.get(i), FieldValue.of((long) i));
    }
    return builder.build();
  }

  @ParameterizedTest
  @CsvSource({
      "a,                    a",
      "a b c,                a b c",
      "a b a,                b a",
      "a a a,                a",
      "b a b a c,            b a c",
      "c b a c b,            a c b",
  })
  void repeatedNamesKeepTheLastValueAtTheirLastPlace(String given, String order) {
    List<String> names = List.of(given.split(" "));
    FieldMap fields = built(names);

    assertThat(new ArrayList<>(fields.keySet())).containsExactly(order.split(" "));
    assertThat(fields).isEqualTo(reference(names));
    for (int i = 0; i < fields.size(); i++) {
      assertThat(fields.value(i)).isEqualTo(FieldValue.of((long) names.lastIndexOf(fields.name(i))));
    }
  }

  @Test
  void seededRandomNameSequencesMatchTheLinkedHashMapBehaviourAcrossTheScanLimit() {
    Random random = new Random(4);
    for (int run = 0; run < 2_000; run++) {
      int count = 1 + random.nextInt(60); // the builder scans up to 16 names, then hashes
      int alphabet = 1 + random.nextInt(40);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        names.add("f" + random.nextInt(alphabet));
      }
      FieldMap fields = built(names);
      Map<String, FieldValue> expected = reference(names);

      assertThat(new ArrayList<>(fields.entrySet())).as("%s", names).isEqualTo(new ArrayList<>(expected.entrySet()));
      assertThat(fields.hashCode()).isEqualTo(expected.hashCode());
      assertThat(fields.toString()).isEqualTo(expected.toString());
    }
  }

  @Test
  void isAnImmutableMapThatEqualsOtherMapsWithTheSameFields() {
    FieldMap fields = built(List.of("x", "y"));

    assertThat(fields).isEqualTo(Map.of("x", FieldValue.of(0L), "y", FieldValue.of(1L)));
    assertThat(fields.get("y")).isEqualTo(FieldValue.of(1L));
    assertThat(fields.get("z")).isNull();
    assertThat(fields.containsKey("x")).isTrue();
    assertThat(fields.containsKey(null)).isFalse();
    assertThatThrownBy(() -> fields.put("z", FieldValue.of(1L))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> fields.entrySet().iterator().next().setValue(FieldValue.of(2L)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> fields.keySet().remove("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(FieldMap.copyOf(fields)).isSameAs(fields);
  }

  @Test
  void aPointKeepsTheParsersFieldsAndCopiesOthersInTheirOrder() {
    Point parsed = LineProtocolParser.parse("m a=1i,b=2i,a=3i 5".getBytes(StandardCharsets.UTF_8),
        Precision.NANOSECONDS, Instant.EPOCH).points().get(0);
    assertThat(parsed.fieldMap()).isSameAs(parsed.fields());
    assertThat(new ArrayList<>(parsed.fields().keySet())).containsExactly("b", "a");
    assertThat(parsed.fields().get("a")).isEqualTo(FieldValue.of(3L));

    Map<String, FieldValue> given = new LinkedHashMap<>();
    given.put("z", FieldValue.of(1.5));
    given.put("a", FieldValue.of(true));
    Point built = new Point("m", List.of(), given, 5);
    given.put("late", FieldValue.of("changed after construction"));
    assertThat(built.fields()).hasSize(2);
    assertThat(new ArrayList<>(built.fields().keySet())).containsExactly("z", "a");
    assertThat(built.fieldMap().name(1)).isEqualTo("a");
    assertThat(built.fieldMap().value(1)).isEqualTo(FieldValue.of(true));
  }
}
