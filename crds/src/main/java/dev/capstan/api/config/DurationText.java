package dev.capstan.api.config;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Durations written as counts with units, repeated without spaces ({@code 90s}, {@code 1h30m},
 * {@code 1d12h}): the one reader behind every duration field of the data-plane configuration.
 * Each field names the units it accepts; the words of its errors stay with the field.
 */
final class DurationText {
  static final Map<String, Duration> NANOS_TO_WEEKS = Map.ofEntries(
      Map.entry("ns", Duration.ofNanos(1)),
      Map.entry("us", Duration.ofNanos(1_000)),
      Map.entry("µs", Duration.ofNanos(1_000)),
      Map.entry("u", Duration.ofNanos(1_000)),
      Map.entry("ms", Duration.ofMillis(1)),
      Map.entry("s", Duration.ofSeconds(1)),
      Map.entry("m", Duration.ofMinutes(1)),
      Map.entry("h", Duration.ofHours(1)),
      Map.entry("d", Duration.ofDays(1)),
      Map.entry("w", Duration.ofDays(7)));

  private final Map<String, Duration> units;
  private final Pattern part;

  /** @param symbols the accepted units, a subset of {@link #NANOS_TO_WEEKS}'s keys */
  DurationText(List<String> symbols) {
    this.units = symbols.stream().collect(Collectors.toUnmodifiableMap(s -> s, NANOS_TO_WEEKS::get));
    // Longest symbols first, so that "ms" is not read as "m" followed by a stray "s".
    this.part = Pattern.compile("([0-9]+)(" + symbols.stream()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .map(Pattern::quote)
        .collect(Collectors.joining("|")) + ")");
  }

  /**
   * The sum of the text's parts; empty when the text is empty or anything but parts.
   *
   * @throws ArithmeticException when the sum does not fit a {@link Duration} or a count a long
   */
  Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = part.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      end = m.end();
      long count;
      try {
        count = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new ArithmeticException("count out of range: " + m.group(1));
      }
      total = total.plus(units.get(m.group(2)).multipliedBy(count));
    }
    return end == text.length() ? Optional.of(total) : Optional.empty();
  }
}
