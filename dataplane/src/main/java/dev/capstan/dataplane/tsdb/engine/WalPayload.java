package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue;
import dev.capstan.dataplane.tsdb.lineprotocol.Point;
import dev.capstan.dataplane.tsdb.lineprotocol.Tag;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * Strings are an i32 byte length and UTF-8.
 */
final class WalPayload {
  private static final int VERSION = 1;

  private WalPayload() {}

  static byte[] encode(List<SeriesPoint> points) {
    Map<String, Integer> seriesIds = new HashMap<>();
    List<SeriesPoint> seriesTable = new ArrayList<>();
    Map<String, Integer> nameIds = new HashMap<>();
    List<String> names = new ArrayList<>();
    for (SeriesPoint sp : points) {
      if (seriesIds.putIfAbsent(sp.keyText(), seriesTable.size()) == null) {
        seriesTable.add(sp);
      }
      for (String name : sp.point().fields().keySet()) {
        if (nameIds.putIfAbsent(name, names.size()) == null) {
          names.add(name);
        }
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(24 * points.size() + 64);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeByte(VERSION);
      out.writeInt(seriesTable.size());
      for (SeriesPoint sp : seriesTable) {
        writeString(out, sp.point().measurement());
        out.writeShort(sp.point().tags().size());
        for (Tag tag : sp.point().tags()) {
          writeString(out, tag.key());
          writeString(out, tag.value());
        }
      }
      out.writeInt(names.size());
      for (String name : names) {
        writeString(out, name);
      }
      out.writeInt(points.size());
      for (SeriesPoint sp : points) {
        Point p = sp.point();
        out.writeInt(seriesIds.get(sp.keyText()));
        out.writeShort(p.fields().size());
        for (Map.Entry<String, FieldValue> field : p.fields().entrySet()) {
          out.writeInt(nameIds.get(field.getKey()));
          FieldValue v = field.getValue();
          if (v instanceof FieldValue.FloatField f) {
            out.writeByte(0);
            out.writeDouble(f.value());
          } else if (v instanceof FieldValue.IntegerField i) {
            out.writeByte(1);
            out.writeLong(i.value());
          } else if (v instanceof FieldValue.StringField s) {
            out.writeByte(2);
            writeString(out, s.value());
          } else {
            out.writeByte(3);
            out.writeBoolean(((FieldValue.BooleanField) v).value());
          }
        }
        out.writeLong(p.timestampNanos());
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** Decodes a payload; the WAL's checksum already vouched for the bytes, so damage here is a bug. */
  static List<SeriesPoint> decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("unknown WAL payload version " + version);
    }
    int seriesCount = in.readInt();
    List<SeriesPoint> seriesTable = new ArrayList<>();
    for (int s = 0; s < seriesCount; s++) {
      String measurement = readString(in);
      int tagCount = in.readUnsignedShort();
      List<Tag> tags = new ArrayList<>(tagCount);
      for (int t = 0; t < tagCount; t++) {
        tags.add(new Tag(readString(in), readString(in)));
      }
      // A placeholder point carries the series; its field and time are never used.
      seriesTable.add(SeriesPoint.of(new Point(measurement, tags, Map.of("_", FieldValue.of(0L)), 0)));
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
      points.add(new SeriesPoint(series.key(), series.keyText(), point));
    }
    return points;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("string length " + length + " exceeds the WAL payload");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
