package dev.capstan.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the CRD YAML of every Capstan kind from its Java types with Fabric8's
 * crd-generator. The generator sorts printer columns by JSON path; we put them back in the
 * order the class declares them, so {@code kubectl get} shows READY first and AGE last.
 */
final class CrdYaml {
  static final String HEADER =
      "# Generated from the Java types in crds/src/main/java by CrdYamlInSyncTest; do not edit.\n"
          + "# Regenerate: ./mvnw -pl crds test -Dcapstan.crds.write=true\n";

  private CrdYaml() {}

  /** File name (such as {@code tsdbclusters.capstan.dev.yaml}) to YAML text. */
  static Map<String, String> generate() {
    Map<String, ByteArrayOutputStream> outputs = new TreeMap<>();
    new CRDGenerator()
        .customResourceClasses(List.copyOf(CustomResources.ALL))
        .forCRDVersions("v1")
        .withParallelGenerationEnabled(false)
        .withPostProcessor(new DeclaredColumnOrder())
        .withOutput(new InMemoryOutput(outputs))
        .generate();
    Map<String, String> files = new TreeMap<>();
    outputs.forEach(
        (crdName, bytes) -> {
          String yaml = bytes.toString(StandardCharsets.UTF_8);
          // Drop the generator's own header comment; ours says how to regenerate.
          String body = yaml.lines().dropWhile(l -> l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
          files.put(crdName + ".yaml", HEADER + body);
        });
    return files;
  }

  static void writeTo(Path dir) throws IOException {
    for (var e : generate().entrySet()) {
      Files.writeString(dir.resolve(e.getKey()), e.getValue());
    }
  }

  private record InMemoryOutput(Map<String, ByteArrayOutputStream> outputs)
      implements CRDGenerator.CRDOutput<OutputStream> {
    @Override
    public OutputStream outputFor(String crdName) {
      // crdName is "<plural>.<group>-v1"; keep "<plural>.<group>".
      String name = crdName.endsWith("-v1") ? crdName.substring(0, crdName.length() - 3) : crdName;
      return outputs.computeIfAbsent(name, k -> new ByteArrayOutputStream());
    }

    @Override
    public void close() {}
  }

  private static final class DeclaredColumnOrder implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      var definition = (CustomResourceDefinition) crd;
      String kind = definition.getSpec().getNames().getKind();
      Class<? extends CustomResource<?, ?>> type =
          CustomResources.ALL.stream()
              .filter(c -> c.getSimpleName().equals(kind))
              .findFirst()
              .orElseThrow();
      List<String> declared =
          Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      for (var version : definition.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns != null) {
          columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
        }
      }
      return crd;
    }
  }
}
