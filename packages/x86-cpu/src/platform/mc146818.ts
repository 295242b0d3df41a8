// Motorola MC146818 real-time clock and its 128 bytes of CMOS RAM at 0x70 (index; bit 7 masks NMI) and
// 0x71 (data). Time registers are computed from a seconds counter on each read (BCD or binary, 12 or
// 24 hour per status B); status A selects the periodic rate, status B enables the periodic, alarm and
// update-ended interrupts on IRQ 8, status C reports and clears them. The AT BIOS configuration bytes
// (equipment 0x14, base and extended memory 0x15–0x18 / 0x30–0x31, memory above 16 MiB 0x34–0x35,
// memory above 4 GiB 0x5B–0x5D, century 0x32, checksum 0x2E–0x2F) are filled from the machine's RAM size.

import type { IoBus } from '../io.js';

const NS = 1_000_000_000;

export interface Mc146818State {
  ram: number[];
  index: number;
  nmiMasked: boolean;
  /** Seconds since 1970 at `baseNs` of the machine clock. */
  baseSeconds: number;
  baseNs: number;
  nextPeriodicNs: number;
  nextSecondNs: number;
}

export interface Mc146818Options {
  /** RAM size in bytes, for the memory-size bytes. */
  ramSize: number;
  /** Machine time in nanoseconds. */
  now: () => number;
  /** Wall-clock seconds since 1970 at machine time 0 (virtual clocks use a fixed date). */
  startSeconds: number;
  setIrq?: (level: boolean) => void;
}

function bcd(v: number): number {
  return (Math.floor(v / 10) << 4) | (v % 10);
}

function unbcd(v: number): number {
  return (v >> 4) * 10 + (v & 0xf);
}

/** Fills the AT configuration bytes of a CMOS image for a machine with `ramSize` bytes of RAM. */
export function fillCmosConfig(ram: Uint8Array | number[], ramSize: number): void {
  const kib = Math.floor(ramSize / 1024);
  const base = Math.min(640, kib);
  ram[0x10] = 0x00; // no floppy drives
  ram[0x12] = 0x00; // no CMOS-typed hard disks (the BIOS probes ATA)
  ram[0x14] = 0x00; // equipment: no floppy, no math coprocessor, VGA/EGA display
  ram[0x15] = base & 0xff;
  ram[0x16] = base >> 8;
  const ext = Math.min(0xffff, Math.max(0, kib - 1024)); // KiB above 1 MiB, capped at 64 MiB - 1 KiB
  ram[0x17] = ram[0x30] = ext & 0xff;
  ram[0x18] = ram[0x31] = ext >> 8;
  const below4g = Math.min(ramSize, 0x1_0000_0000);
  const over16 = Math.min(0xffff, Math.max(0, Math.floor((below4g - 16 * 1024 * 1024) / 65536)));
  ram[0x34] = over16 & 0xff;
  ram[0x35] = over16 >> 8;
  const over4g = Math.max(0, Math.floor((ramSize - 0x1_0000_0000) / 65536));
  ram[0x5b] = over4g & 0xff;
  ram[0x5c] = (over4g >> 8) & 0xff;
  ram[0x5d] = (over4g >> 16) & 0xff;
  ram[0x3d] = 0x02; // boot order for SeaBIOS-style BIOSes: hard disk first
  let sum = 0;
  for (let i = 0x10; i <= 0x2d; i++) sum += ram[i];
  ram[0x2e] = (sum >> 8) & 0xff;
  ram[0x2f] = sum & 0xff;
}

export class Mc146818 {
  readonly ram = new Uint8Array(128);
  index = 0;
  /** Port 0x70 bit 7: NMI disabled. */
  nmiMasked = true;
  private baseSeconds: number;
  private baseNs = 0;
  private nextPeriodicNs = Number.POSITIVE_INFINITY;
  private nextSecondNs = NS;
  private readonly now: () => number;
  private readonly setIrq: (level: boolean) => void;

  constructor(private readonly options: Mc146818Options) {
    this.now = options.now;
    this.setIrq = options.setIrq ?? (() => {});
    this.baseSeconds = Math.floor(options.startSeconds);
    this.powerOn();
  }

