package dev.capstan.dataplane.tsdb.wal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockFileTest {

  @Test
  void aSecondOwnerIsRefusedUntilTheFirstReleases(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("LOCK");
    try (FileChannel first = LockFile.acquire(file, "in use")) {
      assertThatThrownBy(() -> LockFile.acquire(file, "data directory is in use"))
          .isInstanceOf(IOException.class)
          .hasMessage("data directory is in use");
    }
    LockFile.acquire(file, "in use").close();
  }
}
