// Test helper: the CPU package's PhysicalMemory. Imported from its source file directly so these
// tests do not depend on the rest of @k/x86-cpu being importable while it is under construction.
export { PhysicalMemory } from '../../x86-cpu/src/memory.js';
