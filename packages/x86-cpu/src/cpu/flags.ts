// EFLAGS bits (Intel SDM vol. 1 §3.4.3) and the parity lookup used by the lazy-flags evaluator.

export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const ID = 1 << 21;

/** The six arithmetic status flags, the ones computed lazily. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Bit 1 always reads as 1. */
export const FIXED_ONE = 1 << 1;
/** Flags POPF-style writes can change (VM changes only through IRET, interrupts and task switches; RF stays clear). */
export const WRITABLE = ARITH | TF | IF | DF | OF | IOPL | NT | AC | ID;

/** PF for each low result byte: 1 when the byte has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let b = i; b; b >>= 1) bits += b & 1;
  PARITY[i] = bits & 1 ? 0 : PF;
}
