package dev.capstan.api.lb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How RandomTwoChoices compares the two servers it drew. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TwoChoices(
    @JsonPropertyDescription("LeastConnections or LeastTime.") @Default("LeastConnections")
        Basis basis) {

  public static final Basis DEFAULT_BASIS = Basis.LeastConnections;

  /** The basis of {@code twoChoices}, which may be omitted. */
  public static Basis basisOf(TwoChoices twoChoices) {
    return twoChoices == null || twoChoices.basis == null ? DEFAULT_BASIS : twoChoices.basis;
  }

  public enum Basis {
    LeastConnections,
    LeastTime
  }
}
