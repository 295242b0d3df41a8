// The physical memory bus: RAM (PhysicalMemory) with ROM regions, MMIO windows and the A20 gate laid
// over it. The CPU's software TLB asks `frameForRead`/`frameForWrite` for a whole 4 KiB host frame
// once per page and then touches the Uint8Array directly; ROM, MMIO and unmapped space stay on the
// slow path (`read8`/`write8`). Unmapped physical addresses read 0xFF and ignore writes.

import { FRAME_SHIFT, FRAME_SIZE, type PhysicalMemory } from './memory.js';

const FRAME_MASK = FRAME_SIZE - 1;

/** Handlers for a memory-mapped device window; offsets are physical addresses. */
export interface MmioHandlers {
  read8(addr: number): number;
  write8(addr: number, value: number): void;
}

/** A bad argument to a MemoryBus method: the message names the field and the value. */
export class MemoryBusError extends RangeError {
  override name = 'MemoryBusError';
}

interface MmioRegion {
  base: number;
  end: number; // exclusive
  handlers: MmioHandlers;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export class MemoryBus {
  readonly ram: PhysicalMemory;
  /** ROM frames by physical page number (copies of the mapped bytes, padded with 0xFF). */
  private readonly romPages = new Map<number, Uint8Array>();
  /** Pages (by physical page number) that hold part of an MMIO window. */
  private readonly mmioPages = new Set<number>();
  private readonly mmio: MmioRegion[] = [];
  private a20 = true;
  /** Address mask applied to every physical address: bit 20 cleared while A20 is off. */
  a20Mask = 0xffffffff | 0;
  private readonly listeners: (() => void)[] = [];
  /**
   * Device accesses so far (MMIO reads and writes). The CPU's translated blocks watch it: after an
   * instruction that reached a device they return to the run loop, which polls interrupts then.
   */
  mmioAccesses = 0;

  constructor(ram: PhysicalMemory) {
    this.ram = ram;
    ram.onFramesDropped(() => this.notify());
  }

  /** The A20 gate: when off, physical address bit 20 reads as 0 (the 8086 wrap at 1 MiB). */
  get a20Enabled(): boolean {
    return this.a20;
  }

  set a20Enabled(on: boolean) {
    if (on === this.a20) return;
    this.a20 = on;
    this.a20Mask = on ? 0xffffffff | 0 : ~(1 << 20);
    this.notify();
  }

  /** Registers a callback run whenever cached frames may be stale (A20 flip, new ROM/MMIO, dropped RAM). */
  onMapChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }

  /** Maps read-only bytes at a physical address; writes there are ignored. */
  mapRom(base: number, bytes: Uint8Array): void {
    if (!Number.isInteger(base) || base < 0 || base + bytes.length > 0x1_0000_0000) {
      throw new MemoryBusError(
        `mapRom: base ${hex(base)}+${bytes.length} is outside the 4 GiB address space`,
      );
    }
    for (let done = 0; done < bytes.length; ) {
      const a = base + done;
      const page = a >>> FRAME_SHIFT;
      const off = a & FRAME_MASK;
      const n = Math.min(FRAME_SIZE - off, bytes.length - done);
      let frame = this.romPages.get(page);
      if (!frame) {
        frame = new Uint8Array(FRAME_SIZE).fill(0xff);
        this.romPages.set(page, frame);
      }
      frame.set(bytes.subarray(done, done + n), off);
      done += n;
    }
    this.notify();
  }

  /** Routes byte accesses to [base, base+size) to a device. */
  mapMmio(base: number, size: number, handlers: MmioHandlers): void {
    if (!Number.isInteger(base) || base < 0 || !Number.isInteger(size) || size < 1) {
      throw new MemoryBusError(`mapMmio: window ${hex(base)}+${size} is not a valid range`);
    }
    if (base + size > 0x1_0000_0000) {
      throw new MemoryBusError(`mapMmio: window ${hex(base)}+${size} is outside the 4 GiB address space`);
    }
    this.mmio.push({ base, end: base + size, handlers });
    for (let p = base >>> FRAME_SHIFT; p <= (base + size - 1) >>> FRAME_SHIFT; p++) this.mmioPages.add(p);
    this.notify();
  }

