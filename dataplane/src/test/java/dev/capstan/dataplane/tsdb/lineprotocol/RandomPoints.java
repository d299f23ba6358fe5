package dev.capstan.dataplane.tsdb.lineprotocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Seeded random points and text for the property tests; nasty characters on purpose. */
final class RandomPoints {

  /** Characters that mean something in line protocol, plus multi-byte ones. */
  static final String NASTY = ",= \"\\#\t\r\n.-+eEiutfTF0123456789xé∞😀";

  private final RandomGenerator random;
  private final boolean plain;

  /**
   * @param plain only characters that cannot open a quoted string or escape a newline, for the
   *     neighbour tests; otherwise anything {@link LineProtocolWriter} can express
   */
  RandomPoints(RandomGenerator random, boolean plain) {
    this.random = random;
    this.plain = plain;
  }

  Point point() {
    List<Tag> tags = new ArrayList<>();
    int tagCount = random.nextInt(4);
    for (int t = 0; t < tagCount; t++) {
      String key = name();
      if (tags.stream().noneMatch(tag -> tag.key().equals(key))) {
        tags.add(new Tag(key, name()));
      }
    }
    Map<String, FieldValue> fields = new LinkedHashMap<>();
    int fieldCount = 1 + random.nextInt(4);
    for (int f = 0; f < fieldCount; f++) {
      String key = name();
      if (!key.contains("\\,") && !key.contains("\\=") && !key.contains("\\ ") && key.charAt(0) != '\t') {
        fields.put(key, value());
      }
    }
    if (fields.isEmpty()) {
      fields.put("value", value());
    }
    long timestamp =
        switch (random.nextInt(4)) {
          case 0 -> Point.MIN_TIMESTAMP_NANOS;
          case 1 -> Point.MAX_TIMESTAMP_NANOS;
          default -> random.nextLong(Point.MIN_TIMESTAMP_NANOS, Point.MAX_TIMESTAMP_NANOS);
        };
    return new Point(measurement(), tags, fields, timestamp);
  }

  private String measurement() {
    while (true) {
      String name = name();
      char first = name.charAt(0);
      // A leading '#' makes a comment and leading tabs are skipped: not expressible.
      if (first != '#' && first != '\t') {
        return name;
      }
    }
  }

  /** A non-empty name without a line break, not ending in a backslash, no backslash before a space. */
  private String name() {
    while (true) {
      String name = text(1 + random.nextInt(8)).replace("\n", "");
      if (!name.isEmpty() && !name.endsWith("\\") && !name.contains("\\ ")) {
        return name;
      }
    }
  }

  private FieldValue value() {
    return switch (random.nextInt(4)) {
      case 0 -> new FieldValue.FloatField(
          switch (random.nextInt(4)) {
            case 0 -> random.nextDouble();
            case 1 -> -0.0;
            case 2 -> Double.MAX_VALUE * (random.nextBoolean() ? 1 : -1);
            default -> anyFiniteDouble();
          });
      case 1 -> new FieldValue.IntegerField(random.nextBoolean() ? random.nextLong() : random.nextInt(100) - 50);
      case 2 -> new FieldValue.BooleanField(random.nextBoolean());
      default -> plain ? new FieldValue.BooleanField(true) : new FieldValue.StringField(text(random.nextInt(12)));
    };
  }

  private double anyFiniteDouble() {
    while (true) {
      double d = Double.longBitsToDouble(random.nextLong());
      if (Double.isFinite(d)) {
        return d;
      }
    }
  }

  String text(int length) {
    StringBuilder out = new StringBuilder();
    while (out.length() < length) {
      int c;
      if (random.nextInt(3) == 0) {
        c = 'a' + random.nextInt(26);
      } else {
        c = NASTY.codePointAt(NASTY.offsetByCodePoints(0, random.nextInt(NASTY.codePointCount(0, NASTY.length()))));
      }
      if (plain && (c == '"' || c == '\\' || c == '\n')) {
        continue;
      }
      out.appendCodePoint(c);
    }
    return out.toString();
  }
}
