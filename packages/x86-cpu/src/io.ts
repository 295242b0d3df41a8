// The PC's I/O port space (64 Ki ports): devices register handlers per port; the CPU's IN/OUT/INS/OUTS
// go through here. An unmapped port reads all ones and ignores writes, as on the ISA bus. 16- and
// 32-bit accesses go to a device's wide handler when it has one, otherwise they are split into
// byte accesses at port, port+1, ... (what the ISA bus does for an 8-bit device).

export type PortRead = (port: number) => number;
export type PortWrite = (port: number, value: number) => void;

export interface PortHandlers {
  read8?: PortRead;
  write8?: PortWrite;
  read16?: PortRead;
  write16?: PortWrite;
  read32?: PortRead;
  write32?: PortWrite;
}

const PORTS = 0x10000;
const unmappedRead: PortRead = () => 0xff;
const unmappedWrite: PortWrite = () => {};

export class IoBus {
  private readonly read8Table: PortRead[] = new Array(PORTS).fill(unmappedRead);
  private readonly write8Table: PortWrite[] = new Array(PORTS).fill(unmappedWrite);
  private readonly read16Table: (PortRead | undefined)[] = new Array(PORTS).fill(undefined);
  private readonly write16Table: (PortWrite | undefined)[] = new Array(PORTS).fill(undefined);
  private readonly read32Table: (PortRead | undefined)[] = new Array(PORTS).fill(undefined);
  private readonly write32Table: (PortWrite | undefined)[] = new Array(PORTS).fill(undefined);

  /** Claims `count` consecutive ports starting at `port` for one device. */
  register(port: number, handlers: PortHandlers, count = 1): void {
    if (!Number.isInteger(port) || port < 0 || port + count > PORTS || count < 1) {
      throw new RangeError(`IoBus.register: port range 0x${port.toString(16)}+${count} is outside 0..0xffff`);
    }
    for (let p = port; p < port + count; p++) {
      if (handlers.read8) this.read8Table[p] = handlers.read8;
      if (handlers.write8) this.write8Table[p] = handlers.write8;
      if (handlers.read16) this.read16Table[p] = handlers.read16;
      if (handlers.write16) this.write16Table[p] = handlers.write16;
      if (handlers.read32) this.read32Table[p] = handlers.read32;
      if (handlers.write32) this.write32Table[p] = handlers.write32;
    }
  }

  /** Releases ports back to the unmapped state. */
  unregister(port: number, count = 1): void {
    for (let p = port; p < port + count; p++) {
      this.read8Table[p] = unmappedRead;
      this.write8Table[p] = unmappedWrite;
      this.read16Table[p] = undefined;
      this.write16Table[p] = undefined;
      this.read32Table[p] = undefined;
      this.write32Table[p] = undefined;
    }
  }

  in8(port: number): number {
    port &= 0xffff;
    return this.read8Table[port](port) & 0xff;
  }

  in16(port: number): number {
    port &= 0xffff;
    const wide = this.read16Table[port];
    if (wide) return wide(port) & 0xffff;
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  in32(port: number): number {
    port &= 0xffff;
    const wide = this.read32Table[port];
    if (wide) return wide(port) >>> 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
  }

  out8(port: number, value: number): void {
    port &= 0xffff;
    this.write8Table[port](port, value & 0xff);
  }

  out16(port: number, value: number): void {
    port &= 0xffff;
    const wide = this.write16Table[port];
    if (wide) {
      wide(port, value & 0xffff);
      return;
    }
    this.out8(port, value);
    this.out8(port + 1, value >>> 8);
  }

  out32(port: number, value: number): void {
    port &= 0xffff;
    const wide = this.write32Table[port];
    if (wide) {
      wide(port, value >>> 0);
      return;
    }
    this.out16(port, value);
    this.out16(port + 2, value >>> 16);
  }
}
