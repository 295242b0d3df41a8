// Physical RAM of the emulated PC: up to 4 GiB, costing host memory only for the 4 KiB frames
// that have been written. Untouched frames read as zero, like freshly powered DRAM in an emulator.
// Addresses are physical, unsigned 32-bit. This is RAM only: ROM, MMIO and A20 gating sit above it
// on the memory bus.

export const FRAME_SHIFT = 12;
export const FRAME_SIZE = 1 << FRAME_SHIFT;
const FRAME_MASK = FRAME_SIZE - 1;
const MAX_RAM = 0x1_0000_0000;

/** A bad argument to a host-side API: the message names the field and the value. */
export class PhysicalMemoryError extends RangeError {
  override name = 'PhysicalMemoryError';
}

const ZERO_FRAME = new Uint8Array(FRAME_SIZE);

export class PhysicalMemory {
  /** RAM size in bytes (a multiple of 4 KiB). */
  readonly size: number;
  /** Host backing per 4 KiB frame; undefined until first written. */
  private readonly frames: (Uint8Array | undefined)[];
  private readonly dropListeners: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < FRAME_SIZE || size > MAX_RAM || size % FRAME_SIZE !== 0) {
      throw new PhysicalMemoryError(
        `PhysicalMemory size must be a multiple of 4096 between 4 KiB and 4 GiB, got ${size}`,
      );
    }
    this.size = size;
    this.frames = new Array(size / FRAME_SIZE).fill(undefined);
  }

  /**
   * Registers a callback run after `fill` drops host frames, so holders of frame references
   * (the CPU's TLB) can let go of them.
   */
  onFramesDropped(fn: () => void): void {
    this.dropListeners.push(fn);
  }

  /** Number of 4 KiB frames that have host memory behind them. */
  get residentFrames(): number {
    let n = 0;
    for (const f of this.frames) if (f !== undefined) n++;
    return n;
  }

  /** The frame holding `addr` for reading (a shared zero frame when untouched). */
  frameForRead(addr: number): Uint8Array {
    return this.frames[addr >>> FRAME_SHIFT] ?? ZERO_FRAME;
  }

  /** The frame holding `addr` for writing, allocating its host memory on first use. */
  frameForWrite(addr: number): Uint8Array {
    const index = addr >>> FRAME_SHIFT;
    let frame = this.frames[index];
    if (frame === undefined) {
      frame = new Uint8Array(FRAME_SIZE);
      this.frames[index] = frame;
    }
    return frame;
  }

  contains(addr: number, length = 1): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.size;
  }

  read8(addr: number): number {
    return this.frameForRead(addr)[addr & FRAME_MASK];
  }

  read16(addr: number): number {
    const off = addr & FRAME_MASK;
    if (off <= FRAME_SIZE - 2) {
      const f = this.frameForRead(addr);
      return f[off] | (f[off + 1] << 8);
    }
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    const off = addr & FRAME_MASK;
    if (off <= FRAME_SIZE - 4) {
      const f = this.frameForRead(addr);
      return (f[off] | (f[off + 1] << 8) | (f[off + 2] << 16) | (f[off + 3] << 24)) >>> 0;
    }
    return (this.read16(addr) | (this.read16(addr + 2) << 16)) >>> 0;
  }

  write8(addr: number, value: number): void {
    this.frameForWrite(addr)[addr & FRAME_MASK] = value;
  }

  write16(addr: number, value: number): void {
    const off = addr & FRAME_MASK;
    if (off <= FRAME_SIZE - 2) {
      const f = this.frameForWrite(addr);
      f[off] = value;
      f[off + 1] = value >>> 8;
      return;
    }
    this.write8(addr, value);
    this.write8(addr + 1, value >>> 8);
  }

  write32(addr: number, value: number): void {
    const off = addr & FRAME_MASK;
    if (off <= FRAME_SIZE - 4) {
      const f = this.frameForWrite(addr);
      f[off] = value;
      f[off + 1] = value >>> 8;
      f[off + 2] = value >>> 16;
      f[off + 3] = value >>> 24;
      return;
    }
    this.write16(addr, value);
    this.write16(addr + 2, value >>> 16);
  }

  /** Copies `length` bytes starting at `addr` into a new array. */
  readBytes(addr: number, length: number): Uint8Array {
    this.check(addr, length, 'readBytes');
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = addr + done;
      const off = a & FRAME_MASK;
      const n = Math.min(FRAME_SIZE - off, length - done);
      out.set(this.frameForRead(a).subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  writeBytes(addr: number, bytes: Uint8Array): void {
    this.check(addr, bytes.length, 'writeBytes');
    let done = 0;
    while (done < bytes.length) {
      const a = addr + done;
      const off = a & FRAME_MASK;
      const n = Math.min(FRAME_SIZE - off, bytes.length - done);
      this.frameForWrite(a).set(bytes.subarray(done, done + n), off);
      done += n;
    }
  }

  /** Sets `length` bytes at `addr` to `value`; zero-filling an untouched frame costs nothing. */
  fill(addr: number, length: number, value = 0): void {
    this.check(addr, length, 'fill');
    let done = 0;
    let dropped = false;
    while (done < length) {
      const a = addr + done;
      const off = a & FRAME_MASK;
      const n = Math.min(FRAME_SIZE - off, length - done);
      const index = a >>> FRAME_SHIFT;
      if (value === 0 && n === FRAME_SIZE) {
        if (this.frames[index] !== undefined) dropped = true;
        this.frames[index] = undefined;
      } else if (value !== 0 || this.frames[index] !== undefined) {
        this.frameForWrite(a).fill(value, off, off + n);
      }
      done += n;
    }
    if (dropped) for (const fn of this.dropListeners) fn();
  }

  /** Copies `length` bytes from `src` to `dst` (memmove semantics: overlapping ranges are safe). */
  copy(dst: number, src: number, length: number): void {
    this.writeBytes(dst, this.readBytes(src, length));
  }

  private check(addr: number, length: number, op: string): void {
    if (!Number.isInteger(addr) || !Number.isInteger(length) || !this.contains(addr, length)) {
      throw new PhysicalMemoryError(
        `${op}: range 0x${addr.toString(16)}+${length} is outside RAM (0..0x${this.size.toString(16)})`,
      );
    }
  }
}
