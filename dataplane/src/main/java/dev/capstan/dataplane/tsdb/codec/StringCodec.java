package dev.capstan.dataplane.tsdb.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * String values of one block: each string's UTF-8 length (varint) and bytes, concatenated, then
 * compressed with Snappy as InfluxDB's TSM does. UTF-8 is strict both ways, so a string that cannot
 * round-trip (an unpaired surrogate) is rejected at encode time rather than silently altered.
 */
public final class StringCodec {
  // Snappy expands at most ~21x (a 3-byte copy of 64 bytes); anything claiming more is corrupt, and
  // checking before decompressing keeps a forged length from allocating gigabytes.
  private static final int MAX_EXPANSION = 32;
  private static final int MAX_UNCOMPRESSED = 256 << 20;

  private StringCodec() {}

  public static byte[] encode(List<String> values) {
    ByteWriter out = new ByteWriter(16 + values.size() * 8);
    write(out, values);
    return out.toByteArray();
  }

  public static List<String> decode(byte[] block) {
    ByteReader in = new ByteReader(block);
    List<String> values = read(in);
    in.expectEnd("string column");
    return values;
  }

  static void write(ByteWriter out, List<String> values) {
    ColumnHeader.write(out, Encoding.STRING_SNAPPY, values.size());
    if (values.isEmpty()) {
      return;
    }
    ByteWriter raw = new ByteWriter(values.size() * 16);
    var encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < values.size(); i++) {
      String s = values.get(i);
      if (s == null) {
        throw new IllegalArgumentException("string value at index " + i + " is null");
      }
      byte[] utf8;
      try {
        ByteBuffer buf = encoder.encode(CharBuffer.wrap(s));
        utf8 = new byte[buf.remaining()];
        buf.get(utf8);
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("string value at index " + i + " is not valid UTF-16 (unpaired surrogate)", e);
      }
      raw.writeVarInt(utf8.length);
      raw.writeBytes(utf8);
    }
    if (raw.size() > MAX_UNCOMPRESSED) {
      // The decoder refuses more, so never write a block it cannot read back.
      throw new IllegalArgumentException("string values total " + raw.size() + " bytes, a block holds at most "
          + MAX_UNCOMPRESSED + "; split the block");
    }
    byte[] compressed;
    try {
      compressed = Snappy.compress(raw.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("snappy failed to compress " + raw.size() + " bytes", e);
    }
    out.writeVarInt(compressed.length);
    out.writeBytes(compressed);
  }

  static List<String> read(ByteReader in) {
    int count = ColumnHeader.read(in, Encoding.STRING_SNAPPY);
    if (count == 0) {
      return List.of();
    }
    int compressedLength = in.readLength("compressed string length");
    byte[] compressed = in.readBytes(compressedLength);
    byte[] raw = uncompress(compressed);
    ByteReader strings = new ByteReader(raw);
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<String> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = strings.readLength("string length");
      int offset = strings.position();
      strings.skip(length);
      try {
        values.add(decoder.decode(ByteBuffer.wrap(raw, offset, length)).toString());
      } catch (CharacterCodingException e) {
        throw new CorruptBlockException("string at index " + i + " is not valid UTF-8", e);
      }
    }
    strings.expectEnd("string payload");
    return List.copyOf(values);
  }

  private static byte[] uncompress(byte[] compressed) {
    try {
      if (!Snappy.isValidCompressedBuffer(compressed)) {
        throw new CorruptBlockException("string payload is not valid snappy data");
      }
      int length = Snappy.uncompressedLength(compressed);
      if (length < 0 || length > MAX_UNCOMPRESSED || (long) length > (long) compressed.length * MAX_EXPANSION + 64) {
        throw new CorruptBlockException("snappy header claims " + length + " bytes from " + compressed.length);
      }
      byte[] raw = new byte[length];
      int written = Snappy.uncompress(compressed, 0, compressed.length, raw, 0);
      if (written != length) {
        throw new CorruptBlockException("snappy produced " + written + " of " + length + " bytes");
      }
      return raw;
    } catch (IOException e) {
      throw new CorruptBlockException("string payload is not valid snappy data: " + e.getMessage(), e);
    }
  }
}
