// The PC/AT machine: CPU, RAM, BIOS ROM (at the top of the first MiB and aliased below 4 GiB), and the
// chipset devices on their classic ports and IRQs. `run` interleaves CPU slices with device time so
// that timers fire at the right instruction, and turns a HLT with interrupts enabled into an idle wait
// for the next device interrupt. Time is virtual by default: 1 retired instruction = 1 ns (a nominal
// 1000 MIPS machine) plus any time skipped while halted, so every run is reproducible.

import { MemoryBus } from '../bus.js';
import { Cpu, type StopReason } from '../cpu/cpu.js';
import type { CpuState } from '../cpu/state.js';
import { IoBus } from '../io.js';
import { FRAME_SIZE, PhysicalMemory } from '../memory.js';
import { Ata, type AtaState } from './ata.js';
import { DebugPorts } from './debugPorts.js';
import { I8042, type I8042State } from './i8042.js';
import { I8254, type I8254State, PIT_HZ } from './i8254.js';
import { DualI8259, type I8259State } from './i8259.js';
import { Mc146818, type Mc146818State } from './mc146818.js';
import { Port92 } from './port92.js';
import { Uart16550, type Uart16550State } from './uart16550.js';

/** A bad argument to the PC API: the message names the field and the value. */
export class PcError extends RangeError {
  override name = 'PcError';
}

/** Nanoseconds of virtual time per retired instruction. */
export const NS_PER_INSTRUCTION = 1;
/** Virtual clocks start at this wall time (RTC reads 2026-01-01 00:00:00 UTC at power-on). */
export const VIRTUAL_EPOCH_SECONDS = Date.UTC(2026, 0, 1) / 1000;

const NS = 1_000_000_000;
const MIB = 1024 * 1024;

export interface PcOptions {
  /** RAM in bytes, 1 MiB .. 4 GiB, a multiple of 4 KiB. */
  ramSize: number;
  /** 64 or 128 KiB BIOS image: mapped to end at 0xFFFFF and at 0xFFFFFFFF. */
  rom?: Uint8Array;
  /** Raw hard-disk image (512-byte sectors) on the primary ATA channel; written in place. */
  disk?: Uint8Array;
  /** COM1 transmit. */
  serial?: (byte: number) => void;
  /** Bytes written to port 0xE9. */
  debugOut?: (byte: number) => void;
  /** Bytes written to the POST port 0x80. */
  onPost?: (code: number) => void;
  /** 'virtual' (default, deterministic) or 'wall' (device time follows the host clock). */
  clock?: 'virtual' | 'wall';
}

export interface RunResult {
  reason: StopReason;
  instructions: number;
}

/** Host callbacks are not part of a saved state; pass them again to `restoreState`. */
export type PcCallbacks = Pick<PcOptions, 'serial' | 'debugOut' | 'onPost'>;

export interface PcState {
  version: 1;
  ramSize: number;
  clock: 'virtual' | 'wall';
  /** Base64 of the ROM image, or null. */
  rom: string | null;
  /** Base64 of the disk image as it is now, or null. */
  disk: string | null;
  /** Non-zero RAM frames: [frame number, base64 of 4096 bytes]. */
  ram: [number, string][];
  cpu: CpuState;
  idleNs: number;
  a20: { kbc: boolean; port92: number };
  postCode: number;
  resetPending: boolean;
  pic: I8259State;
  pit: I8254State;
  uart: Uart16550State;
  cmos: Mc146818State;
  kbc: I8042State;
  ata: AtaState | null;
}

const toBase64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** PIT ticks at `ns` (exact integer arithmetic). */
export function nsToPitTicks(ns: number): number {
  const sec = Math.floor(ns / NS);
  return sec * PIT_HZ + Math.floor(((ns - sec * NS) * PIT_HZ) / NS);
}

/** First ns at which the PIT has reached `ticks`. */
export function pitTicksToNs(ticks: number): number {
  const sec = Math.floor(ticks / PIT_HZ);
  return sec * NS + Math.ceil(((ticks - sec * PIT_HZ) * NS) / PIT_HZ);
}

export class PC {
  readonly memory: PhysicalMemory;
  readonly bus: MemoryBus;
  readonly io = new IoBus();
  readonly pic = new DualI8259();
  readonly cpu: Cpu;
  readonly pit: I8254;
  readonly uart: Uart16550;
  readonly cmos: Mc146818;
  readonly kbc: I8042;
  readonly port92: Port92;
  readonly ata: Ata | null;
  readonly clock: 'virtual' | 'wall';
  readonly ramSize: number;
  readonly rom: Uint8Array | null;
  private readonly debugPorts: DebugPorts;
  /** Virtual ns skipped while the CPU idled in HLT. */
  private idleNs = 0;
  private readonly wallStart = performance.now();
  private resetPending = false;

