package dev.capstan.dataplane.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small files that must survive a crash whole: a server's metadata, rewritten on each change. */
public final class DurableFile {

  private DurableFile() {}

  /**
   * Replaces {@code file} with {@code bytes} so that a crash leaves the old content or the new,
   * never a mix: a temporary sibling ({@code <name>.tmp}) is written and fsynced, renamed over the
   * file, and the directory fsynced so that the rename itself survives. Returns once all of that
   * is on disk.
   */
  public static void replace(Path file, byte[] bytes) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(file.toAbsolutePath().getParent());
  }

  /** Makes creations, renames and deletions in {@code directory} survive a power loss. */
  public static void forceDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
