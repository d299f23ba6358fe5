package dev.capstan.dataplane.tsdb.wal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The process {@link CrashRecoveryTest} kills: appends batches of {@link Payloads} to the log in
 * {@code args[0]} forever and prints each batch's last sequence number once {@code append} has
 * returned, which under {@link FsyncPolicy#EVERY_BATCH} is the moment a server would acknowledge.
 */
public final class CrashingWriter {
  private CrashingWriter() {}

  public static void main(String[] args) throws IOException {
    WalOptions options = new WalOptions(Long.parseLong(args[1]), FsyncPolicy.EVERY_BATCH);
    // One write(2) per line: a pipe write this small is atomic, so the parent never sees half a number.
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    try (WriteAheadLog wal = WriteAheadLog.open(Path.of(args[0]), options)) {
      for (int batch = 0; ; batch++) {
        long acknowledged = wal.append(Payloads.batch(wal.lastSequence() + 1, batch % 5 + 1));
        out.write((acknowledged + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }
  }
}
