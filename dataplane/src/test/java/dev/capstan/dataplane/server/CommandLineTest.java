package dev.capstan.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  private static final Set<String> FLAGS = Set.of("config", "data");

  @Test
  void readsBothSpellingsOfAFlag() {
    CommandLine cl = CommandLine.parse(List.of("--config", "/etc/lb.yaml", "--data=/var/lib/x"), FLAGS);

    assertThat(cl.required("config")).isEqualTo("/etc/lb.yaml");
    assertThat(cl.path("data")).contains(Path.of("/var/lib/x"));
  }

  @Test
  void anAbsentOptionalFlagIsEmptyAndARequiredOneNamesItself() {
    CommandLine cl = CommandLine.parse(List.of(), FLAGS);

    assertThat(cl.value("data")).isEmpty();
    assertThatThrownBy(() -> cl.required("config"))
        .isInstanceOf(CommandLine.UsageException.class)
        .hasMessage("flag --config is required");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--config                 | flag --config needs a value",
        "--config --data x        | flag --config needs a value",
        "--port 80                | unknown flag --port; known: --config, --data",
        "config.yaml              | unexpected argument 'config.yaml'; flags are --name value",
      })
  void mistakesAreNamedInOneLine(String args, String message) {
    assertThatThrownBy(() -> CommandLine.parse(List.of(args.trim().split(" +")), FLAGS))
        .isInstanceOf(CommandLine.UsageException.class)
        .hasMessage(message);
  }
}
