// Intel 8254 programmable interval timer at 0x40–0x43, clocked at 1.193182 MHz. Channel 0 drives IRQ 0,
// channel 2 is gated by port 0x61 bit 0 and its output is read back in port 0x61 bit 5 (the speaker
// path); channel 1 (DRAM refresh) is modelled like the others. Counters are not stepped tick by tick:
// each channel remembers when it was loaded and computes its count and OUT level from the current time
// (8254 datasheet, modes 0–5, counter latch, read-back, LSB/MSB/LSB-then-MSB access, BCD).

import type { IoBus } from '../io.js';

/** Input clock of the PC's 8254 in Hz. */
export const PIT_HZ = 1_193_182;

/** One counter. `start` is the tick at which counting began (-1: no count loaded, or gate low in modes 1/5 not yet triggered). */
interface Channel {
  mode: number;
  access: number; // 1 LSB, 2 MSB, 3 LSB then MSB
  bcd: boolean;
  reload: number; // 0 means 65536 (10000 in BCD)
  start: number;
  gate: boolean;
  writeLow: boolean; // next write of an LSB/MSB pair is the LSB
  writeLatch: number; // LSB written, MSB pending
  readLow: boolean;
  latched: boolean;
  latchValue: number;
  latchLowDone: boolean;
  statusLatched: boolean;
  status: number;
  nullCount: boolean;
  outWhenIdle: boolean;
}

export interface I8254State {
  channels: Channel[];
  speakerData: boolean;
  lastOut0: boolean;
  lastTick: number;
}

function newChannel(): Channel {
  return {
    mode: 0,
    access: 3,
    bcd: false,
    reload: 0,
    start: -1,
    gate: true,
    writeLow: true,
    writeLatch: 0,
    readLow: true,
    latched: false,
    latchValue: 0,
    latchLowDone: false,
    statusLatched: false,
    status: 0,
    nullCount: true,
    outWhenIdle: false,
  };
}

/** Power-on counters: channel 2's gate follows port 0x61 bit 0, which resets to 0. */
function freshChannels(): Channel[] {
  const c = [newChannel(), newChannel(), newChannel()];
  c[2].gate = false;
  return c;
}

export class I8254 {
  private channels: Channel[] = freshChannels();
  /** Port 0x61 bit 1: speaker data enable (only reported back). */
  speakerData = false;
  /** Level of channel 0's OUT last reported to IRQ 0. */
  private lastOut0 = false;
  /** Tick of the last `update`. */
  private lastTick = 0;

  /**
   * @param ticks current time in PIT ticks (the machine derives it from its clock)
   * @param setIrq0 drives IRQ 0
   */
  constructor(
    private readonly ticks: () => number,
    private readonly setIrq0: (level: boolean) => void = () => {},
  ) {}

  attach(io: IoBus): void {
    io.register(
      0x40,
      { read8: (p) => this.readCounter(p - 0x40), write8: (p, v) => this.writeCounter(p - 0x40, v) },
      3,
    );
    io.register(0x43, { read8: () => 0xff, write8: (_p, v) => this.writeControl(v) });
    io.register(0x61, { read8: () => this.readPort61(), write8: (_p, v) => this.writePort61(v) });
  }

  private period(c: Channel): number {
    if (c.reload === 0) return c.bcd ? 10000 : 0x10000;
    return c.reload;
  }

  /** Elapsed ticks since the counter started, or -1 when it is not counting. */
  private elapsed(c: Channel, now: number): number {
    if (c.start < 0) return -1;
    if (!c.gate && (c.mode === 0 || c.mode === 2 || c.mode === 3 || c.mode === 4)) {
      // Gate low suspends counting in modes 0/4 and holds modes 2/3; model it as "count frozen at load".
      return -1;
    }
    return Math.max(0, now - c.start);
  }

  /** Current count of channel `i` at tick `now`. */
  count(i: number, now = this.ticks()): number {
    const c = this.channels[i];
    const n = this.period(c);
    const e = this.elapsed(c, now);
    if (e < 0) return c.reload & 0xffff;
    switch (c.mode) {
      case 2:
      case 6:
        return n - (e % n);
      case 3:
      case 7: {
        // Decrements by two; odd counts spend one extra tick in the high half.
        const half = Math.ceil(n / 2);
        const p = e % n;
        return p < half ? (n - 2 * p) & 0xfffe : (n - 2 * (p - half)) & 0xfffe;
      }
      default: {
        // Modes 0, 1, 4, 5: count down once, then wrap around through 0xffff.
        const v = (n - e) % 0x10000;
        return (v + 0x10000) % 0x10000;
      }
    }
  }