  /**
   * The host frame holding physical page `page` for reading, or null when the page is MMIO or
   * unmapped (use read8). RAM frames are allocated so later writes land in the same array.
   */
  frameForRead(page: number): Uint8Array | null {
    if (this.mmioPages.has(page)) return null;
    const rom = this.romPages.get(page);
    if (rom) return rom;
    if (page < this.ram.size >>> FRAME_SHIFT) return this.ram.frameForWrite(page << FRAME_SHIFT);
    return null;
  }

  /** The host frame for writing physical page `page`, or null for ROM, MMIO and unmapped pages. */
  frameForWrite(page: number): Uint8Array | null {
    if (this.mmioPages.has(page) || this.romPages.has(page)) return null;
    if (page < this.ram.size >>> FRAME_SHIFT) return this.ram.frameForWrite(page << FRAME_SHIFT);
    return null;
  }

  /** The device mapped at `addr` (in physical page `page`), counting the access; null for memory. */
  private device(page: number, addr: number): MmioHandlers | null {
    if (!this.mmioPages.has(page)) return null;
    for (const r of this.mmio) {
      if (addr >= r.base && addr < r.end) {
        this.mmioAccesses++;
        return r.handlers;
      }
    }
    return null;
  }

  read8(addr: number): number {
    addr = (addr & this.a20Mask) >>> 0;
    const page = addr >>> FRAME_SHIFT;
    const dev = this.device(page, addr);
    if (dev) return dev.read8(addr) & 0xff;
    const rom = this.romPages.get(page);
    if (rom) return rom[addr & FRAME_MASK];
    if (addr < this.ram.size) return this.ram.read8(addr);
    return 0xff;
  }

  write8(addr: number, value: number): void {
    addr = (addr & this.a20Mask) >>> 0;
    const page = addr >>> FRAME_SHIFT;
    const dev = this.device(page, addr);
    if (dev) {
      dev.write8(addr, value & 0xff);
      return;
    }
    if (this.romPages.has(page)) return;
    if (addr < this.ram.size) this.ram.write8(addr, value);
  }

  read16(addr: number): number {
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    return (this.read16(addr) | (this.read16(addr + 2) << 16)) >>> 0;
  }

  write16(addr: number, value: number): void {
    this.write8(addr, value);
    this.write8(addr + 1, value >>> 8);
  }

  write32(addr: number, value: number): void {
    this.write16(addr, value);
    this.write16(addr + 2, value >>> 16);
  }

  /** Copies physical memory into a new array (whole RAM pages at a time, device bytes one by one). */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const a = (addr + done) >>> 0;
      const off = a & FRAME_MASK;
      const n = Math.min(FRAME_SIZE - off, length - done);
      const frame = this.a20 ? this.frameForRead(a >>> FRAME_SHIFT) : null;
      if (frame) out.set(frame.subarray(off, off + n), done);
      else for (let i = 0; i < n; i++) out[done + i] = this.read8(a + i);
      done += n;
    }
    return out;
  }

  /** Copies bytes into physical memory; bytes aimed at ROM or unmapped space are dropped. */
  writeBytes(addr: number, bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length; ) {
      const a = (addr + done) >>> 0;
      const off = a & FRAME_MASK;
      const n = Math.min(FRAME_SIZE - off, bytes.length - done);
      const frame = this.a20 ? this.frameForWrite(a >>> FRAME_SHIFT) : null;
      if (frame) frame.set(bytes.subarray(done, done + n), off);
      else for (let i = 0; i < n; i++) this.write8(a + i, bytes[done + i]);
      done += n;
    }
  }
}
