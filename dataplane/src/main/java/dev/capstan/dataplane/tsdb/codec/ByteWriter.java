package dev.capstan.dataplane.tsdb.codec;

import java.util.Arrays;

/** A growable byte array with the varint and fixed-width writes the codecs share. */
final class ByteWriter {
  private byte[] buf;
  private int size;

  ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  void writeByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  /** Unsigned LEB128: 7 bits per byte, at most 10 bytes for any long. */
  void writeVarLong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  void writeVarInt(int v) {
    writeVarLong(v & 0xFFFFFFFFL);
  }

  void writeLong(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[size++] = (byte) (v >>> shift);
    }
  }

  void writeBytes(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