  private powerOn(): void {
    this.ram.fill(0);
    this.ram[0x0a] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    this.ram[0x0b] = 0x02; // 24-hour, BCD
    this.ram[0x0d] = 0x80; // valid RAM and time
    fillCmosConfig(this.ram, this.options.ramSize);
    this.ram[0x32] = this.ram[0x37] = bcd(
      Math.floor(new Date(this.baseSeconds * 1000).getUTCFullYear() / 100),
    );
  }

  attach(io: IoBus): void {
    io.register(0x70, {
      read8: () => 0xff, // the index register is write-only
      write8: (_p, v) => {
        this.index = v & 0x7f;
        this.nmiMasked = (v & 0x80) !== 0;
      },
    });
    io.register(0x71, { read8: () => this.read(this.index), write8: (_p, v) => this.write(this.index, v) });
  }

  /** Current RTC time in seconds since 1970. */
  seconds(now = this.now()): number {
    return this.baseSeconds + Math.floor((now - this.baseNs) / NS);
  }

  private get binary(): boolean {
    return (this.ram[0x0b] & 0x04) !== 0;
  }

  private enc(v: number): number {
    return this.binary ? v : bcd(v);
  }

  private dec(v: number): number {
    return this.binary ? v : unbcd(v);
  }

  private encodeHour(h: number): number {
    if (this.ram[0x0b] & 0x02) return this.enc(h);
    const pm = h >= 12;
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.enc(h12) | (pm ? 0x80 : 0);
  }

  private decodeHour(v: number): number {
    if (this.ram[0x0b] & 0x02) return this.dec(v);
    const h12 = this.dec(v & 0x7f) % 12;
    return v & 0x80 ? h12 + 12 : h12;
  }

  read(reg: number): number {
    reg &= 0x7f;
    if (reg <= 9 || reg === 0x32) {
      const d = new Date(this.seconds() * 1000);
      switch (reg) {
        case 0:
          return this.enc(d.getUTCSeconds());
        case 2:
          return this.enc(d.getUTCMinutes());
        case 4:
          return this.encodeHour(d.getUTCHours());
        case 6:
          return this.enc(d.getUTCDay() + 1);
        case 7:
          return this.enc(d.getUTCDate());
        case 8:
          return this.enc(d.getUTCMonth() + 1);
        case 9:
          return this.enc(d.getUTCFullYear() % 100);
        case 0x32:
          return this.enc(Math.floor(d.getUTCFullYear() / 100));
        default:
          return this.ram[reg]; // alarm registers 1, 3, 5
      }
    }
    switch (reg) {
      case 0x0a: {
        // UIP is set during the last 244 µs before the seconds roll over.
        const intoSecond = (this.now() - this.baseNs) % NS;
        return (this.ram[0x0a] & 0x7f) | (intoSecond >= NS - 244_000 ? 0x80 : 0);
      }
      case 0x0c: {
        this.poll();
        const v = this.ram[0x0c];
        this.ram[0x0c] = 0;
        this.setIrq(false);
        return v;
      }
      case 0x0d:
        return 0x80;
      default:
        return this.ram[reg];
    }
  }

  write(reg: number, v: number): void {
    reg &= 0x7f;
    if (reg <= 9 || reg === 0x32) {
      if (reg === 1 || reg === 3 || reg === 5) {
        this.ram[reg] = v;
        return;
      }
      const d = new Date(this.seconds() * 1000);
      const f = {
        s: d.getUTCSeconds(),
        mi: d.getUTCMinutes(),
        h: d.getUTCHours(),
        day: d.getUTCDate(),
        mo: d.getUTCMonth(),
        y: d.getUTCFullYear(),
      };
      switch (reg) {
        case 0:
          f.s = this.dec(v);
          break;
        case 2:
          f.mi = this.dec(v);
          break;
        case 4:
          f.h = this.decodeHour(v);
          break;
        case 6:
          return; // day of week follows from the date
        case 7:
          f.day = this.dec(v);
          break;
        case 8:
          f.mo = this.dec(v) - 1;
          break;
        case 9:
          f.y = Math.floor(f.y / 100) * 100 + this.dec(v);
          break;
        case 0x32:
          f.y = this.dec(v) * 100 + (f.y % 100);
          break;
      }
      const now = this.now();
      this.baseSeconds = Math.floor(Date.UTC(f.y, f.mo, f.day, f.h, f.mi, f.s) / 1000);
      // Writing time keeps the phase within the second.
      this.baseNs = now - ((now - this.baseNs) % NS);
      return;
    }
    switch (reg) {
      case 0x0a:
        this.ram[0x0a] = v & 0x7f;
        this.schedulePeriodic();
        return;
      case 0x0b:
        if (v & 0x80) v &= ~0x10; // SET clears UIE
        this.ram[0x0b] = v;
        this.schedulePeriodic();
        this.poll();
        return;
      case 0x0c:
      case 0x0d:
        return; // read-only
      default:
        this.ram[reg] = v;
    }
  }

