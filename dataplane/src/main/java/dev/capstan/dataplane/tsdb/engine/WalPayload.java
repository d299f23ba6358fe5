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
 * names many times, so each is written once in a table and points refer to it by number:
 *
 * <pre>
 * version u8 = 1
 * series count i32, per series: measurement, tag count u16, (key, value)*
 * field name count i32, per name: name
 * point count i32, per point: series i32, field count u16, (name i32, type u8, value)*, time i64
 * </pre>
 *
 * Strings are an i32 byte length and UTF-8. A series' entry in the table is the same in every
 * record, so it is encoded once per series ({@link Series#walEntry()}) and copied from there.
 */
final class WalPayload {
  private static final int VERSION = 1;

  private WalPayload() {}

  static byte[] encode(List<SeriesPoint> points) {
    int count = points.size();
    // One pass assigns the table numbers, remembered per point and per field, so the second pass
    // writes them without looking anything up again: with thousands of series per batch, map
    // lookups were most of the encoding.
    Map<String, Integer> seriesIds = new HashMap<>(Math.max(16, count / 2));
    List<SeriesPoint> seriesTable = new ArrayList<>();
    Map<String, Integer> nameIds = new HashMap<>();
    List<String> names = new ArrayList<>();
    int[] seriesOfPoint = new int[count];
    int[] nameOfField = new int[count];
    int fieldCount = 0;
    String previousText = null;
    int previousId = -1;
    for (int i = 0; i < count; i++) {
      SeriesPoint sp = points.get(i);
      // Points of one series share its key text instance; a run of them needs no lookup.
      if (sp.keyText() != previousText) {
        Integer known = seriesIds.putIfAbsent(sp.keyText(), seriesTable.size());
        if (known == null) {
          previousId = seriesTable.size();
          seriesTable.add(sp);
        } else {
          previousId = known;
        }
        previousText = sp.keyText();
      }
      seriesOfPoint[i] = previousId;
      FieldMap fields = sp.point().fieldMap();
      for (int f = 0; f < fields.size(); f++) {
        String name = fields.name(f);
        Integer known = nameIds.putIfAbsent(name, names.size());
        if (known == null) {
          known = names.size();
          names.add(name);
        }
        if (fieldCount == nameOfField.length) {
          nameOfField = Arrays.copyOf(nameOfField, fieldCount * 2);
        }
        nameOfField[fieldCount++] = known;
      }
    }
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
      Point p = points.get(i).point();
      out.writeInt(seriesOfPoint[i]);
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
    }
    return out.toByteArray();
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
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
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

  /** Decodes a payload; the WAL's checksum already vouched for the bytes, so damage here is a bug. */
  static List<SeriesPoint> decode(byte[] payload) throws IOException {
    ByteArrayInputStream bytes = new ByteArrayInputStream(payload);
    DataInputStream in = new DataInputStream(bytes);
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("unknown WAL payload version " + version);
    }
    int seriesCount = in.readInt();
    List<SeriesPoint> seriesTable = new ArrayList<>();
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
    int nameCount = in.readInt();
    List<String> names = new ArrayList<>(nameCount);
    for (int i = 0; i < nameCount; i++) {
      names.add(readString(in));
    }
    int count = in.readInt();
    List<SeriesPoint> points = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SeriesPoint series = seriesTable.get(in.readInt());
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