  /** OUT level of channel `i` at tick `now`. */
  out(i: number, now = this.ticks()): boolean {
    const c = this.channels[i];
    const n = this.period(c);
    const e = this.elapsed(c, now);
    if (e < 0) return c.outWhenIdle;
    switch (c.mode) {
      case 0:
        return e >= n;
      case 1:
        return e >= n;
      case 2:
      case 6:
        return e % n !== n - 1;
      case 3:
      case 7:
        return e % n < Math.ceil(n / 2);
      case 4:
      case 5:
        return e !== n;
      default:
        return true;
    }
  }

  /** Number of rising edges of channel `i`'s OUT in the tick interval (from, to]. */
  risingEdges(i: number, from: number, to: number): number {
    const c = this.channels[i];
    if (c.start < 0 || to <= from) return 0;
    const n = this.period(c);
    const e0 = Math.max(0, from - c.start);
    const e1 = to - c.start;
    if (e1 <= 0) return 0;
    switch (c.mode) {
      case 0:
      case 1:
        return e0 < n && e1 >= n ? 1 : 0;
      case 2:
      case 6:
      case 3:
      case 7:
        // A rising edge at each multiple of the period.
        return Math.floor(e1 / n) - Math.floor(e0 / n);
      case 4:
      case 5:
        return e0 <= n && e1 > n ? 1 : 0;
      default:
        return 0;
    }
  }

  /** Tick of channel `i`'s next OUT change after `now`, or Infinity. */
  nextChange(i: number, now = this.ticks()): number {
    const c = this.channels[i];
    const e = this.elapsed(c, now);
    if (e < 0) return Number.POSITIVE_INFINITY;
    const n = this.period(c);
    const base = c.start;
    switch (c.mode) {
      case 0:
      case 1:
        return e < n ? base + n : Number.POSITIVE_INFINITY;
      case 2:
      case 6: {
        const p = e % n;
        return p < n - 1 ? now + (n - 1 - p) : now + 1;
      }
      case 3:
      case 7: {
        const half = Math.ceil(n / 2);
        const p = e % n;
        return p < half ? now + (half - p) : now + (n - p);
      }
      case 4:
      case 5:
        if (e < n) return base + n;
        if (e === n) return base + n + 1;
        return Number.POSITIVE_INFINITY;
      default:
        return Number.POSITIVE_INFINITY;
    }
  }

  /** Brings IRQ 0 up to date with channel 0's OUT; the machine calls it whenever time advances. */
  update(now = this.ticks()): void {
    const edges = this.risingEdges(0, this.lastTick, now);
    this.lastTick = now;
    if (edges > 0) {
      // Let the PIC see a rising edge; a pulse already over stays visible until the next update.
      if (this.lastOut0) this.setIrq0(false);
      this.setIrq0(true);
      this.lastOut0 = true;
      return;
    }
    const level = this.out(0, now);
    if (level !== this.lastOut0) {
      this.lastOut0 = level;
      this.setIrq0(level);
    }
  }

  writeControl(v: number): void {
    const sel = v >> 6;
    if (sel === 3) {
      // Read-back: bit 5 clear latches counts, bit 4 clear latches status.
      for (let i = 0; i < 3; i++) {
        if (!(v & (2 << i))) continue;
        const c = this.channels[i];
        if (!(v & 0x20)) this.latch(i);
        if (!(v & 0x10) && !c.statusLatched) {
          c.statusLatched = true;
          c.status =
            (this.out(i) ? 0x80 : 0) |
            (c.nullCount ? 0x40 : 0) |
            (c.access << 4) |
            (c.mode << 1) |
            (c.bcd ? 1 : 0);
        }
      }
      return;
    }
    const c = this.channels[sel];
    const access = (v >> 4) & 3;
    if (access === 0) {
      this.latch(sel);
      return;
    }
    c.access = access;
    c.mode = (v >> 1) & 7;
    if (c.mode > 5) c.mode -= 4;
    c.bcd = (v & 1) !== 0;
    c.writeLow = true;
    c.readLow = true;
    c.latched = false;
    c.start = -1;
    c.nullCount = true;
    // Writing the control word sets OUT low in mode 0, high in the others.
    c.outWhenIdle = c.mode !== 0;
    if (sel === 0) this.syncIrq0();
  }

