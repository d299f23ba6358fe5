package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** What the least-time measurements are taken on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeastTime(
    @JsonPropertyDescription(
            "FirstByte: time to the first byte of the response; LastByte: to its last byte.")
        @Default("FirstByte")
        Basis basis) {

  public static final Basis DEFAULT_BASIS = Basis.FirstByte;

  /** The basis of {@code leastTime}, which may be omitted. */
  public static Basis basisOf(LeastTime leastTime) {
    return leastTime == null || leastTime.basis == null ? DEFAULT_BASIS : leastTime.basis;
  }

  public enum Basis {
    FirstByte,
    LastByte
  }
}
