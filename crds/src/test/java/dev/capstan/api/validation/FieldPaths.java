package dev.capstan.api.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule's {@code fieldPath}: {@code .name} and {@code ['name']} steps relative to the rule's
 * node. The API server refuses a CRD whose fieldPath names no field of the schema.
 */
final class FieldPaths {
  private static final Pattern STEP = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_-]*)|\\['((?:[^'\\\\]|\\\\.)*)'\\]");

  private FieldPaths() {}

  /** The schema node the path leads to, or null when it leads nowhere. */
  static SchemaNode resolve(SchemaNode from, String fieldPath) {
    List<String> steps = steps(fieldPath);
    if (steps == null) {
      return null;
    }
    SchemaNode at = from;
    for (String step : steps) {
      SchemaNode next = at.properties().get(step);
      if (next == null) {
        next = at.additionalProperties();
      }
      if (next == null) {
        return null;
      }
      at = next;
    }
    return at;
  }

  /** {@code spec} + {@code .replicas} = {@code spec.replicas}. */
  static String append(String path, String fieldPath) {
    if (fieldPath == null) {
      return path;
    }
    String out = path;
    for (String step : steps(fieldPath)) {
      out = step.matches("[A-Za-z_][A-Za-z0-9_-]*") ? OpenApiChecks.child(out, step) : out + "[" + step + "]";
    }
    return out;
  }

  private static List<String> steps(String fieldPath) {
    List<String> steps = new ArrayList<>();
    Matcher m = STEP.matcher(fieldPath);
    int at = 0;
    while (at < fieldPath.length()) {
      if (!m.find(at) || m.start() != at) {
        return null;
      }
      steps.add(m.group(1) != null ? m.group(1) : m.group(2).replaceAll("\\\\(.)", "$1"));
      at = m.end();
    }
    return steps;
  }
}
