package dev.capstan.dataplane.tsdb.engine;

import dev.capstan.dataplane.tsdb.codec.Block;
import dev.capstan.dataplane.tsdb.codec.BlockCodec;
import dev.capstan.dataplane.tsdb.codec.CorruptBlockException;
import dev.capstan.dataplane.tsdb.store.FieldType;
import dev.capstan.dataplane.tsdb.store.ReadRequest;
import dev.capstan.dataplane.tsdb.store.SeriesKey;
import dev.capstan.dataplane.tsdb.store.StoreException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * An immutable, columnar shard file ({@code <generation>.tsf}):
 *
 * <pre>
 * "CPTSF001"                                       magic
 * block*                                           BlockCodec bytes, one series field, ≤ pointsPerBlock points
 * index                                            wal sequence, level, replaced generations, per series and field:
 *                                                  type and per block min/max time, count, offset, length, crc32c
 * footer: index offset u64, index length u32, index crc32c u32, footer crc32c u32, "CPTSFEND"
 * </pre>
 *
 * <p>Opening checks the footer and the index checksum (cheap, catches truncation); each block's
 * checksum is checked when the block is read, so a bit flip fails that read with a clear error
 * instead of a wrong answer. The index records the WAL sequence the file covers, so recovery
 * replays only newer records, and the generations a compaction replaced, so leftovers of a crash
 * between writing the compacted file and deleting its inputs are recognised and removed.
 */
final class ShardFile implements Closeable {
  private static final byte[] MAGIC = "CPTSF001".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_MAGIC = "CPTSFEND".getBytes(StandardCharsets.US_ASCII);
  private static final int FOOTER_BYTES = 8 + 4 + 4 + 4 + 8;
  private static final Pattern NAME = Pattern.compile("(\\d{16})\\.tsf");
  private static final FieldType[] TYPES = FieldType.values();

  /** The data of one series to write: its fields' sorted points. */
  record SeriesData(SeriesKey key, SortedMap<String, FieldData> fields) {}

  record BlockRef(long minTime, long maxTime, int count, long offset, int length, int crc) {}

  record FieldEntry(FieldType type, List<BlockRef> blocks) {}

  record SeriesEntry(SeriesKey key, Map<String, FieldEntry> fields) {}

  private final Path path;
  private final long generation;
  private final long walSequence;
  private final int level;
  private final Set<Long> replaces;
  private final TreeMap<String, SeriesEntry> index;
  private final long minTime;
  private final long maxTime;
  private final long sizeBytes;
  private final FileChannel channel;

  private ShardFile(Path path, long generation, long walSequence, int level, Set<Long> replaces, TreeMap<String, SeriesEntry> index,
      long sizeBytes, FileChannel channel) {
    this.path = path;
    this.generation = generation;
    this.walSequence = walSequence;
    this.level = level;
    this.replaces = replaces;
    this.index = index;
    this.sizeBytes = sizeBytes;
    this.channel = channel;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (SeriesEntry series : index.values()) {
      for (FieldEntry field : series.fields.values()) {
        min = Math.min(min, field.blocks.get(0).minTime);
        max = Math.max(max, field.blocks.get(field.blocks.size() - 1).maxTime);
      }
    }
    this.minTime = min;
    this.maxTime = max;
  }

  static String fileName(long generation) {
    return String.format("%016d.tsf", generation);
  }

  /** The generation of a shard file's name, or -1 if it is not one. */
  static long generationOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  Path path() {
    return path;
  }

  long generation() {
    return generation;
  }

  long walSequence() {
    return walSequence;
  }

  /** 0 for a flushed file; a compaction's output is one level above its inputs. */
  int level() {
    return level;
  }

  Set<Long> replaces() {
    return replaces;
  }

  long sizeBytes() {
    return sizeBytes;
  }

  SortedMap<String, SeriesEntry> index() {
    return Collections.unmodifiableSortedMap(index);
  }

  boolean overlaps(long min, long max) {
    return !index.isEmpty() && minTime <= max && maxTime >= min;
  }

  /** The points of one series field in {@code [min, max]}, reading only the blocks that overlap; null if none. */
  FieldData read(String seriesText, String field, long min, long max) {
    if (!overlaps(min, max)) {
      return null;
    }
    SeriesEntry series = index.get(seriesText);
    FieldEntry entry = series == null ? null : series.fields.get(field);
    if (entry == null) {
      return null;
    }
    List<FieldData> parts = new ArrayList<>();
    for (BlockRef ref : entry.blocks) {
      if (ref.maxTime < min) {
        continue;
      }
      if (ref.minTime > max) {
        break;
      }
      FieldData part = FieldData.of(readBlock(ref, seriesText, field));
      if (ref.minTime < min || ref.maxTime > max) {
        part = part.clip(min, max);
      }
      parts.add(part);
    }
    return FieldData.concatAll(parts);
  }

