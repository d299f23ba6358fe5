/**
 * Encoders and decoders of the TSDB's immutable column blocks — pure functions over byte arrays.
 *
 * <p>A {@link dev.capstan.dataplane.tsdb.codec.Block} is serialized by
 * {@link dev.capstan.dataplane.tsdb.codec.BlockCodec} as the byte length of its timestamp column,
 * the timestamp column, and the value column. Every column starts with a 1-byte
 * {@link dev.capstan.dataplane.tsdb.codec.Encoding} id and a varint count, so a reader dispatches
 * on the first byte. Each codec tries the encodings that suit its type and keeps the smallest
 * output: blocks are written once and read many times, so encode-time work is cheap.
 *
 * <p>Decoding damaged input throws {@link dev.capstan.dataplane.tsdb.codec.CorruptBlockException};
 * counts are capped at {@link dev.capstan.dataplane.tsdb.codec.Block#MAX_POINTS} so no input can
 * make a decoder allocate more than a few megabytes. Detecting silent bit flips is the shard
 * file's checksum's job, not this package's.
 */
package dev.capstan.dataplane.tsdb.codec;
