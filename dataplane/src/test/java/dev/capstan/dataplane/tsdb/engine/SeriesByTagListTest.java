package dev.capstan.dataplane.tsdb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The identity cache of indexed series: found only by the very list and the right measurement, bounded. */
class SeriesByTagListTest {

  private static List<Tag> tags(String host) {
    return List.copyOf(new ArrayList<>(List.of(new Tag("host", host)))); // a fresh instance every call
  }

  private static Series series(String measurement, List<Tag> tags) {
    return Series.of(new Point(measurement, tags, Map.of("v", FieldValue.of(1.0)), 0));
  }

  @Test
  void findsASeriesByItsListInstanceOnly() {
    SeriesByTagList cache = new SeriesByTagList(100);
    List<Tag> a = tags("a");
    Series cpuA = series("cpu", a);
    cache.addAll(List.of(a), List.of(cpuA));

    assertThat(cache.get("cpu", a)).isSameAs(cpuA);
    assertThat(cache.get(new String("cpu"), a)).as("measurement compared by value").isSameAs(cpuA);
    assertThat(cache.get("cpu", tags("a"))).as("an equal list of another batch: a miss, not a wrong hit").isNull();
    assertThat(cache.get("mem", a)).as("same list, other measurement").isNull();
  }

  @Test
  void oneListServesSeveralMeasurements() {
    SeriesByTagList cache = new SeriesByTagList(100);
    List<Tag> none = List.of();
    Series cpu = series("cpu", none);
    Series mem = series("mem", none);
    cache.addAll(List.of(none, none), List.of(cpu, mem));

    assertThat(cache.get("cpu", none)).isSameAs(cpu);
    assertThat(cache.get("mem", none)).isSameAs(mem);
    assertThat(cache.get("disk", none)).isNull();
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void growsPastItsFirstTableAndSkipsKnownLists() {
    SeriesByTagList cache = new SeriesByTagList(100_000);
    List<List<Tag>> lists = new ArrayList<>();
    List<Series> series = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      List<Tag> t = tags("h" + i);
      lists.add(t);
      series.add(series("cpu", t));
    }
    cache.addAll(lists.subList(0, 3_000), series.subList(0, 3_000));
    cache.addAll(lists, series); // the first 3,000 again

    assertThat(cache.size()).isEqualTo(5_000);
    for (int i = 0; i < lists.size(); i++) {
      assertThat(cache.get("cpu", lists.get(i))).isSameAs(series.get(i));
    }
  }

  @Test
  void stopsTakingEntriesAtItsMaximum() {
    SeriesByTagList cache = new SeriesByTagList(3);
    List<List<Tag>> lists = new ArrayList<>();
    List<Series> series = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<Tag> t = tags("h" + i);
      lists.add(t);
      series.add(series("cpu", t));
    }
    cache.addAll(lists.subList(0, 2), series.subList(0, 2));
    cache.addAll(lists.subList(2, 5), series.subList(2, 5));

    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("cpu", lists.get(2))).isSameAs(series.get(2));
    assertThat(cache.get("cpu", lists.get(3))).isNull();
    assertThat(cache.get("cpu", lists.get(4))).isNull();
  }
}
