package dev.capstan.dataplane.server;

/**
 * The address every listener of a server binds: {@code CAPSTAN_BIND_HOST} when set, else all
 * interfaces. A pod needs no setting; several servers on one machine (the local kubelet of
 * hack/, benchmarks) each get a loopback address of their own.
 */
public final class BindAddress {
  public static final String ENV = "CAPSTAN_BIND_HOST";
  public static final String ALL = "0.0.0.0";

  private BindAddress() {}

  public static String host() {
    String host = System.getenv(ENV);
    return host == null || host.isBlank() ? ALL : host.strip();
  }
}
