package dev.capstan.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * One row of a validation table: an object as a user writes it (apiVersion, kind and metadata
 * may be left out), optionally the stored object it updates, and what the API server must say:
 * nothing, or the violation {@code field: message}.
 *
 * @param expected null when the object must be accepted
 */
record ValidationCase(String name, String crdFile, String oldYaml, String yaml, String expected) {

  static ValidationCase accepts(String crdFile, String name, String yaml) {
    return new ValidationCase(name, crdFile, null, yaml, null);
  }

  static ValidationCase rejects(String crdFile, String name, String yaml, String expected) {
    return new ValidationCase(name, crdFile, null, yaml, expected);
  }

  /** The same case as an update of {@code stored}. */
  ValidationCase updating(String stored) {
    return new ValidationCase(name, crdFile, stored, yaml, expected);
  }

  List<Violation> violations() {
    CrdValidator crd = CrdValidator.load(crdFile);
    return oldYaml == null ? crd.create(yaml) : crd.update(oldYaml, yaml);
  }

  /** The violations this case expects, with the rule behind each; empty for an accepted case. */
  List<Violation> expectedViolations() {
    return violations().stream().filter(v -> v.toString().equals(expected)).toList();
  }

  void assertOutcome() {
    List<String> found = violations().stream().map(Violation::toString).toList();
    if (expected == null) {
      assertThat(found).as("%s must be accepted", name).isEmpty();
    } else {
      assertThat(found).as("%s must be rejected", name).contains(expected);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
