export const GATE_INTR = { type: 0xe, present: true } as const;
export const GATE_TRAP_T = { type: 0xf, present: true } as const;