  constructor(options: PcOptions) {
    const { ramSize } = options;
    if (
      !Number.isInteger(ramSize) ||
      ramSize < MIB ||
      ramSize > 0x1_0000_0000 ||
      ramSize % FRAME_SIZE !== 0
    ) {
      throw new PcError(`ramSize must be a multiple of 4096 between 1 MiB and 4 GiB, got ${ramSize}`);
    }
    const rom = options.rom;
    if (rom !== undefined && rom.length !== 0x10000 && rom.length !== 0x20000) {
      throw new PcError(`rom must be 65536 or 131072 bytes, got ${rom.length}`);
    }
    const clock = options.clock ?? 'virtual';
    if (clock !== 'virtual' && clock !== 'wall') {
      throw new PcError(`clock must be 'virtual' or 'wall', got ${String(clock)}`);
    }
    this.clock = clock;
    this.ramSize = ramSize;
    this.rom = rom ?? null;
    this.memory = new PhysicalMemory(ramSize);
    this.bus = new MemoryBus(this.memory);
    if (rom) {
      this.bus.mapRom(0x100000 - rom.length, rom);
      this.bus.mapRom(0x1_0000_0000 - rom.length, rom);
    }
    this.cpu = new Cpu(this.bus, this.io, this.pic);
    this.pic.attach(this.io);
    // The PC/AT routes the x87's FERR# (an unmasked exception with CR0.NE=0) to IRQ 13; a write to
    // port 0xF0 clears it (Linux: math_error_irq / the "fpu" irqaction of the i386 PC).
    this.cpu.fpu.onFerr = () => this.pic.setIrq(13, true);
    this.io.register(0xf0, { write8: () => this.pic.setIrq(13, false) });

    const now = () => this.now();
    this.pit = new I8254(
      () => nsToPitTicks(this.now()),
      (level) => this.pic.setIrq(0, level),
    );
    this.pit.attach(this.io);
    this.uart = new Uart16550(0x3f8, options.serial, (level) => this.pic.setIrq(4, level));
    this.uart.attach(this.io);
    this.cmos = new Mc146818({
      ramSize,
      now,
      startSeconds: clock === 'wall' ? Math.floor(Date.now() / 1000) : VIRTUAL_EPOCH_SECONDS,
      setIrq: (level) => this.pic.setIrq(8, level),
    });
    this.cmos.attach(this.io);
    this.kbc = new I8042({
      setA20: () => this.updateA20(),
      resetCpu: () => this.requestCpuReset(),
      setIrq1: (level) => this.pic.setIrq(1, level),
      setIrq12: (level) => this.pic.setIrq(12, level),
    });
    this.kbc.attach(this.io);
    this.port92 = new Port92(
      () => this.updateA20(),
      () => this.requestCpuReset(),
    );
    this.port92.attach(this.io);
    this.ata = options.disk ? new Ata(options.disk, (level) => this.pic.setIrq(14, level)) : null;
    this.ata?.attach(this.io);
    this.debugPorts = new DebugPorts(options.onPost, options.debugOut);
    this.debugPorts.attach(this.io);
    this.updateA20();
  }

  /** Last byte written to the POST port 0x80 (-1 before any). */
  get postCode(): number {
    return this.debugPorts.postCode;
  }

  /** Machine time in nanoseconds. */
  now(): number {
    if (this.clock === 'wall') return Math.floor((performance.now() - this.wallStart) * 1e6) + this.idleNs;
    return this.cpu.instructionCount * NS_PER_INSTRUCTION + this.idleNs;
  }

  private updateA20(): void {
    this.bus.a20Enabled = this.kbc.a20 || this.port92.a20;
  }

  /** A device pulsed the CPU's RESET line: finish the current instruction, then reset. */
  private requestCpuReset(): void {
    this.resetPending = true;
    this.cpu.requestStop();
  }

  /** Power-on reset of the whole machine (RAM keeps its contents, as a warm reset would). */
  reset(): void {
    this.resetPending = false;
    this.pic.reset();
    this.pit.reset();
    this.uart.reset();
    this.cmos.reset();
    this.kbc.reset();
    this.port92.reset();
    this.ata?.reset();
    this.updateA20();
    this.cpu.reset();
  }

  /** Brings device time up to now: timer outputs, RTC flags. */
  private updateDevices(now: number): void {
    this.pit.update(nsToPitTicks(now));
    this.cmos.poll(now);
  }

  /** Machine time of the next device event that could change an interrupt line, or Infinity. */
  private nextEventNs(now: number): number {
    const tick = this.pit.nextChange(0, nsToPitTicks(now));
    const pitNs = Number.isFinite(tick) ? pitTicksToNs(tick) : Number.POSITIVE_INFINITY;
    return Math.min(pitNs, this.cmos.nextEventNs());
  }