  /**
   * Like {@link #read(String, String, long, long)}, but only the {@code limit} newest or oldest
   * points in range: blocks are decoded from that end of the series, and the walk stops as soon
   * as the decoded ones hold enough points.
   */
  FieldData read(String seriesText, String field, long min, long max, ReadRequest.Limit limit) {
    FieldEntry entry = overlaps(min, max) ? entry(seriesText, field) : null;
    if (entry == null) {
      return null;
    }
    List<BlockRef> blocks = entry.blocks;
    List<FieldData> parts = new ArrayList<>();
    int have = 0;
    for (int k = 0; k < blocks.size() && have < limit.points(); k++) {
      BlockRef ref = blocks.get(limit.newest() ? blocks.size() - 1 - k : k);
      boolean beforeRange = ref.maxTime < min;
      boolean afterRange = ref.minTime > max;
      if (beforeRange || afterRange) {
        if (beforeRange == limit.newest()) {
          break; // walked past the range: every further block lies outside it too
        }
        continue;
      }
      FieldData part = FieldData.of(readBlock(ref, seriesText, field));
      if (ref.minTime < min || ref.maxTime > max) {
        part = part.clip(min, max);
      }
      parts.add(part);
      have += part.size();
    }
    if (limit.newest()) {
      Collections.reverse(parts);
    }
    FieldData all = FieldData.concatAll(parts);
    return all == null ? null : all.keep(limit);
  }

  /** The newest ({@code newest}) or oldest time of a series field in this file; null if it has none. */
  Long edgeTime(String seriesText, String field, boolean newest) {
    FieldEntry entry = entry(seriesText, field);
    if (entry == null) {
      return null;
    }
    return newest ? entry.blocks.get(entry.blocks.size() - 1).maxTime : entry.blocks.get(0).minTime;
  }

  private FieldEntry entry(String seriesText, String field) {
    SeriesEntry series = index.get(seriesText);
    return series == null ? null : series.fields.get(field);
  }

  /** Every field of a series, whole; for compactions and rewrites. */
  SeriesData readSeries(String seriesText) {
    SeriesEntry series = index.get(seriesText);
    SortedMap<String, FieldData> fields = new TreeMap<>();
    series.fields.forEach((field, entry) -> fields.put(field, read(seriesText, field, Long.MIN_VALUE, Long.MAX_VALUE)));
    return new SeriesData(series.key, fields);
  }

