package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldMap;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The WAL record of one write to a shard (pure functions). A batch repeats few series and field
 * names many times, so each is written once in a table and points refer to it by number. Version
 * 1 ({@link #encode}) lists the series of its points in every record:
 *
 * <pre>
 * version u8 = 1
 * series count i32, per series: measurement, tag count u16, (key, value)*
 * field name count i32, per name: name
 * point count i32, per point: series i32, field count u16, (name i32, type u8, value)*, time i64
 * </pre>
 *
 * With thousands of series per batch that table was as big as the points. Version 2 ({@link
 * #prepare}, {@link #finish}) numbers series per WAL segment instead: a record defines only the
 * series its segment has not defined yet, and its points name series by their number in the
 * segment (definitions count from 0 in the order the segment's version-2 records give them):
 *
 * <pre>
 * version u8 = 2
 * definition count i32, per definition: measurement, tag count u16, (key, value)*
 * field name count i32, ... as in version 1, series numbered within the segment
 * </pre>
 *
 * A segment refers to nothing outside itself, so it replays alone after older ones were deleted;
 * replaying one means reading its records from its first ({@link #decode(byte[], List, boolean)}).
 * Strings are an i32 byte length and UTF-8. A series' entry is the same in every record, so it is
 * encoded once per series ({@link Series#walEntry()}) and copied from there.
 */
final class WalPayload {
  private static final int VERSION = 1;
  private static final int VERSION_SEGMENT_SERIES = 2;

  private WalPayload() {}

  static byte[] encode(List<SeriesPoint> points) {
    int count = points.size();
    // One pass assigns the table numbers, remembered per point, so the writing pass does not
    // look anything up again: with thousands of series per batch, map lookups were most of the
    // encoding.
    SeriesNumbers seriesIds = new SeriesNumbers(count);
    List<SeriesPoint> seriesTable = new ArrayList<>();
    int[] seriesOfPoint = new int[count];
    Series previous = null;
    int previousId = -1;
    for (int i = 0; i < count; i++) {
      SeriesPoint sp = points.get(i);
      // Points of one series share its Series instance; a run of them needs no lookup.
      if (sp.series() != previous) {
        previousId = seriesIds.numberOf(sp.series(), seriesTable.size());
        if (previousId == seriesTable.size()) {
          seriesTable.add(sp);
        }
        previous = sp.series();
      }
      seriesOfPoint[i] = previousId;
    }
    FieldNames fieldNames = FieldNames.of(points);
    List<String> names = fieldNames.names();
    int[] nameOfField = fieldNames.ofField();
    // A growable array written in place: DataOutputStream over a ByteArrayOutputStream pays a
    // synchronized call per field and copies the whole payload once more at the end.
    Out out = new Out(32 * count + 256);
    out.writeByte(VERSION);
    out.writeInt(seriesTable.size());
    for (SeriesPoint sp : seriesTable) {
      out.writeBytes(sp.series().walEntry());
    }
    out.writeInt(names.size());
    for (String name : names) {
      out.writeString(name);
    }
    out.writeInt(count);
    int field = 0;
    for (int i = 0; i < count; i++) {
      out.writeInt(seriesOfPoint[i]);
      field = writeFieldsAndTime(out, points.get(i).point(), nameOfField, field);
    }
    return out.toByteArray();
  }

  /**
   * The field names of a batch, numbered in order of appearance, and the number of each point's
   * each field in turn ({@code ofField}, points in order).
   */
  private record FieldNames(List<String> names, int[] ofField) {
    static FieldNames of(List<SeriesPoint> points) {
      Map<String, Integer> nameIds = new HashMap<>();
      List<String> names = new ArrayList<>();
      int[] ofField = new int[points.size()];
      int fieldCount = 0;
      // The previous point's field names and their numbers by position: points of a batch usually
      // name the same fields in the same order (the parser hands out one instance per name).
      String[] lastNames = new String[4];
      int[] lastNameIds = new int[4];
      for (SeriesPoint sp : points) {
        FieldMap fields = sp.point().fieldMap();
        if (fields.size() > lastNames.length) {
          lastNames = Arrays.copyOf(lastNames, fields.size());
          lastNameIds = Arrays.copyOf(lastNameIds, fields.size());
        }
        for (int f = 0; f < fields.size(); f++) {
          String name = fields.name(f);
          int known;
          if (name == lastNames[f]) {
            known = lastNameIds[f];
          } else {
            Integer id = nameIds.putIfAbsent(name, names.size());
            if (id == null) {
              id = names.size();
              names.add(name);
            }
            known = id;
            lastNames[f] = name;
            lastNameIds[f] = known;
          }
          if (fieldCount == ofField.length) {
            ofField = Arrays.copyOf(ofField, fieldCount * 2);
          }
          ofField[fieldCount++] = known;
        }
      }
      return new FieldNames(names, ofField);
    }
  }

  /**
   * A version-2 record but for its series: {@code body} holds the field names and the points,
   * with each point's series number left blank at {@code seriesOffsets[i]}; {@code maxBytes}
   * bounds the finished payload. Built without the shard's lock; only {@link #finish}, which
   * depends on what the segment has defined, needs it.
   */
  record Prepared(byte[] body, int[] seriesOffsets, long maxBytes) {}

  static Prepared prepare(List<SeriesPoint> points) {
    int count = points.size();
    FieldNames fieldNames = FieldNames.of(points);
    List<String> names = fieldNames.names();
    int[] nameOfField = fieldNames.ofField();
    Out out = new Out(27 * count + 256);
    out.writeInt(names.size());
    for (String name : names) {
      out.writeString(name);
    }
    out.writeInt(count);
    int[] seriesOffsets = new int[count];
    long definitionBytes = 0;
    Series previous = null;
    int field = 0;
    for (int i = 0; i < count; i++) {
      SeriesPoint sp = points.get(i);
      if (sp.series() != previous) {
        previous = sp.series();
        definitionBytes += previous.walEntryBytes(); // at most once per run of the series
      }
      seriesOffsets[i] = out.size;
      out.writeInt(-1);
      field = writeFieldsAndTime(out, sp.point(), nameOfField, field);
    }
    return new Prepared(out.toByteArray(), seriesOffsets, 1 + 4 + definitionBytes + out.size);
  }

  /**
   * The version-2 payload of a prepared record that goes to the segment {@code segment} numbers
   * series for: series it has not defined yet are defined here, and added to it.
   */
  static byte[] finish(Prepared prepared, List<SeriesPoint> points, SegmentSeries segment) {
    byte[] body = prepared.body();
    int[] offsets = prepared.seriesOffsets();
    Out definitions = new Out(256);
    int defined = 0;
    Series previous = null;
    int number = -1;
    for (int i = 0; i < offsets.length; i++) {
      Series series = points.get(i).series();
      if (series != previous) {
        number = segment.numberOf(series);
        if (number < 0) {
          number = segment.define(series);
          definitions.writeBytes(series.walEntry());
          defined++;
        }
        previous = series;
      }
      Out.INT.set(body, offsets[i], number);
    }
    byte[] payload = new byte[1 + 4 + definitions.size + body.length];
    payload[0] = VERSION_SEGMENT_SERIES;
    Out.INT.set(payload, 1, defined);
    System.arraycopy(definitions.buffer, 0, payload, 5, definitions.size);
    System.arraycopy(body, 0, payload, 5 + definitions.size, body.length);
    return payload;
  }

  private static int writeFieldsAndTime(Out out, Point p, int[] nameOfField, int field) {
    FieldMap fields = p.fieldMap();
    out.writeShort(fields.size());
    for (int j = 0; j < fields.size(); j++) {
      FieldValue v = fields.value(j);
      out.writeInt(nameOfField[field++]);
      if (v instanceof FieldValue.FloatField f) {
        out.writeByte(0);
        out.writeLong(Double.doubleToLongBits(f.value()));
      } else if (v instanceof FieldValue.IntegerField n) {
        out.writeByte(1);
        out.writeLong(n.value());
      } else if (v instanceof FieldValue.StringField str) {
        out.writeByte(2);
        out.writeString(str.value());
      } else {
        out.writeByte(3);
        out.writeByte(((FieldValue.BooleanField) v).value() ? 1 : 0);
      }
    }
    out.writeLong(p.timestampNanos());
    return field;
  }

  /**
   * Table numbers of a record's series, by Series instance: open addressing over identity
   * hashes, no boxing. With thousands of series per batch, a HashMap from key text to Integer
   * (a node and a box per series, the key's equals) was a third of the encoding. Two instances of
   * one series (created by concurrent batches) get two entries, which decode to equal series.
   */
  private static final class SeriesNumbers {
    private final Series[] keys;
    private final int[] numbers;
    private final int mask;

    SeriesNumbers(int maxEntries) {
      int capacity = Integer.highestOneBit(Math.max(16, maxEntries) * 2 - 1) << 1; // load at most 1/2
      keys = new Series[capacity];
      numbers = new int[capacity];
      mask = capacity - 1;
    }

    /** The number of {@code series}, which gets {@code next} if it has none yet. */
    int numberOf(Series series, int next) {
      for (int slot = (System.identityHashCode(series) * 0x9E3779B9) & mask; ; slot = (slot + 1) & mask) {
        Series key = keys[slot];
        if (key == series) {
          return numbers[slot];
        }
        if (key == null) {
          keys[slot] = series;
          numbers[slot] = next;
          return next;
        }
      }
    }
  }

  /** A series' entry in the series table: measurement, tag count, (key, value)*. */
  static byte[] seriesEntry(String measurement, List<Tag> tags) {
    Out out = new Out(64);
    out.writeString(measurement);
    out.writeShort(tags.size());
    for (Tag tag : tags) {
      out.writeString(tag.key());
      out.writeString(tag.value());
    }
    return out.toByteArray();
  }

  /** Big-endian, like DataOutputStream, so payloads are byte for byte what they always were. */
  private static final class Out {
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private byte[] buffer;
    private int size;

    Out(int capacity) {
      buffer = new byte[capacity];
    }

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }

    void writeByte(int v) {
      ensure(1);
      buffer[size++] = (byte) v;
    }

    void writeShort(int v) {
      ensure(2);
      SHORT.set(buffer, size, (short) v);
      size += 2;
    }

    void writeInt(int v) {
      ensure(4);
      INT.set(buffer, size, v);
      size += 4;
    }

    void writeLong(long v) {
      ensure(8);
      LONG.set(buffer, size, v);
      size += 8;
    }

    void writeBytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, size, bytes.length);
      size += bytes.length;
    }

    void writeString(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      writeInt(bytes.length);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, size, bytes.length);
      size += bytes.length;
    }

    byte[] toByteArray() {
      return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    }
  }

  /** Decodes a payload that refers to no other record (version 1, or a version 2 first in its segment). */
  static List<SeriesPoint> decode(byte[] payload) throws IOException {
    return decode(payload, new ArrayList<>(), true);
  }

  /**
   * Decodes a payload; the WAL's checksum already vouched for the bytes, so damage here is a bug.
   *
   * @param segmentSeries the series the version-2 records before this one in its segment defined,
   *     in order (a placeholder point carries each); this record's definitions are added to it
   * @param wantPoints false to only take the definitions, from a record whose points were flushed
   */
  static List<SeriesPoint> decode(byte[] payload, List<SeriesPoint> segmentSeries, boolean wantPoints) throws IOException {
    ByteArrayInputStream bytes = new ByteArrayInputStream(payload);
    DataInputStream in = new DataInputStream(bytes);
    int version = in.readUnsignedByte();
    if (version != VERSION && version != VERSION_SEGMENT_SERIES) {
      throw new IOException("unknown WAL payload version " + version);
    }
    List<SeriesPoint> seriesTable = version == VERSION ? new ArrayList<>() : segmentSeries;
    int seriesCount = in.readInt();
    for (int s = 0; s < seriesCount; s++) {
      int entryStart = payload.length - bytes.available();
      String measurement = readString(in);
      int tagCount = in.readUnsignedShort();
      List<Tag> tags = new ArrayList<>(tagCount);
      TreeMap<String, String> sorted = new TreeMap<>();
      for (int t = 0; t < tagCount; t++) {
        Tag tag = new Tag(readString(in), readString(in));
        tags.add(tag);
        sorted.put(tag.key(), tag.value());
      }
      Series series = Series.decoded(new SeriesKey(measurement, sorted),
          Arrays.copyOfRange(payload, entryStart, payload.length - bytes.available()));
      // A placeholder point carries the series; its field and time are never used.
      seriesTable.add(new SeriesPoint(series, new Point(measurement, tags, Map.of("_", FieldValue.of(0L)), 0)));
    }
    if (!wantPoints) {
      return List.of();
    }
    int nameCount = in.readInt();
    List<String> names = new ArrayList<>(nameCount);
    for (int i = 0; i < nameCount; i++) {
      names.add(readString(in));
    }
    int count = in.readInt();
    List<SeriesPoint> points = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int number = in.readInt();
      if (number < 0 || number >= seriesTable.size()) {
        throw new IOException("WAL payload names series " + number + " of " + seriesTable.size() + " defined");
      }
      SeriesPoint series = seriesTable.get(number);
      int fieldCount = in.readUnsignedShort();
      Map<String, FieldValue> fields = new LinkedHashMap<>();
      for (int f = 0; f < fieldCount; f++) {
        String name = names.get(in.readInt());
        int type = in.readUnsignedByte();
        FieldValue value = switch (type) {
          case 0 -> new FieldValue.FloatField(in.readDouble());
          case 1 -> new FieldValue.IntegerField(in.readLong());
          case 2 -> new FieldValue.StringField(readString(in));
          case 3 -> new FieldValue.BooleanField(in.readBoolean());
          default -> throw new IOException("unknown field type " + type + " in WAL payload");
        };
        fields.put(name, value);
      }
      Point point = new Point(series.point().measurement(), series.point().tags(), fields, in.readLong());
      points.add(series.with(point));
    }
    return points;
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("string length " + length + " exceeds the WAL payload");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
