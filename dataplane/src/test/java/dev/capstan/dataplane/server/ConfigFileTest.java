package dev.capstan.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.config.TsdbNodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

  @TempDir Path dir;

  private static final String VALID =
      """
      httpPort: 8086
      replicationFactor: 1
      authEnabled: false
      databases:
      - name: plant
        retentionPolicies:
        - {name: raw, duration: 7d, shardDuration: 1d, defaultPolicy: true}
      """;

  @Test
  void loadsARecordFromYaml() throws IOException {
    Path file = write(VALID);

    TsdbNodeConfig config = ConfigFile.of(file, TsdbNodeConfig.class).load();

    assertThat(config.httpPort()).isEqualTo(8086);
    assertThat(config.databases().get(0).retentionPolicies().get(0).duration()).isEqualTo("7d");
  }

  @Test
  void anUnknownSettingIsNamedWithItsPath() throws IOException {
    Path file = write(VALID.replace("defaultPolicy: true", "default: true"));

    assertThatThrownBy(() -> ConfigFile.of(file, TsdbNodeConfig.class).load())
        .isInstanceOf(ConfigFile.InvalidConfigException.class)
        .hasMessage(file + ": unknown setting databases[0].retentionPolicies[0].default");
  }

  @Test
  void aValueOfTheWrongTypeSaysWhere() throws IOException {
    Path file = write("httpPort: eighty\n");

    assertThatThrownBy(() -> ConfigFile.of(file, TsdbNodeConfig.class).load())
        .isInstanceOf(ConfigFile.InvalidConfigException.class)
        .hasMessageStartingWith(file + ": bad value for httpPort: ")
        .hasMessageContaining("eighty")
        .hasMessageNotContaining("\n");
  }

  @Test
  void brokenYamlSaysWhere() throws IOException {
    Path file = write("httpPort: 8086\n- item\n");

    assertThatThrownBy(() -> ConfigFile.of(file, TsdbNodeConfig.class).load())
        .isInstanceOf(ConfigFile.InvalidConfigException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining("line 2");
  }

  @Test
  void aMissingFileSaysHowToPassOne() {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> ConfigFile.of(file, TsdbNodeConfig.class).load())
        .hasMessage(file + ": no such file; pass the configuration with --config");
  }

  @Test
  void pollingHandsOverOnlyChangedValidContent() throws IOException {
    Path file = write(VALID);
    ConfigFile<TsdbNodeConfig> config = ConfigFile.of(file, TsdbNodeConfig.class);
    config.load();
    List<TsdbNodeConfig> applied = new ArrayList<>();

    boolean unchanged = config.poll(applied::add);
    Files.writeString(file, VALID.replace("8086", "8087"));
    boolean changed = config.poll(applied::add);
    Files.writeString(file, "httpPort: [\n");
    boolean invalid = config.poll(applied::add);
    Files.writeString(file, VALID.replace("7d", "30d"));
    boolean fixed = config.poll(applied::add);

    assertThat(List.of(unchanged, changed, invalid, fixed)).containsExactly(false, true, false, true);
    assertThat(applied).extracting(TsdbNodeConfig::httpPort).containsExactly(8087, 8086);
    assertThat(applied.get(1).databases().get(0).retentionPolicies().get(0).duration())
        .isEqualTo("30d");
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("tsdb.yaml");
    Files.writeString(file, content);
    return file;
  }
}
