// System control port A at 0x92 (the PS/2 "fast A20" port): bit 1 gates A20, a 0→1 write to bit 0
// resets the CPU (the BIOS then finds the reset reason in CMOS 0x0F). Reads return the A20 bit.

import type { IoBus } from '../io.js';

export class Port92 {
  value = 0;

  constructor(
    private readonly setA20: (enabled: boolean) => void = () => {},
    private readonly resetCpu: () => void = () => {},
  ) {}

  attach(io: IoBus): void {
    io.register(0x92, { read8: () => this.value & 0x02, write8: (_p, v) => this.write(v) });
  }

  get a20(): boolean {
    return (this.value & 0x02) !== 0;
  }

  write(v: number): void {
    const old = this.value;
    this.value = v & 0x03;
    if ((old ^ v) & 0x02) this.setA20(this.a20);
    if (v & 0x01 && !(old & 0x01)) this.resetCpu();
    this.value &= 0x02; // the reset bit does not stay set
  }

  reset(): void {
    this.value = 0;
  }
}
