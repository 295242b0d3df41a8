// The PC's two cascaded Intel 8259A programmable interrupt controllers (master at 0x20/0x21, slave at
// 0xA0/0xA1 on the master's IR2). Follows the 8259A datasheet: ICW1–ICW4 initialisation, OCW1 (mask),
// OCW2 (EOI, specific EOI, rotation, set priority), OCW3 (read IRR/ISR, poll, special mask), auto-EOI,
// edge or level triggering, special fully nested mode, and the spurious IR7 vector when a request
// disappears before the INTA cycle. Linux's driver is arch/x86/kernel/i8259.c.

import type { InterruptController } from '../interrupts.js';
import type { IoBus } from '../io.js';

/** One 8259A chip. Register fields are public so tests and debuggers can read IRR/ISR/IMR. */
export class I8259Chip {
  /** Interrupt request register: requests latched from the IR pins. */
  irr = 0;
  /** In-service register: requests acknowledged and not yet ended by an EOI. */
  isr = 0;
  /** Interrupt mask register (OCW1). */
  imr = 0;
  /** Current level of the eight IR input pins. */
  lines = 0;
  /** ICW2: vector of IR0 (bits 7..3). */
  vectorBase = 0;
  /** The IR with the lowest priority (7 after ICW1); rotation moves it. */
  lowestPriority = 7;
  /** Initialisation step: 0 ready, 2/3/4 waiting for that ICW. */
  initStep = 0;
  needIcw4 = false;
  single = false;
  levelTriggered = false;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialFullyNested = false;
  specialMask = false;
  readIsr = false;
  poll = false;
  /** ICW3: slave lines (master) or the slave's id (slave). */
  icw3 = 0;

  constructor(readonly name: 'master' | 'slave') {}

  /** Drives IR pin `n` high: latches a request on the rising edge (or while high in level mode). */
  raise(n: number): void {
    const bit = 1 << n;
    if (this.levelTriggered || !(this.lines & bit)) this.irr |= bit;
    this.lines |= bit;
  }

  /** Drives IR pin `n` low: a request that has not been acknowledged vanishes (datasheet: IR must stay high until INTA). */
  lower(n: number): void {
    const bit = 1 << n;
    this.lines &= ~bit;
    this.irr &= ~bit;
  }

  /** Priority rank of IR `n`: 0 is highest. */
  private rank(n: number): number {
    return (n - this.lowestPriority - 1) & 7;
  }

  /** Highest-priority IR in `mask`, or -1. */
  private highest(mask: number): number {
    if (mask === 0) return -1;
    for (let i = 0; i < 8; i++) {
      const n = (this.lowestPriority + 1 + i) & 7;
      if (mask & (1 << n)) return n;
    }
    return -1;
  }

  /** The request that would be acknowledged now, or -1. `cascadeIrr` adds the slave's INT on the cascade pin. */
  pending(cascadeIrr = 0): number {
    const req = (this.irr | cascadeIrr) & ~this.imr & 0xff;
    if (req === 0) return -1;
    const n = this.highest(req);
    let inService = this.specialMask ? this.isr & ~this.imr : this.isr;
    // Special fully nested mode: a slave request may interrupt while its own cascade line is in service.
    if (this.specialFullyNested && this.icw3 & (1 << n)) inService &= ~(1 << n);
    const s = this.highest(inService & 0xff);
    if (s >= 0 && this.rank(s) <= this.rank(n)) return -1;
    return n;
  }

  /** INTA for IR `n`: moves it from IRR to ISR (unless auto-EOI). */
  acknowledgeLine(n: number): void {
    const bit = 1 << n;
    this.irr &= ~bit;
    if (this.levelTriggered && this.lines & bit) this.irr |= bit;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.lowestPriority = n;
    } else {
      this.isr |= bit;
    }
  }

  private eoi(n: number, rotate: boolean): void {
    if (n < 0) return;
    this.isr &= ~(1 << n);
    if (rotate) this.lowestPriority = n;
  }

  writeCommand(value: number): void {
    if (value & 0x10) {
      // ICW1
      this.levelTriggered = (value & 0x08) !== 0;
      this.single = (value & 0x02) !== 0;
      this.needIcw4 = (value & 0x01) !== 0;
      this.initStep = 2;
      this.imr = 0;
      this.isr = 0;
      this.irr = this.levelTriggered ? this.lines : 0;
      this.lowestPriority = 7;
      this.specialMask = false;
      this.readIsr = false;
      this.poll = false;
      this.autoEoi = false;
      this.rotateOnAutoEoi = false;
      this.specialFullyNested = false;
      return;
    }
    if (value & 0x08) {
      // OCW3
      if (value & 0x04) this.poll = true;
      if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
      if (value & 0x40) this.specialMask = (value & 0x20) !== 0;
      return;
    }
    // OCW2
    const level = value & 7;
    switch (value >> 5) {
      case 0b001: // non-specific EOI
        this.eoi(this.highest(this.isr), false);
        break;
      case 0b011: // specific EOI
        this.eoi(level, false);
        break;
      case 0b101: // rotate on non-specific EOI
        this.eoi(this.highest(this.isr), true);
        break;
      case 0b100: // set rotate in auto-EOI mode
        this.rotateOnAutoEoi = true;
        break;
      case 0b000: // clear rotate in auto-EOI mode
        this.rotateOnAutoEoi = false;
        break;
      case 0b111: // rotate on specific EOI
        this.eoi(level, true);
        break;
      case 0b110: // set priority
        this.lowestPriority = level;
        break;
      default: // 0b010: no operation
        break;
    }
  }

  writeData(value: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.icw3 = value;
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (value & 0x02) !== 0;
        this.specialFullyNested = (value & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value;
    }
  }

  readCommand(): number {
    return this.readIsr ? this.isr : this.irr;
  }

  getState(): I8259ChipState {
    const { name: _name, ...rest } = this;
    return { ...rest };
  }

  setState(s: I8259ChipState): void {
    Object.assign(this, s);
  }
}

