package dev.capstan.dataplane.tsdb.store;

import dev.capstan.dataplane.tsdb.codec.Block;
import java.util.Map;

/** Receives the data of one series: per field, times ascending and their values. */
@FunctionalInterface
public interface SeriesVisitor {
  void visit(SeriesKey key, Map<String, Block> fields);
}
