package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OpenAPI part of the API server's validation: types, required, enum, pattern, bounds,
 * sizes, list-type uniqueness, and strict field validation (an undeclared field is an error,
 * as with {@code kubectl apply}'s default {@code --validate=strict}). Messages follow the API
 * server's wording. On update, a value equal to the old one is not checked again (CRD
 * validation ratcheting).
 */
final class OpenApiChecks {
  /** Error types after which the API server does not run the CEL rules at all. */
  enum Severity {
    BLOCKS_RULES,
    REPORTED
  }

  record Finding(Violation violation, Severity severity) {}

  private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final List<Finding> findings = new ArrayList<>();

  private OpenApiChecks() {}

  static List<Finding> check(JsonNode root, SchemaNode schema, JsonNode oldRoot) {
    OpenApiChecks checks = new OpenApiChecks();
    checks.visit(root, schema, "", oldRoot, true);
    return checks.findings;
  }

  private void visit(JsonNode value, SchemaNode schema, String path, JsonNode old, boolean root) {
    if (old != null && old.equals(value)) {
      return; // ratcheting: an unchanged value stays valid even if the schema got stricter
    }
    if (value.isNull()) {
      if (!schema.nullable()) {
        typeInvalid(path, value, schema.type());
      }
      return;
    }
    if (!hasType(value, schema)) {
      typeInvalid(path, value, schema.intOrString() ? "integer,string" : schema.type());
      return;
    }
    if (!schema.enumValues().isEmpty() && !schema.enumValues().contains(value)) {
      String supported =
          schema.enumValues().stream().map(OpenApiChecks::quoted).collect(Collectors.joining(", "));
      add(path, "Unsupported value: " + render(value) + ": supported values: " + supported,
          "Unsupported value: " + render(value) + ": supported values: " + supported, Severity.BLOCKS_RULES);
    }
    if (value.isTextual()) {
      checkString(value.asText(), schema, path);
    } else if (value.isNumber()) {
      checkNumber(value, schema, path);
    } else if (value.isArray()) {
      checkArray(value, schema, path, old);
    } else if (value.isObject()) {
      checkObject(value, schema, path, old, root);
    }
  }

  private void checkString(String s, SchemaNode schema, String path) {
    long length = s.codePointCount(0, s.length());
    if (schema.maxLength() != null && length > schema.maxLength()) {
      add(path, "may not be more than " + schema.maxLength() + " bytes",
          "Too long: may not be more than " + schema.maxLength() + " bytes", Severity.BLOCKS_RULES);
    }
    if (schema.minLength() != null && length < schema.minLength()) {
      invalid(path, quoted(s), "should be at least " + schema.minLength() + " chars long");
    }
    if (schema.pattern() != null && !Pattern.compile(schema.pattern()).matcher(s).find()) {
      invalid(path, quoted(s), "should match '" + schema.pattern() + "'");
    }
  }

  private void checkNumber(JsonNode n, SchemaNode schema, String path) {
    BigDecimal v = n.decimalValue();
    if (schema.minimum() != null && v.compareTo(schema.minimum()) < 0) {
      invalid(path, n.toString(), "should be greater than or equal to " + plain(schema.minimum()));
    }
    if (schema.maximum() != null && v.compareTo(schema.maximum()) > 0) {
      invalid(path, n.toString(), "should be less than or equal to " + plain(schema.maximum()));
    }
  }

  private void checkArray(JsonNode list, SchemaNode schema, String path, JsonNode old) {
    int size = list.size();
    if (schema.maxItems() != null && size > schema.maxItems()) {
      add(path, "must have at most " + schema.maxItems() + " items",
          "Too many: " + size + ": must have at most " + schema.maxItems() + " items", Severity.BLOCKS_RULES);
    }
    if (schema.minItems() != null && size < schema.minItems()) {
      invalid(path, String.valueOf(size), "should have at least " + schema.minItems() + " items");
    }
    Set<JsonNode> seen = new HashSet<>();
    for (int i = 0; i < size; i++) {
      JsonNode item = list.get(i);
      JsonNode identity = ListCorrelation.identity(item, schema);
      if (identity != null && !seen.add(identity)) {
        add(path + "[" + i + "]", "Duplicate value: " + identity, "Duplicate value: " + identity, Severity.REPORTED);
      }
      visit(item, schema.items(), path + "[" + i + "]", ListCorrelation.oldItem(item, schema, old), false);
    }
  }

  private void checkObject(JsonNode object, SchemaNode schema, String path, JsonNode old, boolean root) {
    int size = object.size() - (root ? countRootFields(object) : 0);
    if (schema.maxProperties() != null && size > schema.maxProperties()) {
      add(path, "must have at most " + schema.maxProperties() + " items",
          "Too many: " + size + ": must have at most " + schema.maxProperties() + " items", Severity.BLOCKS_RULES);
    }
    if (schema.minProperties() != null && size < schema.minProperties()) {
      invalid(path, String.valueOf(size), "should have at least " + schema.minProperties() + " properties");
    }
    for (String key : schema.required()) {
      if (!object.has(key)) {
        add(child(path, key), "Required value", "Required value", Severity.BLOCKS_RULES);
      }
    }
    for (Map.Entry<String, JsonNode> e : iterable(object)) {
      String key = e.getKey();
      JsonNode oldValue = old == null ? null : old.get(key);
      SchemaNode prop = schema.properties().get(key);
      if (prop != null) {
        visit(e.getValue(), prop, child(path, key), oldValue, false);
      } else if (schema.additionalProperties() != null) {
        // The OpenAPI validator names map entries like fields; CEL errors use [key].
        visit(e.getValue(), schema.additionalProperties(), child(path, key), oldValue, false);
      } else if (!(root && ROOT_FIELDS.contains(key))) {
        // kubectl's default --validate=strict makes an unknown field an error, not a silent prune.
        String field = child(path, key);
        findings.add(new Finding(
            new Violation(field, "field not declared in schema", null, "strict decoding error: unknown field \"" + field + "\""),
            Severity.REPORTED));
      }
    }
  }

  private static boolean hasType(JsonNode v, SchemaNode schema) {
    if (schema.intOrString()) {
      return v.isIntegralNumber() || v.isTextual();
    }
    return switch (schema.type() == null ? "" : schema.type()) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      default -> true;
    };
  }

  private void typeInvalid(String path, JsonNode value, String type) {
    String actual = jsonType(value);
    add(path, "must be of type " + type,
        "Invalid value: " + quoted(actual) + ": " + path + " in body must be of type " + type + ": " + quoted(actual),
        Severity.BLOCKS_RULES);
  }

  private void invalid(String path, String renderedValue, String detail) {
    add(path, detail, "Invalid value: " + renderedValue + ": " + path + " in body " + detail, Severity.REPORTED);
  }

  private void add(String path, String message, String apiServerBody, Severity severity) {
    findings.add(new Finding(new Violation(path, message, null, path + ": " + apiServerBody), severity));
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static int countRootFields(JsonNode object) {
    return (int) ROOT_FIELDS.stream().filter(object::has).count();
  }

  private static String render(JsonNode v) {
    return v.isTextual() ? quoted(v.asText()) : v.toString();
  }

  private static String quoted(JsonNode v) {
    return quoted(v.asText());
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String plain(BigDecimal d) {
    return d.stripTrailingZeros().toPlainString();
  }

  private static String jsonType(JsonNode v) {
    if (v.isNull()) {
      return "null";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    return v.isNumber() ? "number" : v.getNodeType().name().toLowerCase();
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    object.fields().forEachRemaining(entries::add);
    return entries;
  }
}
