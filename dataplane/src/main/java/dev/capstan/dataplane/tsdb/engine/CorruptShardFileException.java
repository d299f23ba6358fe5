package dev.capstan.dataplane.tsdb.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A shard file failed its checksums or does not parse. The engine refuses to open (or to read
 * the damaged block) rather than serve wrong data; the message names the file so an operator
 * can move it aside.
 */
public final class CorruptShardFileException extends IOException {
  public CorruptShardFileException(Path file, String reason) {
    super("corrupt shard file " + file + ": " + reason + " (move the file aside to start without its data)");
  }
}
