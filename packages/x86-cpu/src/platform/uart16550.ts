// National Semiconductor 16550A UART (COM1 at 0x3F8, IRQ 4) on a host byte stream. Registers per the
// PC16550D datasheet: RBR/THR, IER, IIR/FCR with 16-byte FIFOs and trigger levels, LCR (DLAB),
// MCR (OUT2 gates the IRQ line on a PC, LOOP), LSR, MSR and SCR. The line runs infinitely fast: a
// byte written to THR goes to the host at once (THR and the shift register are always empty again),
// and host input waits in an unbounded queue that refills the receive FIFO as the guest drains it.

import type { IoBus } from '../io.js';

const FIFO_SIZE = 16;
const TRIGGER = [1, 4, 8, 14];

// LSR bits
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;

export interface Uart16550State {
  ier: number;
  lcr: number;
  mcr: number;
  scr: number;
  dll: number;
  dlm: number;
  fcr: number;
  lsrErrors: number;
  msrDelta: number;
  lastMsr: number;
  rx: number[];
  hostQueue: number[];
  thrEmptyPending: boolean;
  rbrSingle: number;
}

export class Uart16550 {
  ier = 0;
  lcr = 0;
  mcr = 0;
  scr = 0;
  dll = 0x0c; // 9600 baud
  dlm = 0;
  /** FCR as written: bit 0 FIFO enable, bits 7..6 receive trigger level. */
  fcr = 0;
  private lsrErrors = 0;
  private msrDelta = 0;
  private lastMsr = 0;
  /** Receive FIFO (one entry in 16450 mode). */
  private rx: number[] = [];
  /** Host bytes not yet in the FIFO. */
  private hostQueue: number[] = [];
  /** THRE interrupt is pending (cleared by reading IIR while it is the source, or by writing THR). */
  private thrEmptyPending = false;
  private rbrSingle = 0;

  /**
   * @param base I/O base (0x3F8 for COM1)
   * @param transmit receives each byte the guest sends (not called in loopback mode)
   * @param setIrq drives the IRQ line (IRQ 4 for COM1)
   */
  constructor(
    readonly base: number,
    private readonly transmit: (byte: number) => void = () => {},
    private readonly setIrq: (level: boolean) => void = () => {},
  ) {
    this.lastMsr = this.modemInputs();
  }

  attach(io: IoBus): void {
    io.register(
      this.base,
      { read8: (p) => this.read(p - this.base), write8: (p, v) => this.write(p - this.base, v) },
      8,
    );
  }

  /** Host input: bytes the guest will read from RBR, in order. */
  receive(bytes: Uint8Array | number[] | string): void {
    if (typeof bytes === 'string') bytes = Array.from(new TextEncoder().encode(bytes));
    for (const b of bytes) this.hostQueue.push(b & 0xff);
    this.fill();
    this.updateIrq();
  }

  /** Bytes still waiting to be read by the guest (FIFO + host queue). */
  get pendingInput(): number {
    return this.rx.length + this.hostQueue.length;
  }

  private get fifoEnabled(): boolean {
    return (this.fcr & 1) !== 0;
  }

  private get loopback(): boolean {
    return (this.mcr & 0x10) !== 0;
  }

  private fill(): void {
    if (this.loopback) return; // the host line is disconnected in loopback
    const cap = this.fifoEnabled ? FIFO_SIZE : 1;
    while (this.rx.length < cap && this.hostQueue.length > 0) this.rx.push(this.hostQueue.shift()!);
  }

  private pushRx(byte: number): void {
    const cap = this.fifoEnabled ? FIFO_SIZE : 1;
    if (this.rx.length >= cap) {
      this.lsrErrors |= LSR_OE;
      if (!this.fifoEnabled) this.rx[0] = byte;
      return;
    }
    this.rx.push(byte);
  }

  /** MSR input bits 7..4 (DCD, RI, DSR, CTS): in loopback they mirror OUT2, OUT1, DTR, RTS. */
  private modemInputs(): number {
    if (this.loopback) {
      const m = this.mcr;
      return ((m & 0x08) << 4) | ((m & 0x04) << 4) | ((m & 0x01) << 5) | ((m & 0x02) << 3);
    }
    return 0xb0; // a host that is always there: DCD, DSR, CTS
  }

  private updateMsr(): void {
    const now = this.modemInputs();
    const changed = now ^ this.lastMsr;
    if (changed & 0x10) this.msrDelta |= 0x01; // DCTS
    if (changed & 0x20) this.msrDelta |= 0x02; // DDSR
    if (this.lastMsr & 0x40 && !(now & 0x40)) this.msrDelta |= 0x04; // TERI: trailing edge of RI
    if (changed & 0x80) this.msrDelta |= 0x08; // DDCD
    this.lastMsr = now;
  }

