// Placeholder replaced by the table-driven disassembler.
export interface Disassembly {
  text: string;
  length: number;
}
export function disassemble(bytes: Uint8Array, offset: number, _options: { bits: 16 | 32 }): Disassembly {
  return { text: `db 0x${(bytes[offset] ?? 0).toString(16)}`, length: 1 };
}
