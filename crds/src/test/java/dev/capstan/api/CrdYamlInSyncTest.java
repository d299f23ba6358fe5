package dev.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRD YAML under {@code crds/} is what users {@code kubectl apply}; the Helm chart ships a
 * copy (a chart cannot read files outside its directory). Both must be exactly what the Java
 * types generate.
 */
class CrdYamlInSyncTest {
  /** Surefire runs in the module directory, which is where the YAML lives. */
  private static final Path CRDS_DIR = Path.of("").toAbsolutePath();
  private static final Path CHART_CRDS_DIR = CRDS_DIR.resolve("../helm/capstan/files/crds").normalize();

  @Test
  void committedYamlMatchesTheJavaTypes() throws IOException {
    assertInSync(CRDS_DIR);
  }

  @Test
  void helmChartCarriesTheSameYaml() throws IOException {
    assertInSync(CHART_CRDS_DIR);
  }

  private static void assertInSync(Path dir) throws IOException {
    if (Boolean.getBoolean("capstan.crds.write")) {
      Files.createDirectories(dir);
      CrdYaml.writeTo(dir);
    }
    Map<String, String> generated = CrdYaml.generate();
    Map<String, String> committed = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        committed.put(f.getFileName().toString(), Files.readString(f));
      }
    }
    assertThat(committed.keySet())
        .as("CRD files in %s (regenerate: ./mvnw -pl crds test -Dcapstan.crds.write=true)", dir)
        .isEqualTo(generated.keySet());
    generated.forEach(
        (name, yaml) ->
            assertThat(committed.get(name))
                .as("%s/%s is stale; regenerate: ./mvnw -pl crds test -Dcapstan.crds.write=true", dir, name)
                .isEqualTo(yaml));
  }

  @Test
  void everyKindHasStatusSubresourceAndReadyColumn() {
    Map<String, String> generated = CrdYaml.generate();
    assertThat(generated).hasSize(4);
    generated.forEach(
        (name, yaml) -> {
          assertThat(yaml).as(name).contains("status: {}");
          assertThat(yaml).as(name).contains("name: \"Ready\"");
          assertThat(yaml).as(name).contains("x-kubernetes-validations");
        });
  }
}
