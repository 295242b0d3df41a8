export { FRAME_SHIFT, FRAME_SIZE, PhysicalMemory, PhysicalMemoryError } from './memory.js';