  /**
   * Runs up to `maxInstructions` instructions. Stops early at a HLT with IF=0 (or with nothing left
   * that could wake it), a triple fault (after which the CPU is reset, as the PC's shutdown logic
   * does), a breakpoint or `cpu.requestStop()`.
   */
  run(maxInstructions: number): RunResult {
    if (!Number.isInteger(maxInstructions) || maxInstructions < 0) {
      throw new PcError(`run: maxInstructions must be a non-negative integer, got ${maxInstructions}`);
    }
    const cpu = this.cpu;
    let done = 0;
    let idleSpins = 0;
    while (done < maxInstructions) {
      if (this.resetPending) {
        this.resetPending = false;
        cpu.reset();
      }
      let now = this.now();
      this.updateDevices(now);
      let slice = maxInstructions - done;
      if (this.clock === 'virtual') {
        const next = this.nextEventNs(now);
        if (next - now < slice * NS_PER_INSTRUCTION)
          slice = Math.max(1, Math.ceil((next - now) / NS_PER_INSTRUCTION));
      } else {
        slice = Math.min(slice, 100_000);
      }
      const n = cpu.run(slice);
      done += n;
      if (n > 0) idleSpins = 0;
      const reason = cpu.stopReason;
      if (this.resetPending) {
        this.resetPending = false;
        cpu.reset();
        if (reason === 'stop') continue;
      }
      if (reason === 'triple-fault') {
        cpu.reset();
        return { reason, instructions: done };
      }
      if (reason === 'breakpoint') return { reason, instructions: done };
      if (reason === 'stop') return { reason, instructions: done };
      if (reason === 'hlt') {
        if (!(cpu.eflags & 0x200)) return { reason, instructions: done };
        // Idle until the next device event: skip virtual time, or sleep in wall-clock mode.
        now = this.now();
        this.updateDevices(now);
        if (this.pic.intr()) continue;
        const next = this.nextEventNs(now);
        if (!Number.isFinite(next) || ++idleSpins > (this.clock === 'virtual' ? 100_000 : 10_000_000)) {
          return { reason, instructions: done };
        }
        const wait = Math.max(1, next - now);
        if (this.clock === 'virtual') this.idleNs += wait;
        else sleepNs(wait);
      }
    }
    return { reason: 'limit', instructions: done };
  }

  /** The whole machine as JSON-serialisable data. */
  saveState(): PcState {
    const ram: [number, string][] = [];
    const frames = this.ramSize / FRAME_SIZE;
    for (let i = 0; i < frames; i++) {
      const f = this.memory.frameForRead(i * FRAME_SIZE);
      const words = new Int32Array(f.buffer, f.byteOffset, FRAME_SIZE / 4);
      let nonZero = false;
      for (let w = 0; w < words.length; w++) {
        if (words[w] !== 0) {
          nonZero = true;
          break;
        }
      }
      if (nonZero) ram.push([i, toBase64(f)]);
    }
    return {
      version: 1,
      ramSize: this.ramSize,
      clock: this.clock,
      rom: this.rom ? toBase64(this.rom) : null,
      disk: this.ata ? toBase64(this.ata.disk) : null,
      ram,
      cpu: this.cpu.getState(),
      idleNs: this.idleNs,
      a20: { kbc: this.kbc.a20, port92: this.port92.value },
      postCode: this.debugPorts.postCode,
      resetPending: this.resetPending,
      pic: this.pic.getState(),
      pit: this.pit.getState(),
      uart: this.uart.getState(),
      cmos: this.cmos.getState(),
      kbc: this.kbc.getState(),
      ata: this.ata ? this.ata.getState() : null,
    };
  }

  /** Builds a machine from `saveState()` output; it continues exactly where the saved one was. */
  static restoreState(state: PcState, callbacks: PcCallbacks = {}): PC {
    if (state?.version !== 1) {
      throw new PcError(`restoreState: state.version must be 1, got ${state?.version}`);
    }
    const pc = new PC({
      ramSize: state.ramSize,
      clock: state.clock,
      rom: state.rom ? fromBase64(state.rom) : undefined,
      disk: state.disk ? fromBase64(state.disk) : undefined,
      ...callbacks,
    });
    for (const [frame, data] of state.ram) pc.memory.writeBytes(frame * FRAME_SIZE, fromBase64(data));
    pc.idleNs = state.idleNs;
    pc.pic.setState(state.pic);
    pc.pit.setState(state.pit);
    pc.uart.setState(state.uart);
    pc.cmos.setState(state.cmos);
    pc.kbc.setState(state.kbc);
    pc.port92.value = state.a20.port92;
    if (pc.ata && state.ata) pc.ata.setState(state.ata);
    pc.debugPorts.postCode = state.postCode;
    pc.resetPending = state.resetPending;
    pc.updateA20();
    pc.cpu.setState(state.cpu);
    return pc;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread (wall-clock idle); waits of under a millisecond return at once. */
function sleepNs(ns: number): void {
  const ms = Math.min(ns / 1e6, 50);
  if (ms >= 1) Atomics.wait(sleepCell, 0, 0, ms);
}
