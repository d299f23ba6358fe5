package dev.capstan.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the API server would say to a custom resource, without an API server: loads a CRD from
 * {@code crds/}, then for an object written as a user writes it applies the schema's defaults,
 * checks the OpenAPI schema and runs every CEL rule at its node. The real API server checks the
 * same objects again in the e2e tests.
 */
final class CrdValidator {
  /** Surefire runs in the module directory, which is where the CRD YAML lives. */
  static final Path CRDS_DIR = Path.of("").toAbsolutePath();

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Map<String, CrdValidator> LOADED = new ConcurrentHashMap<>();

  static final String RULES_NOT_CHECKED =
      "some validation rules were not checked because the object was invalid; "
          + "correct the existing errors to complete validation";

  private final String fileName;
  private final String apiVersion;
  private final String kind;
  private final SchemaNode schema;
  private final CelRules rules;

  private CrdValidator(String fileName, JsonNode crd) {
    this.fileName = fileName;
    JsonNode spec = crd.path("spec");
    JsonNode version = spec.path("versions").get(0);
    if (spec.path("versions").size() != 1) {
      throw new IllegalArgumentException(fileName + ": only CRDs with one version are supported");
    }
    this.apiVersion = spec.path("group").asText() + "/" + version.path("name").asText();
    this.kind = spec.path("names").path("kind").asText();
    this.schema = SchemaNode.parse(version.path("schema").path("openAPIV3Schema"), "");
    this.rules = new CelRules(schema);
  }

  /** The CRD in {@code crds/<fileName>}, such as {@code tsdbclusters.capstan.dev.yaml}. */
  static CrdValidator load(String fileName) {
    return LOADED.computeIfAbsent(fileName, f -> new CrdValidator(f, read(CRDS_DIR.resolve(f))));
  }

  /** A CRD given as YAML text, for testing this package itself. */
  static CrdValidator fromYaml(String name, String crdYaml) {
    try {
      return new CrdValidator(name, YAML.readTree(crdYaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CRD files in {@code crds/}. */
  static List<String> crdFiles() {
    try (var files = Files.list(CRDS_DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String fileName() {
    return fileName;
  }

  SchemaNode schema() {
    return schema;
  }

  CelRules rules() {
    return rules;
  }

  /** The violations of {@code kubectl create}; empty when the object is accepted. */
  List<Violation> create(String yaml) {
    return validate(parse(yaml), null);
  }

  /** The violations of an update from {@code oldYaml}, which was stored as it was accepted. */
  List<Violation> update(String oldYaml, String newYaml) {
    return validate(parse(newYaml), parse(oldYaml));
  }

  /** The object after defaulting, as it would be stored. */
  JsonNode defaulted(String yaml) {
    return parse(yaml);
  }

  private List<Violation> validate(JsonNode object, JsonNode old) {
    requireCompiled();
    List<Violation> violations = new ArrayList<>();
    boolean blocked = false;
    for (OpenApiChecks.Finding f : OpenApiChecks.check(object, schema, old)) {
      violations.add(f.violation());
      blocked |= f.severity() == OpenApiChecks.Severity.BLOCKS_RULES;
    }
    if (blocked) {
      violations.add(new Violation("<nil>", RULES_NOT_CHECKED, null, "<nil>: Invalid value: null: " + RULES_NOT_CHECKED));
    } else {
      violations.addAll(rules.evaluate(object, schema, old));
    }
    return violations;
  }

  private void requireCompiled() {
    if (!rules.compileErrors().isEmpty()) {
      throw new IllegalStateException(
          "the API server would refuse " + fileName + ":\n  " + String.join("\n  ", rules.compileErrors()));
    }
  }

  /** Parses a user's YAML, fills in apiVersion, kind and metadata when left out, and defaults it. */
  private JsonNode parse(String yaml) {
    JsonNode node;
    try {
      node = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("not YAML: " + yaml, e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException("not an object: " + yaml);
    }
    fillIn(object, "apiVersion", apiVersion);
    fillIn(object, "kind", kind);
    if (!object.has("metadata")) {
      object.putObject("metadata").put("name", "test");
    }
    StructuralDefaulting.apply(object, schema);
    return object;
  }

  private void fillIn(ObjectNode object, String field, String expected) {
    if (!object.has(field)) {
      object.put(field, expected);
    } else if (!object.get(field).asText().equals(expected)) {
      throw new IllegalArgumentException(
          fileName + " is for " + field + " " + expected + ", not " + object.get(field).asText());
    }
  }

  private static JsonNode read(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
