package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The file behind a segment index: fixed-size entries, appended at the end. The index classes
 * keep their entries in memory and use this only to persist and reload them.
 */
final class IndexFile implements AutoCloseable {

  private final FileChannel file;

  private IndexFile(FileChannel file) {
    this.file = file;
  }

  /** An empty file, replacing whatever was at {@code path}. */
  static IndexFile create(Path path) throws IOException {
    return new IndexFile(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
  }

  /**
   * The entries stored at {@code path}, or empty when the file is missing or ends in a torn
   * entry (its length is not a multiple of {@code entryBytes}).
   */
  static Optional<ByteBuffer> readEntries(Path path, int entryBytes) throws IOException {
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(path);
    return bytes.length % entryBytes == 0 ? Optional.of(ByteBuffer.wrap(bytes)) : Optional.empty();
  }

  /** The existing file at {@code path}, positioned to append after its last entry. */
  static IndexFile openForAppend(Path path) throws IOException {
    FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    file.position(file.size());
    return new IndexFile(file);
  }

  void append(ByteBuffer entry) throws IOException {
    while (entry.hasRemaining()) {
      file.write(entry);
    }
  }

  void flush() throws IOException {
    file.force(true);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
