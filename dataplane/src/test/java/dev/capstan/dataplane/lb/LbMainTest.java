package dev.capstan.dataplane.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class LbMainTest {

  @Test
  void leakDetectionIsOffUnlessTheCommandLineSaysOtherwise() {
    Properties unset = new Properties();
    LbMain.nettyDefaults(unset);
    assertThat(unset.getProperty("io.netty.leakDetection.level")).isEqualTo("disabled");

    Properties explicit = new Properties();
    explicit.setProperty("io.netty.leakDetection.level", "paranoid");
    LbMain.nettyDefaults(explicit);
    assertThat(explicit.getProperty("io.netty.leakDetection.level")).isEqualTo("paranoid");
  }
}
