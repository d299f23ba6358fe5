package dev.capstan.dataplane.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Futures to complete once the group lock is released: completing one runs the server's callbacks
 * (encode, write to the channel), which must not happen while other threads wait for the group.
 */
final class Completions {

  private final List<Runnable> pending = new ArrayList<>();

  <T> void complete(CompletableFuture<T> future, T value) {
    pending.add(() -> future.complete(value));
  }

  void run() {
    for (Runnable r : pending) {
      r.run();
    }
    pending.clear();
  }
}
