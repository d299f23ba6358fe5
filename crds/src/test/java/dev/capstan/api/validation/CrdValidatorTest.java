package dev.capstan.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The helper itself: it must fail where the API server fails, or the tables prove nothing. */
class CrdValidatorTest {

  /** A one-version CRD whose spec schema is {@code specSchema}, indented under "spec:". */
  private static CrdValidator crd(String specSchema) {
    String indented = specSchema.lines().map(l -> "              " + l + "\n").reduce("", String::concat);
    return CrdValidator.fromYaml(
        "widgets",
        """
        spec:
          group: example.dev
          names: {kind: Widget, plural: widgets}
          versions:
          - name: v1
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
        """
            + indented);
  }

  private static final String SIZED =
      """
      type: object
      properties:
        size: {type: integer, default: 1}
        name: {type: string, maxLength: 8}
        mode: {type: string, enum: [A, B]}
      x-kubernetes-validations:
      - rule: self.size >= oldSelf.size
        message: size may only grow
        fieldPath: .size
        reason: FieldValueForbidden
      - rule: "!has(self.name) || self.name.startsWith('w')"
      """;

  @Test
  void aRuleNamingAFieldTheSchemaLacksDoesNotCompile() {
    var widgets = crd("type: object\nproperties: {size: {type: integer}}\nx-kubernetes-validations:\n- rule: self.count > 0\n");

    assertThat(widgets.rules().compileErrors()).singleElement().asString().contains("count");
    assertThatThrownBy(() -> widgets.create("spec: {}")).hasMessageContaining("would refuse widgets");
  }

  @Test
  void aRuleMustBeBoolean() {
    var widgets = crd("type: object\nproperties: {size: {type: integer}}\nx-kubernetes-validations:\n- rule: self.size\n");

    assertThat(widgets.rules().compileErrors()).hasSize(1);
  }

  @Test
  void aFieldPathMustNameAField() {
    var widgets =
        crd("type: object\nproperties: {size: {type: integer}}\nx-kubernetes-validations:\n"
            + "- {rule: 'true', fieldPath: .sise}\n");

    assertThat(widgets.rules().compileErrors()).singleElement().asString().contains("fieldPath .sise");
  }

  @Test
  void aTransitionRuleRunsOnlyOnUpdate() {
    var widgets = crd(SIZED);

    assertThat(widgets.create("spec: {size: 1}")).isEmpty();
    assertThat(widgets.update("spec: {size: 5}", "spec: {size: 1}"))
        .extracting(Violation::apiServerText)
        .containsExactly("spec.size: Forbidden: size may only grow");
  }

  @Test
  void aRuleWithoutMessageReportsItself() {
    assertThat(crd(SIZED).create("spec: {name: gadget}"))
        .extracting(Violation::toString)
        .containsExactly("spec: failed rule: !has(self.name) || self.name.startsWith('w')");
  }

  @Test
  void aRuleIsNotRunAgainWhereNothingChanged() {
    var widgets = crd(SIZED);

    assertThat(widgets.update("spec: {name: gadget}", "spec: {name: gadget}")).isEmpty();
    // The rule sits on spec, so any change in spec runs it again.
    assertThat(widgets.update("spec: {name: gadget}", "spec: {name: gadget, size: 2}")).hasSize(1);
  }

  @Test
  void schemaErrorsThatBlockRulesLeaveTheRulesUnchecked() {
    List<String> found =
        crd(SIZED).create("spec: {name: gadget, mode: C}").stream().map(Violation::toString).toList();

    assertThat(found)
        .containsExactly(
            "spec.mode: Unsupported value: \"C\": supported values: \"A\", \"B\"",
            "<nil>: " + CrdValidator.RULES_NOT_CHECKED);
  }

  @Test
  void anUndeclaredFieldIsAnError() {
    assertThat(crd(SIZED).create("spec: {sise: 2}"))
        .extracting(Violation::toString)
        .containsExactly("spec.sise: field not declared in schema");
  }

  @Test
  void aKeywordTheHelperDoesNotEnforceFailsTheLoad() {
    assertThatThrownBy(() -> crd("type: object\nproperties: {at: {type: string, format: date-time}}"))
        .hasMessageContaining("format");
  }
}
