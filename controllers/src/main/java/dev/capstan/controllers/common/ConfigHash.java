package dev.capstan.controllers.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A digest of a ConfigMap's data, put on the pod template so that a configuration change
 * rolls the pods even when the data plane cannot reload that setting live.
 */
public final class ConfigHash {
  public static final String ANNOTATION = "capstan.dev/config-hash";

  private ConfigHash() {}

  public static String of(Map<String, String> data) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    for (var e : new TreeMap<>(data).entrySet()) {
      digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(e.getValue().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 16);
  }
}
