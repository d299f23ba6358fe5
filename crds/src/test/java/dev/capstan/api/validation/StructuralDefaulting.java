package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the API server does to an object before validating it, in its order: nulls of
 * non-nullable fields are dropped (or replaced by the default), then every property that has a
 * {@code default} and is absent from an object that is present gets the default. A default
 * is never applied to a parent the user left out, so {@code spec.storage.size} defaults only
 * when {@code spec.storage} exists. Mirrors k8s.io/apiextensions-apiserver structuraldefaulting.
 */
final class StructuralDefaulting {
  private StructuralDefaulting() {}

  /** Mutates {@code value} in place. */
  static void apply(JsonNode value, SchemaNode schema) {
    if (schema == null) {
      return;
    }
    if (value instanceof ObjectNode object) {
      for (Map.Entry<String, SchemaNode> p : schema.properties().entrySet()) {
        JsonNode present = object.get(p.getKey());
        SchemaNode prop = p.getValue();
        boolean nonNullableNull = present != null && present.isNull() && !prop.nullable();
        if (prop.defaultValue() != null && (present == null || nonNullableNull)) {
          object.set(p.getKey(), prop.defaultValue().deepCopy());
        } else if (nonNullableNull) {
          object.remove(p.getKey());
        }
      }
      for (String key : fieldNames(object)) {
        SchemaNode prop = schema.properties().get(key);
        apply(object.get(key), prop != null ? prop : schema.additionalProperties());
      }
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> apply(item, schema.items()));
    }
  }

  private static List<String> fieldNames(ObjectNode object) {
    List<String> keys = new ArrayList<>();
    object.fieldNames().forEachRemaining(keys::add);
    return keys;
  }
}
