package dev.capstan.dataplane.lb.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerTest {

  @ParameterizedTest
  @CsvSource({
      "'', 80, 1, host",
      "a, 0, 1, port 0",
      "a, 65536, 1, port 65536",
      "a, 80, 0, weight 0",
  })
  void rejectsWhatCannotBeAServer(String host, int port, int weight, String message) {
    assertThatThrownBy(() -> new Server(host, port, weight))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void activeNeverGoesBelowZero() {
    ServerLoad load = new ServerLoad(new Server("a", 80, 1));
    load.begin();
    load.end();
    load.end();

    assertThat(load.active()).isZero();
    load.begin();
    assertThat(load.active()).isEqualTo(1);
  }
}
