package dev.capstan.dataplane.tsdb.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file, so that two owners (processes, or two opens in one JVM) never
 * write the same directory. Closing the returned channel releases it.
 */
public final class LockFile {
  private LockFile() {}

  /**
   * Creates {@code file} if needed and locks it.
   *
   * @param inUse the message of the {@link IOException} thrown when someone else holds it
   */
  public static FileChannel acquire(Path file, String inUse) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held;
    try {
      held = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      held = null; // this JVM holds it already
    }
    if (held == null) {
      channel.close();
      throw new IOException(inUse);
    }
    return channel;
  }
}
