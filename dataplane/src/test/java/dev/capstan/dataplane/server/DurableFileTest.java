package dev.capstan.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {

  @TempDir
  Path dir;

  @Test
  void replaceWritesTheWholeContentAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("meta.json");
    DurableFile.replace(file, "first".getBytes(StandardCharsets.UTF_8));
    byte[] large = new byte[3 << 20];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) i;
    }

    DurableFile.replace(file, large);

    assertThat(Files.readAllBytes(file)).isEqualTo(large);
    assertThat(dir.resolve("meta.json.tmp")).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aStaleTemporaryFileFromACrashIsOverwrittenNotAppendedTo() throws Exception {
    Path file = dir.resolve("producer-ids");
    Files.writeString(dir.resolve("producer-ids.tmp"), "a longer torn leftover of an earlier write");

    DurableFile.replace(file, "42".getBytes(StandardCharsets.US_ASCII));

    assertThat(Files.readString(file)).isEqualTo("42");
    assertThat(dir.resolve("producer-ids.tmp")).doesNotExist();
  }
}
