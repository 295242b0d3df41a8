// One ATA hard disk on the primary IDE channel (command block 0x1F0–0x1F7, control block 0x3F6, IRQ 14),
// PIO only. Implements the ATA/ATAPI-6 register protocol for IDENTIFY DEVICE, READ/WRITE SECTORS,
// READ/WRITE SECTORS EXT (LBA48 through the two-deep "HOB" registers), READ/WRITE MULTIPLE, CHS and
// LBA28 addressing, SET MULTIPLE MODE, INITIALIZE DEVICE PARAMETERS, SET FEATURES, FLUSH CACHE,
// verify/seek/recalibrate, power-mode commands, software reset (SRST) and nIEN. Commands complete
// instantly (BSY is never seen). Writes go to the image in place. The slave position is empty.

import type { IoBus } from '../io.js';

export const SECTOR_SIZE = 512;

// Status bits
const ERR = 0x01;
const DRQ = 0x08;
const DSC = 0x10;
const DRDY = 0x40;
// Error bits
const ABRT = 0x04;
const IDNF = 0x10;

export class AtaError extends RangeError {
  override name = 'AtaError';
}

export interface AtaState {
  regs: number[]; // features, count, lbaLow, lbaMid, lbaHigh (current) then the previous (HOB) values
  device: number;
  status: number;
  error: number;
  control: number;
  buffer: number[];
  bufferPos: number;
  bufferLen: number;
  transfer: 'none' | 'read' | 'write';
  lba: number;
  remaining: number;
  multiple: number;
  blockSectors: number;
  heads: number;
  sectorsPerTrack: number;
  irq: boolean;
  ext: boolean;
}

export class Ata {
  readonly sectors: number;
  readonly cylinders: number;
  private heads = 16;
  private sectorsPerTrack = 63;
  // Task-file registers: index 0 features, 1 sector count, 2 LBA low, 3 mid, 4 high; +5 the HOB copies.
  private regs = new Array<number>(10).fill(0);
  private device = 0xa0;
  private status = DRDY | DSC;
  private error = 0x01;
  private control = 0;
  private readonly buffer = new Uint8Array(SECTOR_SIZE * 128);
  private bufferPos = 0;
  private bufferLen = 0;
  private transfer: 'none' | 'read' | 'write' = 'none';
  private lba = 0;
  private remaining = 0;
  private multiple = 16;
  private blockSectors = 1;
  private irq = false;

  /**
   * @param disk raw image, a whole number of 512-byte sectors; modified in place by writes
   * @param setIrq drives IRQ 14
   */
  constructor(
    readonly disk: Uint8Array,
    private readonly setIrq: (level: boolean) => void = () => {},
  ) {
    if (disk.length === 0 || disk.length % SECTOR_SIZE !== 0) {
      throw new AtaError(`disk length must be a non-zero multiple of 512 bytes, got ${disk.length}`);
    }
    this.sectors = disk.length / SECTOR_SIZE;
    this.cylinders = Math.max(1, Math.min(16383, Math.floor(this.sectors / (16 * 63))));
    this.softReset();
  }

  attach(io: IoBus): void {
    io.register(0x1f0, {
      read8: () => this.readData(1),
      read16: () => this.readData(2),
      read32: () => this.readData(4),
      write8: (_p, v) => this.writeData(v, 1),
      write16: (_p, v) => this.writeData(v, 2),
      write32: (_p, v) => this.writeData(v, 4),
    });
    io.register(
      0x1f1,
      { read8: (p) => this.readRegister(p - 0x1f0), write8: (p, v) => this.writeRegister(p - 0x1f0, v) },
      7,
    );
    io.register(0x3f6, { read8: () => this.altStatus(), write8: (_p, v) => this.writeControl(v) });
  }

  /** Whether the slave position (empty) is selected. */
  private get slaveSelected(): boolean {
    return (this.device & 0x10) !== 0;
  }

  private raise(): void {
    this.irq = true;
    if (!(this.control & 0x02)) this.setIrq(true);
  }

  private clearIrq(): void {
    this.irq = false;
    this.setIrq(false);
  }

  altStatus(): number {
    return this.slaveSelected ? 0 : this.status;
  }

