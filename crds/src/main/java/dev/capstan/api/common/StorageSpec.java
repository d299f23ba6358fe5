package dev.capstan.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** A persistent volume claim template for each replica. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StorageSpec(
    @JsonPropertyDescription("Size of each replica's volume, a Kubernetes quantity such as 10Gi.")
        @Default("10Gi")
        @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
        String size,
    @JsonPropertyDescription("StorageClass of the volumes; the cluster default when omitted.")
        String storageClassName) {

  public static final String DEFAULT_SIZE = "10Gi";

  public static StorageSpec defaults() {
    return new StorageSpec(DEFAULT_SIZE, null);
  }

  public String sizeOrDefault() {
    return size == null ? DEFAULT_SIZE : size;
  }
}
