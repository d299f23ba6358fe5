package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The fields of one point: an immutable map in insertion order, held in two arrays. A write hands
 * every point's fields to several layers (type checks, WAL encoding, memtable), and with a
 * LinkedHashMap each of them allocated an iterator and walked linked nodes per point; profiles
 * of ingest showed that as a fifth of the allocation and a tenth of the CPU. The engine reads
 * {@link #name(int)} and {@link #value(int)} by index instead; everything else sees a Map.
 */
public final class FieldMap extends AbstractMap<String, FieldValue> {
  private final String[] names;
  private final FieldValue[] values;

  private FieldMap(String[] names, FieldValue[] values) {
    this.names = names;
    this.values = values;
  }

  /** The same fields in the same (iteration) order; a FieldMap itself is returned as is. */
  public static FieldMap copyOf(Map<String, FieldValue> fields) {
    if (fields instanceof FieldMap same) {
      return same;
    }
    String[] names = new String[fields.size()];
    FieldValue[] values = new FieldValue[fields.size()];
    int i = 0;
    for (Map.Entry<String, FieldValue> field : fields.entrySet()) {
      names[i] = field.getKey();
      values[i] = field.getValue();
      i++;
    }
    return new FieldMap(names, values);
  }

  @Override
  public int size() {
    return names.length;
  }

  /** The name of the {@code i}-th field in iteration order. */
  public String name(int i) {
    return names[i];
  }

  /** The value of the {@code i}-th field in iteration order. */
  public FieldValue value(int i) {
    return values[i];
  }

  @Override
  public FieldValue get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  private int indexOf(Object key) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Map.Entry<String, FieldValue>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Map.Entry<String, FieldValue>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < names.length;
          }

          @Override
          public Map.Entry<String, FieldValue> next() {
            if (next >= names.length) {
              throw new NoSuchElementException();
            }
            Map.Entry<String, FieldValue> entry = new AbstractMap.SimpleImmutableEntry<>(names[next], values[next]);
            next++;
            return entry;
          }
        };
      }
    };
  }

  /**
   * Collects fields in the order given; a repeated name keeps its last value at the place of its
   * last occurrence, as removing and re-putting it in a LinkedHashMap did (and influxd's field
   * map keeps the last value). Used once per point by the parser; not thread-safe.
   */
  static final class Builder {
    /** Up to this many fields a repeat is found by scanning; past it by a hash map. */
    private static final int SCAN_LIMIT = 16;
    private String[] names = new String[4];
    private FieldValue[] values = new FieldValue[4];
    private int size;
    private boolean repeats;

    Builder put(String name, FieldValue value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (size == names.length) {
        names = Arrays.copyOf(names, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      if (!repeats && size < SCAN_LIMIT) {
        for (int i = 0; i < size; i++) {
          if (names[i].equals(name)) {
            repeats = true;
            break;
          }
        }
      } else if (size >= SCAN_LIMIT) {
        repeats = true; // checked in build(), where one hash map settles it for all fields
      }
      names[size] = name;
      values[size] = value;
      size++;
      return this;
    }

    boolean isEmpty() {
      return size == 0;
    }

    /** Empties the builder for the next point: one builder serves a whole batch, not one per point. */
    Builder clear() {
      Arrays.fill(names, 0, size, null);
      Arrays.fill(values, 0, size, null);
      size = 0;
      repeats = false;
      return this;
    }

    FieldMap build() {
      if (!repeats) {
        return new FieldMap(Arrays.copyOf(names, size), Arrays.copyOf(values, size));
      }
      Map<String, Integer> last = new HashMap<>();
      for (int i = 0; i < size; i++) {
        last.put(names[i], i);
      }
      String[] keptNames = new String[last.size()];
      FieldValue[] keptValues = new FieldValue[last.size()];
      int kept = 0;
      for (int i = 0; i < size; i++) {
        if (last.get(names[i]) == i) {
          keptNames[kept] = names[i];
          keptValues[kept] = values[i];
          kept++;
        }
      }
      return new FieldMap(keptNames, keptValues);
    }
  }
}
