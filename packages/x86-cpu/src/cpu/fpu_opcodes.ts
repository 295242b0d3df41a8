// The x87 opcode table (Intel SDM vol. 2 appendix A.4, tables ): the ESC opcodes D8-DF
// by ModR/M reg field for memory operands, and by reg field (or the whole ModR/M byte) for register
// operands. The disassembler prints from it; fpu_instructions.ts executes the same encodings and
// raises #UD where an entry is null.

/** Memory forms [opcode - 0xD8][reg]: mnemonic and operand size keyword (none for env/state). */
export const X87_MEMORY: readonly (readonly (string | null)[])[] = [
  [
    'fadd dword',
    'fmul dword',
    'fcom dword',
    'fcomp dword',
    'fsub dword',
    'fsubr dword',
    'fdiv dword',
    'fdivr dword',
  ],
  ['fld dword', null, 'fst dword', 'fstp dword', 'fldenv', 'fldcw', 'fnstenv', 'fnstcw'],
  [
    'fiadd dword',
    'fimul dword',
    'ficom dword',
    'ficomp dword',
    'fisub dword',
    'fisubr dword',
    'fidiv dword',
    'fidivr dword',
  ],
  ['fild dword', null, 'fist dword', 'fistp dword', null, 'fld tword', null, 'fstp tword'],
  [
    'fadd qword',
    'fmul qword',
    'fcom qword',
    'fcomp qword',
    'fsub qword',
    'fsubr qword',
    'fdiv qword',
    'fdivr qword',
  ],
  ['fld qword', null, 'fst qword', 'fstp qword', 'frstor', null, 'fnsave', 'fnstsw'],
  [
    'fiadd word',
    'fimul word',
    'ficom word',
    'ficomp word',
    'fisub word',
    'fisubr word',
    'fidiv word',
    'fidivr word',
  ],
  ['fild word', null, 'fist word', 'fistp word', 'fbld tword', 'fild qword', 'fbstp tword', 'fistp qword'],
];

/**
 * Register forms [opcode - 0xD8][reg]: "sti" is ST(rm); "*" means the whole ModR/M byte selects
 * the instruction (X87_SPECIAL).
 */
export const X87_REGISTER: readonly (readonly (string | null)[])[] = [
  [
    'fadd st0,sti',
    'fmul st0,sti',
    'fcom sti',
    'fcomp sti',
    'fsub st0,sti',
    'fsubr st0,sti',
    'fdiv st0,sti',
    'fdivr st0,sti',
  ],
  ['fld sti', 'fxch sti', '*', 'fstp sti', '*', '*', '*', '*'],
  ['fcmovb st0,sti', 'fcmove st0,sti', 'fcmovbe st0,sti', 'fcmovu st0,sti', null, '*', null, null],
  [
    'fcmovnb st0,sti',
    'fcmovne st0,sti',
    'fcmovnbe st0,sti',
    'fcmovnu st0,sti',
    '*',
    'fucomi st0,sti',
    'fcomi st0,sti',
    null,
  ],
  [
    'fadd sti,st0',
    'fmul sti,st0',
    'fcom sti',
    'fcomp sti',
    'fsubr sti,st0',
    'fsub sti,st0',
    'fdivr sti,st0',
    'fdiv sti,st0',
  ],
  ['ffree sti', 'fxch sti', 'fst sti', 'fstp sti', 'fucom sti', 'fucomp sti', null, null],
  [
    'faddp sti,st0',
    'fmulp sti,st0',
    'fcomp sti',
    '*',
    'fsubrp sti,st0',
    'fsubp sti,st0',
    'fdivrp sti,st0',
    'fdivp sti,st0',
  ],
  ['ffreep sti', 'fxch sti', 'fstp sti', 'fstp sti', '*', 'fucomip st0,sti', 'fcomip st0,sti', null],
];

/** Register forms named by opcode and the whole ModR/M byte (key: opcode << 8 | modrm). */
export const X87_SPECIAL: ReadonlyMap<number, string> = new Map([
  [0xd9d0, 'fnop'],
  [0xd9e0, 'fchs'],
  [0xd9e1, 'fabs'],
  [0xd9e4, 'ftst'],
  [0xd9e5, 'fxam'],
  [0xd9e8, 'fld1'],
  [0xd9e9, 'fldl2t'],
  [0xd9ea, 'fldl2e'],
  [0xd9eb, 'fldpi'],
  [0xd9ec, 'fldlg2'],
  [0xd9ed, 'fldln2'],
  [0xd9ee, 'fldz'],
  [0xd9f0, 'f2xm1'],
  [0xd9f1, 'fyl2x'],
  [0xd9f2, 'fptan'],
  [0xd9f3, 'fpatan'],
  [0xd9f4, 'fxtract'],
  [0xd9f5, 'fprem1'],
  [0xd9f6, 'fdecstp'],
  [0xd9f7, 'fincstp'],
  [0xd9f8, 'fprem'],
  [0xd9f9, 'fyl2xp1'],
  [0xd9fa, 'fsqrt'],
  [0xd9fb, 'fsincos'],
  [0xd9fc, 'frndint'],
  [0xd9fd, 'fscale'],
  [0xd9fe, 'fsin'],
  [0xd9ff, 'fcos'],
  [0xdae9, 'fucompp'],
  [0xdbe0, 'fneni'],
  [0xdbe1, 'fndisi'],
  [0xdbe2, 'fnclex'],
  [0xdbe3, 'fninit'],
  [0xdbe4, 'fsetpm'],
  [0xded9, 'fcompp'],
  [0xdfe0, 'fnstsw ax'],
]);

/** The text of an x87 instruction (no prefixes): `mem` is the formatted memory operand. Null for #UD. */
export function x87Text(op: number, modrm: number, mem: string): string | null {
  const reg = (modrm >> 3) & 7;
  if (modrm < 0xc0) {
    const e = X87_MEMORY[op - 0xd8][reg];
    return e === null ? null : `${e} ${mem}`;
  }
  const e = X87_REGISTER[op - 0xd8][reg];
  if (e === null) return null;
  if (e === '*') return X87_SPECIAL.get((op << 8) | modrm) ?? null;
  const sp = e.indexOf(' ');
  const sti = `st${modrm & 7}`;
  return `${e.slice(0, sp)} ${e
    .slice(sp + 1)
    .split(',')
    .map((o) => (o === 'sti' ? sti : o))
    .join(', ')}`;
}
