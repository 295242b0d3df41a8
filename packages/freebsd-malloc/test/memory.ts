// Test helper: the CPU package's PhysicalMemory, imported from its source file as @k/page-alloc's
// tests do (this package depends on @k/page-alloc only).
export { PhysicalMemory } from '../../x86-cpu/src/memory.js';
