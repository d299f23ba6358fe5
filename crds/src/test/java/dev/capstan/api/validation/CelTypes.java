package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.NullValue;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CEL type of every schema node, derived as the API server derives it
 * (k8s.io/apiserver/pkg/cel/common SchemaDeclType): an object with properties is a struct
 * whose fields are its properties, so a rule naming a field the schema lacks does not
 * compile; an object with additionalProperties is a map; int-or-string is dyn. Values are
 * handed to CEL as Java maps and lists, on which {@code has(self.f)} tests for the key and
 * {@code self.f} fails with "no such key" when it is absent, as in the API server.
 */
final class CelTypes implements CelTypeProvider {
  /** CEL keywords the API server escapes as {@code __keyword__} in field names. */
  private static final Set<String> RESERVED =
      Set.of("true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
          "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
          "void", "while");

  private final Map<SchemaNode, CelType> types = new IdentityHashMap<>();
  private final Map<String, CelType> structs = new LinkedHashMap<>();

  CelTypes(SchemaNode root) {
    typeOf(root);
  }

  CelType typeOf(SchemaNode s) {
    CelType known = types.get(s);
    if (known != null) {
      return known;
    }
    CelType type;
    if (s.intOrString()) {
      type = SimpleType.DYN;
    } else if (s.isArray()) {
      type = ListType.create(typeOf(s.items()));
    } else if (s.isMap()) {
      type = MapType.create(SimpleType.STRING, typeOf(s.additionalProperties()));
    } else if (s.isObject()) {
      Map<String, SchemaNode> fields = new LinkedHashMap<>();
      s.properties().forEach((name, prop) -> escape(name).ifPresent(f -> fields.put(f, prop)));
      String name = "capstan.schema" + s.path().replaceAll("[^A-Za-z0-9_.]", "_");
      StructType struct =
          StructType.create(
              name,
              ImmutableSet.copyOf(fields.keySet()),
              field -> Optional.ofNullable(fields.get(field)).map(this::typeOf));
      structs.put(name, struct);
      type = struct;
    } else {
      type =
          switch (s.type() == null ? "" : s.type()) {
            case "string" -> SimpleType.STRING;
            case "integer" -> SimpleType.INT;
            case "number" -> SimpleType.DOUBLE;
            case "boolean" -> SimpleType.BOOL;
            default -> SimpleType.DYN;
          };
    }
    types.put(s, type);
    // Fields are resolved lazily; resolve them now so every struct is known to the checker.
    if (type instanceof StructType) {
      s.properties().values().forEach(this::typeOf);
    }
    return type;
  }

  @Override
  public ImmutableList<CelType> types() {
    return ImmutableList.copyOf(structs.values());
  }

  @Override
  public Optional<CelType> findType(String typeName) {
    return Optional.ofNullable(structs.get(typeName));
  }

  /** A defaulted JSON value as the Java value CEL evaluates, shaped by its schema. */
  static Object value(JsonNode v, SchemaNode s) {
    if (v == null || v.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>();
      v.forEach(item -> list.add(value(item, s.items())));
      return list;
    }
    if (v.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      v.fields()
          .forEachRemaining(
              e -> {
                if (s.isMap()) {
                  map.put(e.getKey(), value(e.getValue(), s.additionalProperties()));
                } else {
                  SchemaNode prop = s.properties().get(e.getKey());
                  if (prop != null) {
                    escape(e.getKey()).ifPresent(f -> map.put(f, value(e.getValue(), prop)));
                  }
                }
              });
      return map;
    }
    if (v.isIntegralNumber() && !"number".equals(s.type())) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return v.asText();
  }

  /**
   * A property name as CEL sees it, or empty when CEL cannot reach it (k8s.io/apiserver/pkg/cel
   * Escape).
   */
  static Optional<String> escape(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0)) || !name.matches("[A-Za-z0-9_.\\-/]+")) {
      return Optional.empty();
    }
    if (RESERVED.contains(name)) {
      return Optional.of("__" + name + "__");
    }
    return Optional.of(
        name.replace("__", "__underscores__")
            .replace(".", "__dot__")
            .replace("-", "__dash__")
            .replace("/", "__slash__"));
  }
}