  /** Periodic interrupt period in ns for the current rate select, or 0 when off. */
  periodNs(): number {
    const rs = this.ram[0x0a] & 0x0f;
    if (rs === 0 || (this.ram[0x0a] & 0x70) !== 0x20) return 0;
    const hz = rs <= 2 ? 32768 >> (rs + 6) : 32768 >> (rs - 1);
    return NS / hz;
  }

  private schedulePeriodic(): void {
    const p = this.periodNs();
    if (p === 0) {
      this.nextPeriodicNs = Number.POSITIVE_INFINITY;
      return;
    }
    const now = this.now();
    this.nextPeriodicNs = now + p;
  }

  /** Machine time of the next event that could raise IRQ 8, for the machine's scheduler. */
  nextEventNs(): number {
    const b = this.ram[0x0b];
    let t = Number.POSITIVE_INFINITY;
    if (b & 0x40) t = Math.min(t, this.nextPeriodicNs);
    if (b & 0x30) t = Math.min(t, this.nextSecondNs);
    return t;
  }

  /** Brings the flags in status C up to date with the clock and drives IRQ 8. */
  poll(now = this.now()): void {
    let c = this.ram[0x0c];
    if (now >= this.nextPeriodicNs) {
      const p = this.periodNs();
      c |= 0x40;
      if (p > 0) this.nextPeriodicNs += Math.ceil((now - this.nextPeriodicNs + 1) / p) * p;
    }
    if (now >= this.nextSecondNs) {
      const intoSecond = (now - this.baseNs) % NS;
      this.nextSecondNs = now - intoSecond + NS;
      if (!(this.ram[0x0b] & 0x80)) {
        c |= 0x10; // update ended
        const d = new Date(this.seconds(now) * 1000);
        const match = (reg: number, v: number) => (this.ram[reg] & 0xc0) === 0xc0 || this.ram[reg] === v;
        if (
          match(1, this.enc(d.getUTCSeconds())) &&
          match(3, this.enc(d.getUTCMinutes())) &&
          match(5, this.encodeHour(d.getUTCHours()))
        ) {
          c |= 0x20;
        }
      }
    }
    const enabled = this.ram[0x0b] & 0x70;
    if (c & enabled & 0x70) c |= 0x80;
    const was = this.ram[0x0c] & 0x80;
    this.ram[0x0c] = c;
    if (c & 0x80 && !was) this.setIrq(true);
  }

  reset(): void {
    // A reset clears the interrupt enables and flags; time and CMOS RAM survive.
    this.ram[0x0b] &= ~0x70;
    this.ram[0x0c] = 0;
    this.setIrq(false);
  }

  getState(): Mc146818State {
    return {
      ram: Array.from(this.ram),
      index: this.index,
      nmiMasked: this.nmiMasked,
      baseSeconds: this.baseSeconds,
      baseNs: this.baseNs,
      nextPeriodicNs: Number.isFinite(this.nextPeriodicNs) ? this.nextPeriodicNs : -1,
      nextSecondNs: this.nextSecondNs,
    };
  }

  setState(s: Mc146818State): void {
    this.ram.set(s.ram);
    this.index = s.index;
    this.nmiMasked = s.nmiMasked;
    this.baseSeconds = s.baseSeconds;
    this.baseNs = s.baseNs;
    this.nextPeriodicNs = s.nextPeriodicNs < 0 ? Number.POSITIVE_INFINITY : s.nextPeriodicNs;
    this.nextSecondNs = s.nextSecondNs;
  }
}
