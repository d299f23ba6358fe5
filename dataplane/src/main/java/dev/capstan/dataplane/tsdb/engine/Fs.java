package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.server.DurableFile;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** The few file-system steps durability rests on. */
final class Fs {
  private Fs() {}

  /** Makes creations, renames and deletions in {@code directory} survive a power loss. */
  static void forceDirectory(Path directory) throws IOException {
    DurableFile.forceDirectory(directory);
  }

  static void createDirectoriesDurably(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    createDirectoriesDurably(directory.getParent());
    Files.createDirectory(directory);
    forceDirectory(directory.getParent());
  }

  /** Deletes a tree; a missing tree is fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
    if (root.getParent() != null && Files.isDirectory(root.getParent())) {
      forceDirectory(root.getParent());
    }
  }

  /** Prefix of a directory being deleted; whatever carries it is garbage after a crash. */
  static final String DELETING_PREFIX = ".deleting-";

  /**
   * Deletes a tree so that a crash part-way cannot leave a half-deleted tree that still looks
   * live (a shard group with its files but not its WAL): it is first renamed atomically to a
   * {@link #DELETING_PREFIX} name, which opening ignores and removes.
   */
  static void deleteTreeAtomically(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Path doomed = root.resolveSibling(DELETING_PREFIX + root.getFileName());
    deleteTree(doomed);
    Files.move(root, doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(root.getParent());
    deleteTree(doomed);
  }

  /** Bytes of the regular files under {@code root}. */
  static long sizeOf(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (var files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }
}
