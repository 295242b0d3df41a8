// Public API of the PC platform: devices, the PC machine, the ROM runner. (Filled in as it lands.)
export {};
