package dev.capstan.api.validation;

/**
 * One reason the API server would refuse an object.
 *
 * @param field where, in the API server's notation: {@code spec.databases[0].name}
 * @param message what is wrong: a rule's message, or the schema check that failed
 * @param rule the CEL rule that failed, or null when the OpenAPI schema refused the value
 * @param apiServerText the line {@code kubectl} would print; it can differ from
 *     {@code field: message}, e.g. the API server drops the message of a rule whose reason is
 *     FieldValueDuplicate
 */
record Violation(String field, String message, String rule, String apiServerText) {

  /** {@code field: message}, the form the tests compare. */
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
