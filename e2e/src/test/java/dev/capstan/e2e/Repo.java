package dev.capstan.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths inside the repository the e2e tests use. */
public final class Repo {
  public static final Path ROOT = Path.of(System.getProperty("capstan.repo", "..")).toAbsolutePath().normalize();
  public static final Path HACK = ROOT.resolve("hack");
  public static final Path SAMPLES = ROOT.resolve("samples");
  public static final Path CHART = ROOT.resolve("helm/capstan");
  public static final Path CRDS = ROOT.resolve("crds");
  public static final Path OPERATOR_JAR = ROOT.resolve("operator/target/capstan-operator.jar");
  public static final Path DATAPLANE_JAR = ROOT.resolve("dataplane/target/capstan-dataplane.jar");
  /** Where logs of a run are kept: the operator's, and the control plane's when a test failed. */
  public static final Path LOGS = ROOT.resolve("e2e/target/e2e-logs");

  private Repo() {}

  static void requireBuilt() {
    if (!Files.isRegularFile(OPERATOR_JAR)) {
      throw new IllegalStateException(OPERATOR_JAR + " is missing: run ./mvnw verify from the repository root");
    }
  }
}
