package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every {@code x-kubernetes-validations} rule of a CRD, compiled with CEL against the typed
 * schema, and their evaluation with Kubernetes' semantics: {@code self} is the value at the
 * rule's node; a rule that mentions {@code oldSelf} (a transition rule) runs only on update and
 * only where the node has an old value; on update, a rule without {@code oldSelf} is not run on
 * a value that did not change (validation ratcheting).
 */
final class CelRules {
  private static final Set<String> REASONS =
      Set.of("FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate");

  /** The API server's CEL options that change results: RE2 partial match, 1 < 1.5 allowed. */
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableRegexPartialMatch(true)
          .enableHeterogeneousNumericComparisons(true)
          .build();

  record CompiledRule(SchemaNode node, SchemaNode.Rule rule, CelRuntime.Program program, boolean transition) {}

  private final Map<SchemaNode, List<CompiledRule>> byNode = new IdentityHashMap<>();
  private final List<String> compileErrors = new ArrayList<>();

  CelRules(SchemaNode root) {
    CelTypes types = new CelTypes(root);
    for (SchemaNode node : root.subtree()) {
      if (node.rules().isEmpty()) {
        continue;
      }
      Cel cel = environment(types, types.typeOf(node));
      List<CompiledRule> compiled = new ArrayList<>();
      for (SchemaNode.Rule rule : node.rules()) {
        compile(cel, node, rule).ifPresent(compiled::add);
      }
      byNode.put(node, compiled);
    }
  }

  /** Why a rule would be refused when the CRD is applied; empty when all compile. */
  List<String> compileErrors() {
    return List.copyOf(compileErrors);
  }

  List<CompiledRule> all() {
    return byNode.values().stream().flatMap(List::stream).toList();
  }

  private static Cel environment(CelTypes types, CelType selfType) {
    return CelFactory.standardCelBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(types)
        .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS))
        .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS))
        .addFunctionDeclarations(KubernetesCidr.DECLARATION)
        .addFunctionBindings(KubernetesCidr.BINDING)
        .addVar("self", selfType)
        .addVar("oldSelf", selfType)
        .setResultType(SimpleType.BOOL)
        .build();
  }

  private Optional<CompiledRule> compile(Cel cel, SchemaNode node, SchemaNode.Rule rule) {
    String where = node.path() + " rule " + rule.rule();
    if (rule.reason() != null && !REASONS.contains(rule.reason())) {
      compileErrors.add(where + ": unknown reason " + rule.reason());
    }
    if (rule.fieldPath() != null && FieldPaths.resolve(node, rule.fieldPath()) == null) {
      compileErrors.add(where + ": fieldPath " + rule.fieldPath() + " names no field of the schema");
    }
    CelValidationResult result = cel.compile(rule.rule());
    if (result.hasError()) {
      compileErrors.add(where + ": " + result.getErrorString());
      return Optional.empty();
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      boolean transition =
          CelNavigableAst.fromAst(ast)
              .getRoot()
              .allNodes()
              .map(n -> n.expr())
              .anyMatch(e -> e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals("oldSelf"));
      return Optional.of(new CompiledRule(node, rule, cel.createProgram(ast), transition));
    } catch (Exception e) {
      compileErrors.add(where + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Violations of the rules by {@code root}; {@code oldRoot} is null on create. */
  List<Violation> evaluate(JsonNode root, SchemaNode schema, JsonNode oldRoot) {
    List<Violation> out = new ArrayList<>();
    visit(root, schema, "", oldRoot, out);
    return out;
  }

  private void visit(JsonNode value, SchemaNode schema, String path, JsonNode old, List<Violation> out) {
    if (value == null || value.isNull() || schema == null) {
      return;
    }
    for (CompiledRule r : byNode.getOrDefault(schema, List.of())) {
      boolean unchanged = old != null && old.equals(value);
      if ((r.transition() && old == null) || (!r.transition() && unchanged)) {
        continue;
      }
      evaluate(r, value, old, path).ifPresent(out::add);
    }
    if (value.isObject()) {
      value.fields()
          .forEachRemaining(
              e -> {
                SchemaNode prop = schema.properties().get(e.getKey());
                JsonNode oldValue = old == null ? null : old.get(e.getKey());
                if (prop != null) {
                  visit(e.getValue(), prop, OpenApiChecks.child(path, e.getKey()), oldValue, out);
                } else if (schema.additionalProperties() != null) {
                  visit(e.getValue(), schema.additionalProperties(), path + "[" + e.getKey() + "]", oldValue, out);
                }
              });
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        visit(item, schema.items(), path + "[" + i + "]", ListCorrelation.oldItem(item, schema, old), out);
      }
    }
  }

  private static Optional<Violation> evaluate(CompiledRule r, JsonNode value, JsonNode old, String path) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", CelTypes.value(value, r.node()));
    if (old != null) {
      vars.put("oldSelf", CelTypes.value(old, r.node()));
    }
    String rule = r.rule().rule();
    Object result;
    try {
      result = r.program().eval(vars);
    } catch (CelEvaluationException e) {
      // The API server names the rule by its message when it has one.
      String named = r.rule().message() != null ? r.rule().message() : rule;
      String detail = e.getMessage() + " evaluating rule: " + named;
      String type = r.node().type() == null ? "dyn" : r.node().type();
      return Optional.of(
          new Violation(path, detail, rule, path + ": Invalid value: \"" + type + "\": " + detail));
    }
    if (Boolean.TRUE.equals(result)) {
      return Optional.empty();
    }
    String field = FieldPaths.append(path, r.rule().fieldPath());
    String message = r.rule().message() != null ? r.rule().message() : "failed rule: " + rule.trim();
    return Optional.of(new Violation(field, message, rule, field + ": " + apiServerBody(r, value, message)));
  }

  /** How the API server words the error, by the rule's reason (apiextensions cel fieldErrorForReason). */
  private static String apiServerBody(CompiledRule r, JsonNode value, String message) {
    boolean composite = value.isObject() || value.isArray();
    String shown = composite ? "" : ": " + (value.isTextual() ? "\"" + value.asText() + "\"" : value.toString());
    String reason = r.rule().reason() == null ? "FieldValueInvalid" : r.rule().reason();
    return switch (reason) {
      case "FieldValueForbidden" -> "Forbidden: " + message;
      case "FieldValueRequired" -> "Required value: " + message;
      // field.Duplicate takes no detail: the rule's message never reaches the user.
      case "FieldValueDuplicate" -> "Duplicate value" + shown;
      default -> "Invalid value" + shown + ": " + message;
    };
  }
}