  /** IIR value for the highest-priority pending interrupt. */
  private interruptId(): number {
    const fifoBits = this.fifoEnabled ? 0xc0 : 0;
    if (this.ier & 0x04 && this.lsrErrors & (LSR_OE | 0x0e | LSR_BI)) return fifoBits | 0x06;
    if (this.ier & 0x01 && this.rx.length > 0) {
      if (!this.fifoEnabled || this.rx.length >= TRIGGER[this.fcr >> 6]) return fifoBits | 0x04;
      // Below the trigger level with no more data arriving: the character timeout fires.
      return fifoBits | 0x0c;
    }
    if (this.ier & 0x02 && this.thrEmptyPending) return fifoBits | 0x02;
    if (this.ier & 0x08 && this.msrDelta) return fifoBits | 0x00;
    return fifoBits | 0x01;
  }

  private updateIrq(): void {
    const pending = (this.interruptId() & 1) === 0;
    this.setIrq(pending && (this.mcr & 0x08) !== 0);
  }

  read(offset: number): number {
    let v = 0xff;
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) return this.dll;
        if (this.rx.length > 0) {
          v = this.rx.shift()!;
          this.rbrSingle = v;
          this.fill();
        } else {
          v = this.rbrSingle;
        }
        break;
      case 1:
        return dlab ? this.dlm : this.ier;
      case 2: {
        v = this.interruptId();
        if ((v & 0x0f) === 0x02) this.thrEmptyPending = false;
        break;
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5: {
        v = (this.rx.length > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT | this.lsrErrors;
        this.lsrErrors = 0;
        break;
      }
      case 6: {
        this.updateMsr();
        v = this.lastMsr | this.msrDelta;
        this.msrDelta = 0;
        break;
      }
      case 7:
        return this.scr;
    }
    this.updateIrq();
    return v;
  }

  write(offset: number, v: number): void {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) {
          this.dll = v;
          return;
        }
        if (this.loopback) this.pushRx(v);
        else this.transmit(v);
        // The byte leaves at once: THR is empty again.
        this.thrEmptyPending = true;
        break;
      case 1:
        if (dlab) {
          this.dlm = v;
          return;
        }
        // Enabling the THRE interrupt while THR is empty raises it immediately.
        if (v & 0x02 && !(this.ier & 0x02)) this.thrEmptyPending = true;
        this.ier = v & 0x0f;
        break;
      case 2: {
        const wasEnabled = this.fifoEnabled;
        // Changing the FIFO mode or resetting the receive FIFO clears it. Bytes that came from the host
        // stream go back to it rather than being lost (the host stream has no timing to miss them by).
        if ((v & 1) !== (this.fcr & 1) || v & 0x02) {
          if (!this.loopback) this.hostQueue.unshift(...this.rx);
          this.rx = [];
        }
        this.fcr = v & 0xc9;
        if (!wasEnabled || this.fifoEnabled) this.fill();
        break;
      }
      case 3:
        this.lcr = v;
        return;
      case 4:
        this.mcr = v & 0x1f;
        this.updateMsr();
        if (!this.loopback) this.fill();
        break;
      case 5:
      case 6:
        return; // factory test registers
      case 7:
        this.scr = v;
        return;
    }
    this.updateIrq();
  }

  /** Baud rate selected by the divisor latch (115200 / divisor). */
  get baud(): number {
    const d = (this.dlm << 8) | this.dll;
    return d === 0 ? 0 : Math.floor(115200 / d);
  }

  reset(): void {
    this.setState({
      ier: 0,
      lcr: 0,
      mcr: 0,
      scr: 0,
      dll: 0x0c,
      dlm: 0,
      fcr: 0,
      lsrErrors: 0,
      msrDelta: 0,
      lastMsr: 0xb0,
      rx: [],
      hostQueue: this.hostQueue,
      thrEmptyPending: false,
      rbrSingle: 0,
    });
    this.fill();
    this.updateIrq();
  }

  getState(): Uart16550State {
    return {
      ier: this.ier,
      lcr: this.lcr,
      mcr: this.mcr,
      scr: this.scr,
      dll: this.dll,
      dlm: this.dlm,
      fcr: this.fcr,
      lsrErrors: this.lsrErrors,
      msrDelta: this.msrDelta,
      lastMsr: this.lastMsr,
      rx: [...this.rx],
      hostQueue: [...this.hostQueue],
      thrEmptyPending: this.thrEmptyPending,
      rbrSingle: this.rbrSingle,
    };
  }

  setState(s: Uart16550State): void {
    Object.assign(this, { ...s, rx: [...s.rx], hostQueue: [...s.hostQueue] });
    this.updateIrq();
  }
}
