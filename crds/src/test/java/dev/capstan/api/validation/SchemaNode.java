package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node of a CRD's structural schema, limited to the OpenAPI v3 keywords this package
 * knows how to enforce. A keyword outside that set fails the parse: a check that silently
 * passed because the helper ignored it would prove nothing.
 */
record SchemaNode(
    String path,
    String type,
    Map<String, SchemaNode> properties,
    SchemaNode items,
    SchemaNode additionalProperties,
    List<String> required,
    List<JsonNode> enumValues,
    String pattern,
    BigDecimal minimum,
    BigDecimal maximum,
    Long minLength,
    Long maxLength,
    Long minItems,
    Long maxItems,
    Long minProperties,
    Long maxProperties,
    JsonNode defaultValue,
    boolean nullable,
    boolean intOrString,
    String listType,
    List<String> listMapKeys,
    List<Rule> rules) {

  /** One entry of {@code x-kubernetes-validations}. */
  record Rule(String rule, String message, String fieldPath, String reason) {}

  /** Keywords that only document. */
  private static final Set<String> DESCRIPTIVE = Set.of("description", "title", "example", "externalDocs");

  private static final Set<String> ENFORCED =
      Set.of(
          "type", "properties", "items", "additionalProperties", "required", "enum", "pattern",
          "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties",
          "maxProperties", "default", "nullable", "anyOf", "x-kubernetes-int-or-string",
          "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-validations");

  private static final Set<String> RULE_KEYS = Set.of("rule", "message", "fieldPath", "reason");

  static SchemaNode parse(JsonNode schema, String path) {
    schema.fieldNames()
        .forEachRemaining(
            key -> {
              if (!DESCRIPTIVE.contains(key) && !ENFORCED.contains(key)) {
                throw new UnsupportedSchemaException(path, "keyword " + key);
              }
            });
    boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
    if (schema.has("anyOf") && !intOrString) {
      // The API server allows anyOf only as a further restriction; int-or-string is the one use here.
      throw new UnsupportedSchemaException(path, "anyOf without x-kubernetes-int-or-string");
    }
    Map<String, SchemaNode> properties = new LinkedHashMap<>();
    schema.path("properties")
        .fields()
        .forEachRemaining(e -> properties.put(e.getKey(), parse(e.getValue(), path + "." + e.getKey())));
    SchemaNode items = schema.has("items") ? parse(schema.get("items"), path + "[*]") : null;
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && !additional.isObject()) {
      throw new UnsupportedSchemaException(path, "additionalProperties: " + additional);
    }
    SchemaNode additionalProperties = additional == null ? null : parse(additional, path + "[*]");
    List<Rule> rules = new ArrayList<>();
    for (JsonNode r : schema.path("x-kubernetes-validations")) {
      r.fieldNames()
          .forEachRemaining(
              key -> {
                if (!RULE_KEYS.contains(key)) {
                  throw new UnsupportedSchemaException(path, "rule key " + key);
                }
              });
      rules.add(
          new Rule(
              r.path("rule").asText(),
              text(r, "message"),
              text(r, "fieldPath"),
              text(r, "reason")));
    }
    return new SchemaNode(
        path,
        text(schema, "type"),
        properties,
        items,
        additionalProperties,
        strings(schema.path("required")),
        schema.has("enum") ? List.copyOf(toList(schema.get("enum"))) : List.of(),
        text(schema, "pattern"),
        decimal(schema, "minimum"),
        decimal(schema, "maximum"),
        number(schema, "minLength"),
        number(schema, "maxLength"),
        number(schema, "minItems"),
        number(schema, "maxItems"),
        number(schema, "minProperties"),
        number(schema, "maxProperties"),
        schema.get("default"),
        schema.path("nullable").asBoolean(false),
        intOrString,
        text(schema, "x-kubernetes-list-type"),
        strings(schema.path("x-kubernetes-list-map-keys")),
        List.copyOf(rules));
  }

  boolean isObject() {
    return "object".equals(type);
  }

  boolean isArray() {
    return "array".equals(type);
  }

  /** An object whose keys are data (a map), as opposed to one with named properties. */
  boolean isMap() {
    return isObject() && additionalProperties != null;
  }

  /** Every node of this subtree, this one first. */
  List<SchemaNode> subtree() {
    List<SchemaNode> all = new ArrayList<>();
    all.add(this);
    properties.values().forEach(p -> all.addAll(p.subtree()));
    if (items != null) {
      all.addAll(items.subtree());
    }
    if (additionalProperties != null) {
      all.addAll(additionalProperties.subtree());
    }
    return all;
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static BigDecimal decimal(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null ? null : v.decimalValue();
  }

  private static Long number(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null ? null : v.asLong();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return List.copyOf(out);
  }

  private static List<JsonNode> toList(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  /** The schema uses something this package cannot enforce; extend the package first. */
  static final class UnsupportedSchemaException extends RuntimeException {
    UnsupportedSchemaException(String path, String what) {
      super("schema " + path + " uses " + what + ", which dev.capstan.api.validation does not enforce");
    }
  }
}