  readRegister(r: number): number {
    const hob = (this.control & 0x80) !== 0;
    switch (r) {
      case 1:
        return this.slaveSelected ? 0 : this.error;
      case 2:
      case 3:
      case 4:
      case 5:
        return this.regs[r - 1 + (hob ? 5 : 0)];
      case 6:
        return this.device;
      case 7:
        if (this.slaveSelected) return 0;
        this.clearIrq();
        return this.status;
      default:
        return 0xff;
    }
  }

  writeRegister(r: number, v: number): void {
    this.control &= ~0x80; // any task-file write clears HOB
    switch (r) {
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
        this.regs[r - 1 + 5] = this.regs[r - 1];
        this.regs[r - 1] = v;
        return;
      case 6:
        this.device = v | 0xa0;
        return;
      case 7:
        if (this.slaveSelected) return;
        this.command(v);
    }
  }

  writeControl(v: number): void {
    const srst = (v & 0x04) !== 0;
    if (srst && !(this.control & 0x04)) this.softReset();
    this.control = v;
    if (this.irq && !(v & 0x02)) this.setIrq(true);
    else if (v & 0x02) this.setIrq(false);
  }

  private softReset(): void {
    // Device signature for an ATA (non-packet) device.
    this.regs.fill(0);
    this.regs[1] = 1;
    this.regs[2] = 1;
    this.device = 0xa0;
    this.error = 0x01; // diagnostic: device 0 passed
    this.status = DRDY | DSC;
    this.transfer = 'none';
    this.bufferLen = this.bufferPos = 0;
    this.heads = 16;
    this.sectorsPerTrack = 63;
  }

  private fail(err: number): void {
    this.error = err;
    this.status = DRDY | DSC | ERR;
    this.transfer = 'none';
    this.raise();
  }

  /** Starting sector of the command in the task file, or -1 when the CHS address is invalid. */
  private address(ext: boolean): number {
    const r = this.regs;
    if (ext)
      return (
        r[2] + r[3] * 0x100 + r[4] * 0x10000 + r[7] * 0x1000000 + r[8] * 0x100000000 + r[9] * 0x10000000000
      );
    if (this.device & 0x40) return r[2] | (r[3] << 8) | (r[4] << 16) | ((this.device & 0x0f) << 24);
    const cyl = r[3] | (r[4] << 8);
    const head = this.device & 0x0f;
    const sector = r[2];
    if (sector === 0 || sector > this.sectorsPerTrack || head >= this.heads) return -1;
    return (cyl * this.heads + head) * this.sectorsPerTrack + sector - 1;
  }

  private count(ext: boolean): number {
    if (ext) {
      const n = this.regs[1] | (this.regs[6] << 8);
      return n === 0 ? 65536 : n;
    }
    return this.regs[1] === 0 ? 256 : this.regs[1];
  }

  /** Writes the address after the last sector transferred back into the task file (as the drive does). */
  private storeAddress(lba: number, ext: boolean): void {
    const r = this.regs;
    if (ext) {
      r[2] = lba & 0xff;
      r[3] = Math.floor(lba / 0x100) & 0xff;
      r[4] = Math.floor(lba / 0x10000) & 0xff;
      r[7] = Math.floor(lba / 0x1000000) & 0xff;
      r[8] = Math.floor(lba / 0x100000000) & 0xff;
      r[9] = Math.floor(lba / 0x10000000000) & 0xff;
    } else if (this.device & 0x40) {
      r[2] = lba & 0xff;
      r[3] = (lba >> 8) & 0xff;
      r[4] = (lba >> 16) & 0xff;
      this.device = (this.device & 0xf0) | ((lba >> 24) & 0x0f);
    } else {
      const s = (lba % this.sectorsPerTrack) + 1;
      const t = Math.floor(lba / this.sectorsPerTrack);
      r[2] = s;
      this.device = (this.device & 0xf0) | (t % this.heads);
      const c = Math.floor(t / this.heads);
      r[3] = c & 0xff;
      r[4] = (c >> 8) & 0xff;
    }
  }

  private ext = false;

