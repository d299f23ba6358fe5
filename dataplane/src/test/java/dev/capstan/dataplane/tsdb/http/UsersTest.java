package dev.capstan.dataplane.tsdb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersTest {

  @TempDir Path dir;

  @Test
  void fileLinesAreUserColonPasswordWithCommentsAndColonsInPasswords() {
    Map<String, String> users = Users.parse("users", List.of("# admins", "", "admin:pw", "  grafana:a:b:c  "));

    assertThat(users).containsExactly(Map.entry("admin", "pw"), Map.entry("grafana", "a:b:c"));
  }

  @Test
  void malformedLinesNameFileAndLine() {
    assertThatThrownBy(() -> Users.parse("/etc/users", List.of("ok:x", "nocolon")))
        .hasMessage("/etc/users:2: expected 'user:password' with neither empty");
    assertThatThrownBy(() -> Users.parse("f", List.of("user:")))
        .hasMessage("f:1: expected 'user:password' with neither empty");
  }

  @Test
  void environmentAndFileCombineAndTheFileWins() throws IOException {
    Path file = Files.writeString(dir.resolve("users"), "admin:fromfile\nreader:r\n");

    Users users = Users.load(Map.of(Users.ENV_USER, "admin", Users.ENV_PASSWORD, "fromenv", "OTHER", "x"), file);

    assertThat(users.names()).containsExactlyInAnyOrder("admin", "reader");
    assertThat(users.authenticate("admin", "fromfile")).isTrue();
    assertThat(users.authenticate("admin", "fromenv")).isFalse();
    assertThat(users.authenticate("reader", "r")).isTrue();
    assertThat(users.authenticate("nobody", "r")).isFalse();
  }

  @Test
  void userWithoutPasswordInTheEnvironmentIsAMistake() {
    assertThatThrownBy(() -> Users.load(Map.of(Users.ENV_USER, "admin"), null))
        .hasMessage("CAPSTAN_TSDB_ADMIN_USER is set but CAPSTAN_TSDB_ADMIN_PASSWORD is empty");
    assertThatThrownBy(() -> Users.load(Map.of(), dir.resolve("absent")))
        .hasMessageStartingWith(dir.resolve("absent") + ": cannot read the users file");
    assertThat(Users.load(Map.of(), null).isEmpty()).isTrue();
  }
}
