export * from './cpu/index.js';
export { type InterruptController, noInterrupts } from './interrupts.js';
export { IoBus, type PortHandlers, type PortRead, type PortWrite } from './io.js';
export { FRAME_SHIFT, FRAME_SIZE, PhysicalMemory, PhysicalMemoryError } from './memory.js';
export * from './platform/index.js';