  command(cmd: number): void {
    this.clearIrq();
    this.error = 0;
    switch (cmd) {
      case 0xec:
        this.identify();
        return;
      case 0x20:
      case 0x21:
      case 0x24:
      case 0xc4:
      case 0x29:
        this.startTransfer('read', cmd === 0x24 || cmd === 0x29, cmd === 0xc4 || cmd === 0x29);
        return;
      case 0x30:
      case 0x31:
      case 0x34:
      case 0xc5:
      case 0x39:
        this.startTransfer('write', cmd === 0x34 || cmd === 0x39, cmd === 0xc5 || cmd === 0x39);
        return;
      case 0x40:
      case 0x41:
      case 0x42: {
        // READ VERIFY: check the range, transfer nothing.
        const ext = cmd === 0x42;
        const lba = this.address(ext);
        const n = this.count(ext);
        if (lba < 0 || lba + n > this.sectors) {
          this.fail(IDNF);
          return;
        }
        this.storeAddress(lba + n - 1, ext);
        this.done();
        return;
      }
      case 0x91:
        this.heads = (this.device & 0x0f) + 1;
        this.sectorsPerTrack = this.regs[1] || 1;
        this.done();
        return;
      case 0xc6: {
        const n = this.regs[1];
        if (n === 0 || n > 128 || n & (n - 1)) {
          this.fail(ABRT);
          return;
        }
        this.multiple = n;
        this.done();
        return;
      }
      case 0xe5: // CHECK POWER MODE: active
        this.regs[1] = 0xff;
        this.done();
        return;
      case 0x10:
      case 0x70:
      case 0xe0:
      case 0xe1:
      case 0xe2:
      case 0xe3:
      case 0xe7:
      case 0xea:
      case 0xef:
      case 0x90: // EXECUTE DEVICE DIAGNOSTIC
        if (cmd === 0x90) {
          this.softReset();
          this.raise();
          return;
        }
        this.done();
        return;
      default:
        this.fail(ABRT);
    }
  }

  private done(): void {
    this.status = DRDY | DSC;
    this.raise();
  }

  private identify(): void {
    const w = new Uint16Array(256);
    const str = (first: number, words: number, s: string) => {
      const padded = s.padEnd(words * 2, ' ');
      for (let i = 0; i < words; i++)
        w[first + i] = (padded.charCodeAt(2 * i) << 8) | padded.charCodeAt(2 * i + 1);
    };
    const lba28 = Math.min(this.sectors, 0x0fffffff);
    w[0] = 0x0040; // fixed disk
    w[1] = this.cylinders;
    w[3] = 16;
    w[6] = 63;
    str(10, 10, 'K0000000000000000001');
    str(23, 4, '1.0');
    str(27, 20, 'k emulated ATA disk');
    w[47] = 0x8000 | 128; // READ/WRITE MULTIPLE up to 128 sectors
    w[49] = 0x0200; // LBA supported
    w[50] = 0x4000;
    w[51] = 0x0200; // PIO mode 2 timing
    w[53] = 0x0007; // words 54–58, 64–70 and 88 are valid
    w[54] = this.cylinders;
    w[55] = 16;
    w[56] = 63;
    const chs = this.cylinders * 16 * 63;
    w[57] = chs & 0xffff;
    w[58] = chs >>> 16;
    w[59] = 0x0100 | this.multiple;
    w[60] = lba28 & 0xffff;
    w[61] = lba28 >>> 16;
    w[64] = 0x0003; // PIO modes 3 and 4
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x007e; // ATA-1 .. ATA-6
    w[82] = 0x4000;
    w[83] = 0x4400 | 0x1000 | 0x2000; // LBA48, FLUSH CACHE EXT, FLUSH CACHE
    w[84] = 0x4000;
    w[85] = 0x4000;
    w[86] = 0x0400 | 0x1000 | 0x2000;
    w[87] = 0x4000;
    w[100] = this.sectors & 0xffff;
    w[101] = Math.floor(this.sectors / 0x10000) & 0xffff;
    w[102] = Math.floor(this.sectors / 0x100000000) & 0xffff;
    for (let i = 0; i < 256; i++) {
      this.buffer[2 * i] = w[i] & 0xff;
      this.buffer[2 * i + 1] = w[i] >> 8;
    }
    this.bufferPos = 0;
    this.bufferLen = SECTOR_SIZE;
    this.transfer = 'read';
    this.remaining = 0;
    this.status = DRDY | DSC | DRQ;
    this.raise();
  }

