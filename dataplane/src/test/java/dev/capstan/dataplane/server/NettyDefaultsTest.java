package dev.capstan.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyDefaultsTest {

  @Test
  void leakDetectionIsOffUnlessTheCommandLineSaysOtherwise() {
    Properties unset = new Properties();
    NettyDefaults.apply(unset);
    assertThat(unset.getProperty("io.netty.leakDetection.level")).isEqualTo("disabled");

    Properties explicit = new Properties();
    explicit.setProperty("io.netty.leakDetection.level", "paranoid");
    NettyDefaults.apply(explicit);
    assertThat(explicit.getProperty("io.netty.leakDetection.level")).isEqualTo("paranoid");
  }
}
