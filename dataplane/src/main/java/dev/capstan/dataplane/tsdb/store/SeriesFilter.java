package dev.capstan.dataplane.tsdb.store;

import java.util.function.Predicate;

/**
 * Which series a read or delete concerns: one measurement ({@code null}: all) and a condition
 * on the series key (its tags), evaluated by the store against its index.
 */
public record SeriesFilter(String measurement, Predicate<SeriesKey> condition) {

  public static SeriesFilter all(String measurement) {
    return new SeriesFilter(measurement, key -> true);
  }

  public boolean matches(SeriesKey key) {
    return (measurement == null || measurement.equals(key.measurement())) && condition.test(key);
  }
}