  private startTransfer(dir: 'read' | 'write', ext: boolean, multiple: boolean): void {
    const lba = this.address(ext);
    const n = this.count(ext);
    if (lba < 0 || lba >= this.sectors) {
      this.fail(IDNF);
      return;
    }
    this.ext = ext;
    this.lba = lba;
    this.remaining = n;
    this.blockSectors = multiple ? this.multiple : 1;
    this.transfer = dir;
    if (dir === 'read') {
      this.loadBlock();
    } else {
      this.bufferPos = 0;
      this.bufferLen = Math.min(this.blockSectors, this.remaining) * SECTOR_SIZE;
      this.status = DRDY | DSC | DRQ; // no interrupt before the first write block
    }
  }

  /** Loads the next block of a read into the buffer and signals DRQ, or fails past the end of the disk. */
  private loadBlock(): void {
    const n = Math.min(this.blockSectors, this.remaining);
    if (this.lba + n > this.sectors) {
      this.storeAddress(this.lba, this.ext);
      this.fail(IDNF);
      return;
    }
    this.buffer.set(this.disk.subarray(this.lba * SECTOR_SIZE, (this.lba + n) * SECTOR_SIZE));
    this.bufferPos = 0;
    this.bufferLen = n * SECTOR_SIZE;
    this.status = DRDY | DSC | DRQ;
    this.raise();
  }

  readData(size: number): number {
    if (this.transfer !== 'read' || this.slaveSelected)
      return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.buffer[this.bufferPos + i] << (8 * i);
    this.bufferPos += size;
    if (this.bufferPos >= this.bufferLen) this.blockRead();
    return v >>> 0;
  }

  private blockRead(): void {
    if (this.remaining === 0) {
      // IDENTIFY data done
      this.transfer = 'none';
      this.status = DRDY | DSC;
      return;
    }
    const n = this.bufferLen / SECTOR_SIZE;
    this.lba += n;
    this.remaining -= n;
    this.storeAddress(this.lba - 1, this.ext);
    if (this.remaining === 0) {
      this.transfer = 'none';
      this.status = DRDY | DSC;
      return;
    }
    this.loadBlock();
  }

  writeData(v: number, size: number): void {
    if (this.transfer !== 'write' || this.slaveSelected) return;
    for (let i = 0; i < size; i++) this.buffer[this.bufferPos + i] = (v >>> (8 * i)) & 0xff;
    this.bufferPos += size;
    if (this.bufferPos < this.bufferLen) return;
    const n = this.bufferLen / SECTOR_SIZE;
    if (this.lba + n > this.sectors) {
      this.storeAddress(this.lba, this.ext);
      this.fail(IDNF);
      return;
    }
    this.disk.set(this.buffer.subarray(0, this.bufferLen), this.lba * SECTOR_SIZE);
    this.lba += n;
    this.remaining -= n;
    this.storeAddress(this.lba - 1, this.ext);
    if (this.remaining === 0) {
      this.transfer = 'none';
      this.status = DRDY | DSC;
    } else {
      this.bufferPos = 0;
      this.bufferLen = Math.min(this.blockSectors, this.remaining) * SECTOR_SIZE;
      this.status = DRDY | DSC | DRQ;
    }
    this.raise();
  }

  reset(): void {
    this.control = 0;
    this.clearIrq();
    this.softReset();
  }

  getState(): AtaState {
    return {
      regs: [...this.regs],
      device: this.device,
      status: this.status,
      error: this.error,
      control: this.control,
      buffer: Array.from(this.buffer.subarray(0, this.bufferLen)),
      bufferPos: this.bufferPos,
      bufferLen: this.bufferLen,
      transfer: this.transfer,
      lba: this.lba,
      remaining: this.remaining,
      multiple: this.multiple,
      blockSectors: this.blockSectors,
      heads: this.heads,
      sectorsPerTrack: this.sectorsPerTrack,
      irq: this.irq,
      ext: this.ext,
    };
  }

  setState(s: AtaState): void {
    this.regs = [...s.regs];
    this.device = s.device;
    this.status = s.status;
    this.error = s.error;
    this.control = s.control;
    this.buffer.fill(0);
    this.buffer.set(s.buffer);
    this.bufferPos = s.bufferPos;
    this.bufferLen = s.bufferLen;
    this.transfer = s.transfer;
    this.lba = s.lba;
    this.remaining = s.remaining;
    this.multiple = s.multiple;
    this.blockSectors = s.blockSectors;
    this.heads = s.heads;
    this.sectorsPerTrack = s.sectorsPerTrack;
    this.irq = s.irq;
    this.ext = s.ext;
    this.setIrq(this.irq && !(this.control & 0x02));
  }
}
