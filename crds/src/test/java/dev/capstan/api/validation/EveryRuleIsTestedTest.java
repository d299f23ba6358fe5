package dev.capstan.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the validation tables honest as the types change: every CRD has a table, every rule
 * compiles, and every rule is the expected reason of at least one rejected case, so a new
 * rule without a test fails the build.
 */
class EveryRuleIsTestedTest {

  static List<ValidationCase> allCases() {
    return Stream.of(
            TsdbClusterValidationTest.cases(),
            LoadBalancerValidationTest.cases(),
            MessageBrokerValidationTest.cases(),
            MessageTopicValidationTest.cases())
        .flatMap(List::stream)
        .toList();
  }

  static List<String> crdFiles() {
    return CrdValidator.crdFiles();
  }

  @Test
  void everyCrdHasATable() {
    Set<String> tested = new TreeSet<>(allCases().stream().map(ValidationCase::crdFile).toList());
    assertThat(tested).containsExactlyElementsOf(crdFiles());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("crdFiles")
  void everyRuleCompiles(String crdFile) {
    CrdValidator crd = CrdValidator.load(crdFile);
    long declared = crd.schema().subtree().stream().mapToLong(n -> n.rules().size()).sum();

    assertThat(crd.rules().compileErrors()).as("rules of %s the API server would refuse", crdFile).isEmpty();
    assertThat(crd.rules().all()).hasSize((int) declared);
  }

  @Test
  void everyRuleIsTheReasonOfARejectedCase() {
    Set<String> exercised = new TreeSet<>();
    for (ValidationCase c : allCases()) {
      if (c.expected() != null) {
        c.expectedViolations().stream()
            .filter(v -> v.rule() != null)
            .forEach(v -> exercised.add(c.crdFile() + ": " + v.rule()));
      }
    }
    Set<String> untested = new TreeSet<>(allRules());
    untested.removeAll(exercised);

    assertThat(untested)
        .as("rules that no rejected case in the *ValidationTest tables expects; add a case")
        .isEmpty();
  }

  @Test
  void everyRuleMessageReachesTheUser() {
    for (ValidationCase c : allCases()) {
      for (Violation v : c.expectedViolations()) {
        assertThat(v.apiServerText()).as(c.name()).contains(v.message());
      }
    }
  }

  private static Set<String> allRules() {
    Set<String> rules = new TreeSet<>();
    for (String file : crdFiles()) {
      for (SchemaNode node : CrdValidator.load(file).schema().subtree()) {
        node.rules().forEach(r -> rules.add(file + ": " + r.rule()));
      }
    }
    return rules;
  }
}
