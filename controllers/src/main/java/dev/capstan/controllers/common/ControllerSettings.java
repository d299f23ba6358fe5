package dev.capstan.controllers.common;

/**
 * What the operator's configuration gives every controller.
 *
 * @param dataplaneImage image of the data plane (tsdb, lb and broker are its subcommands),
 *     used when a custom resource names none
 */
public record ControllerSettings(String dataplaneImage) {
  public static final String DEFAULT_DATAPLANE_IMAGE = "ghcr.io/capstan-dev/capstan-dataplane:0.1.0";

  public static ControllerSettings defaults() {
    return new ControllerSettings(DEFAULT_DATAPLANE_IMAGE);
  }

  public String imageOr(String requested) {
    return requested == null || requested.isBlank() ? dataplaneImage : requested;
  }
}