  private latch(i: number): void {
    const c = this.channels[i];
    if (c.latched) return;
    c.latched = true;
    c.latchLowDone = false;
    c.latchValue = this.encode(c, this.count(i));
  }

  private encode(c: Channel, v: number): number {
    if (!c.bcd) return v & 0xffff;
    v %= 10000;
    return (
      (v % 10) |
      ((Math.floor(v / 10) % 10) << 4) |
      ((Math.floor(v / 100) % 10) << 8) |
      (Math.floor(v / 1000) << 12)
    );
  }

  private decode(c: Channel, v: number): number {
    if (!c.bcd) return v;
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
  }

  readCounter(i: number): number {
    if (i > 2) return 0xff;
    const c = this.channels[i];
    if (c.statusLatched) {
      c.statusLatched = false;
      return c.status;
    }
    const v = c.latched ? c.latchValue : this.encode(c, this.count(i));
    switch (c.access) {
      case 1:
        c.latched = false;
        return v & 0xff;
      case 2:
        c.latched = false;
        return (v >> 8) & 0xff;
      default:
        if (c.readLow) {
          c.readLow = false;
          return v & 0xff;
        }
        c.readLow = true;
        c.latched = false;
        return (v >> 8) & 0xff;
    }
  }

  writeCounter(i: number, v: number): void {
    if (i > 2) return;
    const c = this.channels[i];
    let value: number;
    switch (c.access) {
      case 1:
        value = v;
        break;
      case 2:
        value = v << 8;
        break;
      default:
        if (c.writeLow) {
          c.writeLow = false;
          c.writeLatch = v;
          // Mode 0: writing the first byte stops the count and sets OUT low.
          if (c.mode === 0) {
            c.start = -1;
            c.outWhenIdle = false;
            if (i === 0) this.syncIrq0();
          }
          return;
        }
        c.writeLow = true;
        value = c.writeLatch | (v << 8);
    }
    c.reload = this.decode(c, value) & 0xffff;
    c.nullCount = false;
    // Modes 1 and 5 wait for a gate trigger; the others start on the next clock.
    if (c.mode === 1 || c.mode === 5) {
      if (c.start < 0) c.outWhenIdle = true;
    } else if (c.mode === 2 || c.mode === 3) {
      // A new count takes effect at the end of the current period if already running.
      if (c.start < 0) c.start = this.ticks() + 1;
    } else {
      c.start = this.ticks() + 1;
    }
    if (i === 0) this.syncIrq0();
  }

  private syncIrq0(): void {
    const level = this.out(0);
    if (level !== this.lastOut0) {
      this.lastOut0 = level;
      this.setIrq0(level);
    }
  }

  /** Sets a channel's GATE input (channel 2's is port 0x61 bit 0; 0 and 1 are tied high). */
  setGate(i: number, level: boolean): void {
    const c = this.channels[i];
    const rising = level && !c.gate;
    c.gate = level;
    if (rising && !c.nullCount && (c.mode === 1 || c.mode === 5 || c.mode === 2 || c.mode === 3)) {
      c.start = this.ticks() + 1;
    }
  }

  readPort61(): number {
    const c2 = this.channels[2];
    // Bit 4 toggles with DRAM refresh (every ~15 µs); BIOS delay loops poll it.
    const refresh = Math.floor(this.ticks() / 18) & 1;
    return (c2.gate ? 1 : 0) | (this.speakerData ? 2 : 0) | (refresh << 4) | (this.out(2) ? 0x20 : 0);
  }

  writePort61(v: number): void {
    this.speakerData = (v & 2) !== 0;
    this.setGate(2, (v & 1) !== 0);
  }

  reset(): void {
    this.channels = freshChannels();
    this.lastTick = this.ticks();
    this.speakerData = false;
    this.lastOut0 = false;
    this.setIrq0(false);
  }

  getState(): I8254State {
    return {
      channels: this.channels.map((c) => ({ ...c })),
      speakerData: this.speakerData,
      lastOut0: this.lastOut0,
      lastTick: this.lastTick,
    };
  }

  setState(s: I8254State): void {
    this.channels = s.channels.map((c) => ({ ...c }));
    this.speakerData = s.speakerData;
    this.lastOut0 = s.lastOut0;
    this.lastTick = s.lastTick;
  }
}
