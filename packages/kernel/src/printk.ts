// The kernel log ring buffer (kernel/printk/printk.c): every printk lands here with its level and
// a timestamp from the kernel's clock, and dmesg renders it as "[    1.234567] message".
import { printk_get_level } from '@k/page-alloc';

export interface LogRecord {
  /** Nanoseconds since boot (virtual time). */
  ts_nsec: number;
  level: number;
  text: string;
}

export class LogBuffer {
  private readonly records: LogRecord[] = [];
  private partial: { level: number; text: string; ts_nsec: number } | null = null;
  private dropped = 0;

  /** `clock` returns nanoseconds since boot; `capacity` bounds the records kept (oldest dropped). */
  constructor(
    private readonly clock: () => number = () => 0,
    private readonly capacity = 1 << 14,
  ) {}

  /** printk(): a message may end mid-line; the next call continues it (KERN_CONT style). */
  readonly printk = (message: string): void => {
    const [level, text] = printk_get_level(message);
    let rest = text;
    while (rest.length > 0) {
      const nl = rest.indexOf('\n');
      const piece = nl === -1 ? rest : rest.slice(0, nl);
      if (this.partial === null) this.partial = { level, text: '', ts_nsec: this.clock() };
      this.partial.text += piece;
      if (nl === -1) break;
      this.push(this.partial);
      this.partial = null;
      rest = rest.slice(nl + 1);
    }
  };

  /** Records in order; an unterminated last line is included. */
  get log(): readonly LogRecord[] {
    return this.partial ? [...this.records, this.partial] : this.records;
  }

  /** Records lost because the buffer was full. */
  get droppedRecords(): number {
    return this.dropped;
  }

  /** The dmesg(1) rendering: "[%5lu.%06lu] text" per line. */
  dmesg(): string {
    return this.log.map((r) => `${formatTimestamp(r.ts_nsec)} ${r.text}\n`).join('');
  }

  private push(record: LogRecord): void {
    this.records.push(record);
    if (this.records.length > this.capacity) {
      this.records.shift();
      this.dropped++;
    }
  }
}

/** print_time(): "[%5lu.%06lu]" of seconds and microseconds. */
export function formatTimestamp(ts_nsec: number): string {
  const sec = Math.floor(ts_nsec / 1e9);
  const usec = Math.floor((ts_nsec % 1e9) / 1e3);
  return `[${String(sec).padStart(5, ' ')}.${String(usec).padStart(6, '0')}]`;
}
