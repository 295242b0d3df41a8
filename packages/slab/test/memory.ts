// Test helper: the CPU package's PhysicalMemory, imported from its source file directly (as
// @k/page-alloc's tests do) so slab's tests need no build of @k/x86-cpu.
export { PhysicalMemory } from '../../x86-cpu/src/memory.js';
