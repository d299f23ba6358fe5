package dev.capstan.dataplane.tsdb.store;

import java.util.Optional;

/**
 * What a write did.
 *
 * @param written points stored
 * @param dropped points refused
 * @param error why the first refused point was refused, in influxd's words (for example {@code
 *     field type conflict: input field "v" on measurement "cpu" is type integer, already exists
 *     as type float} or {@code points beyond retention policy}); empty when none was
 */
public record WriteOutcome(int written, int dropped, Optional<String> error) {

  public static WriteOutcome allWritten(int written) {
    return new WriteOutcome(written, 0, Optional.empty());
  }
}
