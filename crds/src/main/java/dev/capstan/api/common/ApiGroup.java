package dev.capstan.api.common;

/** The API group and version every Capstan custom resource is served under. */
public final class ApiGroup {
  public static final String GROUP = "capstan.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private ApiGroup() {}
}
