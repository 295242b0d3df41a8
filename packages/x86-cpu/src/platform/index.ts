// Public API of the PC platform: devices, the PC machine, the ROM runner.
export { Ata, AtaError, type AtaState, SECTOR_SIZE } from './ata.js';
export { DebugPorts } from './debugPorts.js';
export { I8042, type I8042Options, type I8042State } from './i8042.js';
export { I8254, type I8254State, PIT_HZ } from './i8254.js';
export { DualI8259, I8259Chip, type I8259ChipState, type I8259State } from './i8259.js';
export { fillCmosConfig, Mc146818, type Mc146818Options, type Mc146818State } from './mc146818.js';
export {
  NS_PER_INSTRUCTION,
  nsToPitTicks,
  PC,
  type PcCallbacks,
  PcError,
  type PcOptions,
  type PcState,
  pitTicksToNs,
  type RunResult,
  VIRTUAL_EPOCH_SECONDS,
} from './pc.js';
export { Port92 } from './port92.js';
export { describeRomResult, type RomResult, type RunRomOptions, runRom, traceLine } from './romRunner.js';
export { Uart16550, type Uart16550State } from './uart16550.js';
