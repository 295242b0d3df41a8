// Public API of the CPU: see ../../README.md. (Owned by the CPU work; filled in as it lands.)
export {};