export type I8259ChipState = Omit<
  { [K in keyof I8259Chip as I8259Chip[K] extends (...a: never[]) => unknown ? never : K]: I8259Chip[K] },
  'name'
>;

export interface I8259State {
  master: I8259ChipState;
  slave: I8259ChipState;
}

/** The cascaded pair; implements the CPU's INTR/INTA interface. IRQ n is master IR n (n < 8) or slave IR n-8. */
export class DualI8259 implements InterruptController {
  readonly master = new I8259Chip('master');
  readonly slave = new I8259Chip('slave');

  /** Registers 0x20/0x21 and 0xA0/0xA1. */
  attach(io: IoBus): void {
    io.register(0x20, {
      read8: () => this.read(this.master, 0),
      write8: (_p, v) => this.master.writeCommand(v),
    });
    io.register(0x21, {
      read8: () => this.read(this.master, 1),
      write8: (_p, v) => this.master.writeData(v),
    });
    io.register(0xa0, {
      read8: () => this.read(this.slave, 0),
      write8: (_p, v) => this.slave.writeCommand(v),
    });
    io.register(0xa1, { read8: () => this.read(this.slave, 1), write8: (_p, v) => this.slave.writeData(v) });
  }

  private read(chip: I8259Chip, port: number): number {
    if (chip.poll) {
      chip.poll = false;
      return this.pollChip(chip);
    }
    return port === 0 ? chip.readCommand() : chip.imr;
  }

  /** Poll command: acts as an INTA for the chip, returns 0x80|level or 0 when nothing is pending. */
  private pollChip(chip: I8259Chip): number {
    const n = chip === this.master ? this.master.pending(this.cascadeIrr()) : chip.pending();
    if (n < 0) return 0;
    chip.acknowledgeLine(n);
    return 0x80 | n;
  }

  /** The slave's INT output seen on the master's cascade pin (IR2). */
  private cascadeIrr(): number {
    return this.slave.pending() >= 0 ? 1 << 2 : 0;
  }

  raiseIrq(irq: number): void {
    if (irq < 8) this.master.raise(irq);
    else this.slave.raise(irq - 8);
  }

  lowerIrq(irq: number): void {
    if (irq < 8) this.master.lower(irq);
    else this.slave.lower(irq - 8);
  }

  /** Sets IRQ `irq` to `level` (true = high). */
  setIrq(irq: number, level: boolean): void {
    if (level) this.raiseIrq(irq);
    else this.lowerIrq(irq);
  }

  intr(): boolean {
    return this.master.pending(this.cascadeIrr()) >= 0;
  }

  acknowledge(): number {
    const m = this.master;
    const n = m.pending(this.cascadeIrr());
    if (n < 0) return m.vectorBase | 7; // spurious IRQ 7: no ISR bit set
    m.acknowledgeLine(n);
    if (n === 2 && !m.single) {
      const s = this.slave.pending();
      if (s < 0) return this.slave.vectorBase | 7; // spurious IRQ 15 (master's IR2 stays in service)
      this.slave.acknowledgeLine(s);
      return this.slave.vectorBase | s;
    }
    return m.vectorBase | n;
  }

  /** Combined 16-bit registers, slave in the high byte. */
  get irr(): number {
    return this.master.irr | (this.slave.irr << 8);
  }
  get isr(): number {
    return this.master.isr | (this.slave.isr << 8);
  }
  get imr(): number {
    return this.master.imr | (this.slave.imr << 8);
  }

  reset(): void {
    for (const chip of [this.master, this.slave]) {
      chip.setState(new I8259Chip(chip.name).getState());
    }
  }

  getState(): I8259State {
    return { master: this.master.getState(), slave: this.slave.getState() };
  }

  setState(s: I8259State): void {
    this.master.setState(s.master);
    this.slave.setState(s.slave);
  }
}
