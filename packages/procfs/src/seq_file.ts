// seq_file reads (fs/seq_file.c): a producer renders the whole file, and read(2) takes it in
// pieces at a file position, so `cat` and a reader with a small buffer see the same bytes.

/** Renders the current contents of a /proc file. */
export type TextProducer = () => string;

export interface SeqReadResult {
  /** The bytes read (empty at end of file). */
  data: Uint8Array;
  /** The file position after the read. */
  pos: number;
}

const encoder = new TextEncoder();

/** seq_read(): up to `count` bytes of the producer's output starting at `pos`. */
export function seq_read(show: TextProducer, pos: number, count: number): SeqReadResult {
  if (!Number.isInteger(pos) || pos < 0) throw new RangeError(`seq_read: pos must be >= 0, got ${pos}`);
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`seq_read: count must be >= 0, got ${count}`);
  }
  const all = encoder.encode(show());
  const data = all.subarray(Math.min(pos, all.length), Math.min(pos + count, all.length));
  return { data, pos: pos + data.length };
}
