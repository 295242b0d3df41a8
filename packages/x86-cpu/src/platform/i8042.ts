// Intel 8042 keyboard controller at 0x60 (data) and 0x64 (status/command), with a PS/2 keyboard behind
// it and no mouse. Models what firmware and kernels use: the status register, the command byte
// (0x20/0x60), self tests (0xAA, 0xAB, 0xA9), interface enable/disable, the output port (0xD0/0xD1)
// whose bit 1 gates A20 and bit 0 resets the CPU, the pulse command 0xFE (CPU reset), and keyboard
// commands answered with 0xFA. Scan codes from the host are queued and raise IRQ 1.

import type { IoBus } from '../io.js';

export interface I8042State {
  commandByte: number;
  outputPort: number;
  queue: [number, boolean][];
  pendingCommand: number;
  pendingKbdCommand: number;
  lastWasCommand: boolean;
  kbdEnabled: boolean;
}

export interface I8042Options {
  /** Output port bit 1 changed (A20 gate). */
  setA20?: (enabled: boolean) => void;
  /** The controller pulsed the CPU reset line. */
  resetCpu?: () => void;
  setIrq1?: (level: boolean) => void;
  setIrq12?: (level: boolean) => void;
}

export class I8042 {
  /** Command byte: bit 0 keyboard IRQ, bit 1 aux IRQ, bit 2 system flag, bit 4/5 disable kbd/aux, bit 6 translate. */
  commandByte = 0x45;
  /** Output port: bit 0 reset (active low), bit 1 A20. */
  outputPort = 0x03;
  /** Bytes waiting for the host to read from 0x60, each flagged when it came from the aux device. */
  private queue: [number, boolean][] = [];
  private pendingCommand = 0;
  private pendingKbdCommand = 0;
  private lastWasCommand = false;
  private kbdEnabled = true;

  constructor(private readonly options: I8042Options = {}) {}

  attach(io: IoBus): void {
    io.register(0x60, { read8: () => this.readData(), write8: (_p, v) => this.writeData(v) });
    io.register(0x64, { read8: () => this.readStatus(), write8: (_p, v) => this.writeCommand(v) });
  }

  /** Host input: make/break scan codes from the keyboard. */
  sendScancodes(bytes: number[] | Uint8Array): void {
    for (const b of bytes) this.queue.push([b & 0xff, false]);
    this.updateIrq();
  }

  get a20(): boolean {
    return (this.outputPort & 0x02) !== 0;
  }

  readStatus(): number {
    const head = this.queue[0];
    return (
      (head ? 0x01 : 0) |
      (this.commandByte & 0x04) | // system flag
      (this.lastWasCommand ? 0x08 : 0) |
      0x10 | // keyboard not inhibited
      (head?.[1] ? 0x20 : 0)
    );
  }

  readData(): number {
    const head = this.queue.shift();
    this.updateIrq();
    return head ? head[0] : 0x00;
  }

  private reply(...bytes: number[]): void {
    for (const b of bytes) this.queue.push([b, false]);
    this.updateIrq();
  }

  private updateIrq(): void {
    const head = this.queue[0];
    this.options.setIrq1?.(!!head && !head[1] && (this.commandByte & 0x01) !== 0);
    this.options.setIrq12?.(!!head && head[1] && (this.commandByte & 0x02) !== 0);
  }

  private setOutputPort(v: number): void {
    const oldA20 = this.a20;
    this.outputPort = v | 0x01;
    if (this.a20 !== oldA20) this.options.setA20?.(this.a20);
    if (!(v & 0x01)) this.options.resetCpu?.();
  }

  writeCommand(v: number): void {
    this.lastWasCommand = true;
    this.pendingCommand = 0;
    switch (v) {
      case 0x20:
        this.reply(this.commandByte);
        return;
      case 0x60:
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xd4:
        this.pendingCommand = v;
        return;
      case 0xa7:
        this.commandByte |= 0x20;
        return;
      case 0xa8:
        this.commandByte &= ~0x20;
        return;
      case 0xa9: // aux interface test: no mouse attached still reads as "ok"
      case 0xab:
        this.reply(0x00);
        return;
      case 0xaa:
        this.commandByte |= 0x04;
        this.reply(0x55);
        return;
      case 0xad:
        this.commandByte |= 0x10;
        return;
      case 0xae:
        this.commandByte &= ~0x10;
        return;
      case 0xc0:
        this.reply(0xbf); // input port: keyboard not locked, 512K+ on board
        return;
      case 0xd0:
        this.reply(this.outputPort);
        return;
      case 0xdd:
        this.setOutputPort(this.outputPort & ~0x02);
        return;
      case 0xdf:
        this.setOutputPort(this.outputPort | 0x02);
        return;
      default:
        if (v >= 0xf0) {
          // Pulse output port bits whose command bit is 0 for 6 µs; bit 0 is the CPU reset line.
          if (!(v & 0x01)) this.options.resetCpu?.();
        }
    }
  }

  writeData(v: number): void {
    this.lastWasCommand = false;
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    switch (cmd) {
      case 0x60:
        this.commandByte = v;
        this.updateIrq();
        return;
      case 0xd1:
        this.setOutputPort(v);
        return;
      case 0xd2:
        this.reply(v);
        return;
      case 0xd3:
        this.queue.push([v, true]);
        this.updateIrq();
        return;
      case 0xd4:
        // No mouse is attached: the controller answers every byte for it with "resend" on the aux channel.
        this.queue.push([0xfe, true]);
        this.updateIrq();
        return;
    }
    this.keyboardCommand(v);
  }

  private keyboardCommand(v: number): void {
    const pending = this.pendingKbdCommand;
    this.pendingKbdCommand = 0;
    if (pending === 0xed || pending === 0xf3) {
      this.reply(0xfa);
      return;
    }
    if (pending === 0xf0) {
      if (v === 0) this.reply(0xfa, 0x02);
      else this.reply(0xfa);
      return;
    }
    switch (v) {
      case 0xff:
        this.kbdEnabled = true;
        this.reply(0xfa, 0xaa);
        return;
      case 0xf2:
        this.reply(0xfa, 0xab, 0x83);
        return;
      case 0xee:
        this.reply(0xee);
        return;
      case 0xed:
      case 0xf3:
      case 0xf0:
        this.pendingKbdCommand = v;
        this.reply(0xfa);
        return;
      case 0xf4:
        this.kbdEnabled = true;
        this.reply(0xfa);
        return;
      case 0xf5:
        this.kbdEnabled = false;
        this.reply(0xfa);
        return;
      default:
        this.reply(0xfa);
    }
  }

  reset(): void {
    this.setState({
      commandByte: 0x45,
      outputPort: 0x03,
      queue: [],
      pendingCommand: 0,
      pendingKbdCommand: 0,
      lastWasCommand: false,
      kbdEnabled: true,
    });
  }

  getState(): I8042State {
    return {
      commandByte: this.commandByte,
      outputPort: this.outputPort,
      queue: this.queue.map(([b, a]) => [b, a]),
      pendingCommand: this.pendingCommand,
      pendingKbdCommand: this.pendingKbdCommand,
      lastWasCommand: this.lastWasCommand,
      kbdEnabled: this.kbdEnabled,
    };
  }

  setState(s: I8042State): void {
    Object.assign(this, { ...s, queue: s.queue.map(([b, a]) => [b, a]) });
    this.updateIrq();
  }
}