  private Block readBlock(BlockRef ref, String seriesText, String field) {
    ByteBuffer buffer = ByteBuffer.allocate(ref.length);
    try {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, ref.offset + buffer.position()) < 0) {
          throw corrupt("block of " + seriesText + " field " + field + " at offset " + ref.offset + " is past the end of the file");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path, e);
    }
    byte[] bytes = buffer.array();
    if (crc(bytes, 0, bytes.length) != ref.crc) {
      throw corrupt("checksum mismatch in the block of " + seriesText + " field " + field + " at offset " + ref.offset);
    }
    try {
      Block block = BlockCodec.decode(bytes);
      if (block.size() != ref.count) {
        throw corrupt("block of " + seriesText + " field " + field + " has " + block.size() + " points, index says " + ref.count);
      }
      return block;
    } catch (CorruptBlockException e) {
      throw corrupt("block of " + seriesText + " field " + field + " at offset " + ref.offset + ": " + e.getMessage());
    }
  }

  private StoreException corrupt(String reason) {
    return new StoreException(new CorruptShardFileException(path, reason).getMessage());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Opens a file, checking its footer and index. */
  static ShardFile open(Path path) throws IOException {
    long generation = generationOf(path);
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size < MAGIC.length + FOOTER_BYTES) {
        throw new CorruptShardFileException(path, "only " + size + " bytes, too short for a header and footer");
      }
      ByteBuffer footer = readFully(channel, size - FOOTER_BYTES, FOOTER_BYTES);
      long indexOffset = footer.getLong();
      int indexLength = footer.getInt();
      int indexCrc = footer.getInt();
      int footerCrc = footer.getInt();
      byte[] end = new byte[8];
      footer.get(end);
      if (!java.util.Arrays.equals(end, END_MAGIC) || crc(footer.array(), 0, 16) != footerCrc) {
        throw new CorruptShardFileException(path, "bad footer (truncated or overwritten)");
      }
      if (indexOffset < MAGIC.length || indexLength < 0 || indexOffset + indexLength != size - FOOTER_BYTES) {
        throw new CorruptShardFileException(path, "footer points the index outside the file");
      }
      byte[] indexBytes = readFully(channel, indexOffset, indexLength).array();
      if (crc(indexBytes, 0, indexBytes.length) != indexCrc) {
        throw new CorruptShardFileException(path, "index checksum mismatch");
      }
      byte[] magic = readFully(channel, 0, MAGIC.length).array();
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new CorruptShardFileException(path, "not a shard file (bad magic)");
      }
      return parseIndex(path, generation, indexBytes, indexOffset, size, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static ShardFile parseIndex(Path path, long generation, byte[] bytes, long indexOffset, long size, FileChannel channel)
      throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int version = in.readUnsignedByte();
    if (version != 1) {
      throw new CorruptShardFileException(path, "unknown index version " + version);
    }
    long walSequence = in.readLong();
    int level = in.readInt();
    int replacedCount = in.readInt();
    Set<Long> replaces = new HashSet<>();
    for (int i = 0; i < replacedCount; i++) {
      replaces.add(in.readLong());
    }
    int seriesCount = in.readInt();
    TreeMap<String, SeriesEntry> index = new TreeMap<>();
    for (int s = 0; s < seriesCount; s++) {
      String measurement = readString(in);
      int tagCount = in.readInt();
      TreeMap<String, String> tags = new TreeMap<>();
      for (int t = 0; t < tagCount; t++) {
        tags.put(readString(in), readString(in));
      }
      SeriesKey key = new SeriesKey(measurement, tags);
      int fieldCount = in.readInt();
      Map<String, FieldEntry> fields = new HashMap<>();
      for (int f = 0; f < fieldCount; f++) {
        String name = readString(in);
        int type = in.readUnsignedByte();
        if (type >= TYPES.length) {
          throw new CorruptShardFileException(path, "unknown field type " + type);
        }
        int blockCount = in.readInt();
        List<BlockRef> blocks = new ArrayList<>(blockCount);
        for (int b = 0; b < blockCount; b++) {
          BlockRef ref = new BlockRef(in.readLong(), in.readLong(), in.readInt(), in.readLong(), in.readInt(), in.readInt());
          if (ref.offset < MAGIC.length || ref.length < 0 || ref.offset + ref.length > indexOffset) {
            throw new CorruptShardFileException(path, "index points a block outside the data section");
          }
          blocks.add(ref);
        }
        if (blocks.isEmpty()) {
          throw new CorruptShardFileException(path, "series " + key.text() + " field " + name + " has no blocks");
        }
        fields.put(name, new FieldEntry(TYPES[type], List.copyOf(blocks)));
      }
      index.put(key.text(), new SeriesEntry(key, fields));
    }
    return new ShardFile(path, generation, walSequence, level, Set.copyOf(replaces), index, size, channel);
  }

  /**
   * Writes {@code data} as file {@code path} durably (temporary file, fsync, atomic rename, fsync
   * of the directory) and opens it. An existing file of that name is replaced atomically.
   */
  static ShardFile write(Path path, long walSequence, int level, Set<Long> replaces, Iterable<SeriesData> data, int pointsPerBlock)
      throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    // Series arrive one at a time in key order (a compaction streams them), so the index body is
    // built as the blocks are written and its series count is only known at the end.
    ByteArrayOutputStream bodyBytes = new ByteArrayOutputStream();
    DataOutputStream body = new DataOutputStream(bodyBytes);
    int seriesCount = 0;
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      CountingOutputStream counting = new CountingOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
      counting.write(MAGIC);
      for (SeriesData series : data) {
        List<Map.Entry<String, FieldData>> fields = series.fields.entrySet().stream()
            .filter(e -> e.getValue() != null && !e.getValue().isEmpty()).toList();
        if (fields.isEmpty()) {
          continue;
        }
        seriesCount++;
        writeString(body, series.key.measurement());
        body.writeInt(series.key.tags().size());
        for (Map.Entry<String, String> tag : series.key.tags().entrySet()) {
          writeString(body, tag.getKey());
          writeString(body, tag.getValue());
        }
        body.writeInt(fields.size());
        for (Map.Entry<String, FieldData> field : fields) {
          FieldData points = field.getValue();
          writeString(body, field.getKey());
          body.writeByte(points.type().ordinal());
          int blocks = (points.size() + pointsPerBlock - 1) / pointsPerBlock;
          body.writeInt(blocks);
          for (int from = 0; from < points.size(); from += pointsPerBlock) {
            FieldData chunk = points.slice(from, Math.min(points.size(), from + pointsPerBlock));
            byte[] encoded = BlockCodec.encode(chunk.toBlock());
            body.writeLong(chunk.minTime());
            body.writeLong(chunk.maxTime());
            body.writeInt(chunk.size());
            body.writeLong(counting.count);
            body.writeInt(encoded.length);
            body.writeInt(crc(encoded, 0, encoded.length));
            counting.write(encoded);
          }
        }
      }
      body.flush();
      ByteArrayOutputStream indexBytes = new ByteArrayOutputStream(bodyBytes.size() + 64);
      DataOutputStream index = new DataOutputStream(indexBytes);
      index.writeByte(1);
      index.writeLong(walSequence);
      index.writeInt(level);
      index.writeInt(replaces.size());
      for (long generation : replaces) {
        index.writeLong(generation);
      }
      index.writeInt(seriesCount);
      bodyBytes.writeTo(index);
      index.flush();
      byte[] indexArray = indexBytes.toByteArray();
      long indexOffset = counting.count;
      counting.write(indexArray);
      ByteBuffer footer = ByteBuffer.allocate(FOOTER_BYTES);
      footer.putLong(indexOffset).putInt(indexArray.length).putInt(crc(indexArray, 0, indexArray.length));
      footer.putInt(crc(footer.array(), 0, 16)).put(END_MAGIC);
      counting.write(footer.array());
      counting.flush();
      channel.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Fs.forceDirectory(path.getParent());
    return open(path);
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buffer.flip();
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("string length " + length + " exceeds the index");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }
  }
}
