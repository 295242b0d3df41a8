// The opcode table: every one-byte and 0F two-byte opcode this CPU implements, with its mnemonic and
// operand forms in the notation of Intel SDM vol. 2 appendix A (Eb Ev Gb Gv Ib Iv Jb Jz ...). The
// disassembler is generated from it, and opcodes.test.ts checks that the interpreter consumes
// exactly the bytes the table describes for every opcode.
//
// Notation: "a|b" picks a for 16-bit and b for 32-bit operand size; "Eb,Gb" lists operands;
// "#n" refers to GROUPS[n] indexed by the ModR/M reg field; null means #UD.

export type OpcodeEntry = string | null;

/** One-byte opcodes 00-FF ("prefix" marks prefix bytes, handled by the decoder). */
export const ONE_BYTE: readonly OpcodeEntry[] = [
  // 00
  'add Eb,Gb',
  'add Ev,Gv',
  'add Gb,Eb',
  'add Gv,Ev',
  'add AL,Ib',
  'add eAX,Iz',
  'push ES',
  'pop ES',
  'or Eb,Gb',
  'or Ev,Gv',
  'or Gb,Eb',
  'or Gv,Ev',
  'or AL,Ib',
  'or eAX,Iz',
  'push CS',
  '0f',
  // 10
  'adc Eb,Gb',
  'adc Ev,Gv',
  'adc Gb,Eb',
  'adc Gv,Ev',
  'adc AL,Ib',
  'adc eAX,Iz',
  'push SS',
  'pop SS',
  'sbb Eb,Gb',
  'sbb Ev,Gv',
  'sbb Gb,Eb',
  'sbb Gv,Ev',
  'sbb AL,Ib',
  'sbb eAX,Iz',
  'push DS',
  'pop DS',
  // 20
  'and Eb,Gb',
  'and Ev,Gv',
  'and Gb,Eb',
  'and Gv,Ev',
  'and AL,Ib',
  'and eAX,Iz',
  'prefix',
  'daa',
  'sub Eb,Gb',
  'sub Ev,Gv',
  'sub Gb,Eb',
  'sub Gv,Ev',
  'sub AL,Ib',
  'sub eAX,Iz',
  'prefix',
  'das',
  // 30
  'xor Eb,Gb',
  'xor Ev,Gv',
  'xor Gb,Eb',
  'xor Gv,Ev',
  'xor AL,Ib',
  'xor eAX,Iz',
  'prefix',
  'aaa',
  'cmp Eb,Gb',
  'cmp Ev,Gv',
  'cmp Gb,Eb',
  'cmp Gv,Ev',
  'cmp AL,Ib',
  'cmp eAX,Iz',
  'prefix',
  'aas',
  // 40
  'inc eAX',
  'inc eCX',
  'inc eDX',
  'inc eBX',
  'inc eSP',
  'inc eBP',
  'inc eSI',
  'inc eDI',
  'dec eAX',
  'dec eCX',
  'dec eDX',
  'dec eBX',
  'dec eSP',
  'dec eBP',
  'dec eSI',
  'dec eDI',
  // 50
  'push eAX',
  'push eCX',
  'push eDX',
  'push eBX',
  'push eSP',
  'push eBP',
  'push eSI',
  'push eDI',
  'pop eAX',
  'pop eCX',
  'pop eDX',
  'pop eBX',
  'pop eSP',
  'pop eBP',
  'pop eSI',
  'pop eDI',
  // 60
  'pusha|pushad',
  'popa|popad',
  'bound Gv,Ma',
  'arpl Ew,Gw',
  'prefix',
  'prefix',
  'prefix',
  'prefix',
  'push Iz',
  'imul Gv,Ev,Iz',
  'push Ibs',
  'imul Gv,Ev,Ibs',
  'insb',
  'insw|insd',
  'outsb',
  'outsw|outsd',
  // 70
  'jo Jb',
  'jno Jb',
  'jb Jb',
  'jnb Jb',
  'jz Jb',
  'jnz Jb',
  'jbe Jb',
  'ja Jb',
  'js Jb',
  'jns Jb',
  'jp Jb',
  'jnp Jb',
  'jl Jb',
  'jnl Jb',
  'jle Jb',
  'jg Jb',
  // 80
  '#0 Eb,Ib',
  '#0 Ev,Iz',
  '#0 Eb,Ib',
  '#0 Ev,Ibs',
  'test Eb,Gb',
  'test Ev,Gv',
  'xchg Eb,Gb',
  'xchg Ev,Gv',
  'mov Eb,Gb',
  'mov Ev,Gv',
  'mov Gb,Eb',
  'mov Gv,Ev',
  'mov Ew,Sw',
  'lea Gv,M',
  'mov Sw,Ew',
  '#1 Ev',
  // 90
  'nop',
  'xchg eCX,eAX',
  'xchg eDX,eAX',
  'xchg eBX,eAX',
  'xchg eSP,eAX',
  'xchg eBP,eAX',
  'xchg eSI,eAX',
  'xchg eDI,eAX',
  'cbw|cwde',
  'cwd|cdq',
  'call Ap',
  'wait',
  'pushf|pushfd',
  'popf|popfd',
  'sahf',
  'lahf',
  // A0
  'mov AL,Ob',
  'mov eAX,Ov',
  'mov Ob,AL',
  'mov Ov,eAX',
  'movsb',
  'movsw|movsd',
  'cmpsb',
  'cmpsw|cmpsd',
  'test AL,Ib',
  'test eAX,Iz',
  'stosb',
  'stosw|stosd',
  'lodsb',
  'lodsw|lodsd',
  'scasb',
  'scasw|scasd',
  // B0
  'mov AL,Ib',
  'mov CL,Ib',
  'mov DL,Ib',
  'mov BL,Ib',
  'mov AH,Ib',
  'mov CH,Ib',
  'mov DH,Ib',
  'mov BH,Ib',
  'mov eAX,Iv',
  'mov eCX,Iv',
  'mov eDX,Iv',
  'mov eBX,Iv',
  'mov eSP,Iv',
  'mov eBP,Iv',
  'mov eSI,Iv',
  'mov eDI,Iv',
  // C0
  '#2 Eb,Ib',
  '#2 Ev,Ib',
  'ret Iw',
  'ret',
  'les Gv,Mp',
  'lds Gv,Mp',
  '#3 Eb,Ib',
  '#3 Ev,Iz',
  'enter Iw,Ib',
  'leave',
  'retf Iw',
  'retf',
  'int3',
  'int Ib',
  'into',
  'iret|iretd',
  // D0
  '#2 Eb,1',
  '#2 Ev,1',
  '#2 Eb,CL',
  '#2 Ev,CL',
  'aam Ib',
  'aad Ib',
  'salc',
  'xlatb',
  'esc0 F',
  'esc1 F',
  'esc2 F',
  'esc3 F',
  'esc4 F',
  'esc5 F',
  'esc6 F',
  'esc7 F',
  // E0
  'loopnz Jb',
  'loopz Jb',
  'loop Jb',
  'jcxz|jecxz Jb',
  'in AL,Ib',
  'in eAX,Ib',
  'out Ib,AL',
  'out Ib,eAX',
  'call Jz',
  'jmp Jz',
  'jmp Ap',
  'jmp Jb',
  'in AL,DX',
  'in eAX,DX',
  'out DX,AL',
  'out DX,eAX',
  // F0
  'prefix',
  'int1',
  'prefix',
  'prefix',
  'hlt',
  'cmc',
  '#4 Eb',
  '#5 Ev',
  'clc',
  'stc',
  'cli',
  'sti',
  'cld',
  'std',
  '#6 Eb',
  '#7 Ev',
];

/** Groups selected by the ModR/M reg field; operands come from the referring entry when omitted. */
export const GROUPS: readonly (readonly OpcodeEntry[])[] = [
  /* 0: 80-83 */ ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'],
  /* 1: 8F */ ['pop', null, null, null, null, null, null, null],
  /* 2: shifts */ ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'],
  /* 3: C6/C7 */ ['mov', null, null, null, null, null, null, null],
  /* 4: F6 */ ['test Eb,Ib', 'test Eb,Ib', 'not Eb', 'neg Eb', 'mul Eb', 'imul Eb', 'div Eb', 'idiv Eb'],
  /* 5: F7 */ ['test Ev,Iz', 'test Ev,Iz', 'not Ev', 'neg Ev', 'mul Ev', 'imul Ev', 'div Ev', 'idiv Ev'],
  /* 6: FE */ ['inc Eb', 'dec Eb', null, null, null, null, null, null],
  /* 7: FF */ ['inc Ev', 'dec Ev', 'call Ev', 'call far Mp', 'jmp Ev', 'jmp far Mp', 'push Ev', null],
  /* 8: 0F 00 */ ['sldt Ew', 'str Ew', 'lldt Ew', 'ltr Ew', 'verr Ew', 'verw Ew', null, null],
  /* 9: 0F 01 */ ['sgdt M', 'sidt M', 'lgdt M', 'lidt M', 'smsw Ew', null, 'lmsw Ew', 'invlpg M'],
  /* 10: 0F BA */ [null, null, null, null, 'bt Ev,Ib', 'bts Ev,Ib', 'btr Ev,Ib', 'btc Ev,Ib'],
  /* 11: 0F C7 */ [null, 'cmpxchg8b Mq', null, null, null, null, null, null],
];

const CC = ['o', 'no', 'b', 'nb', 'z', 'nz', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'nl', 'le', 'g'];

/** Two-byte opcodes 0F 00 - 0F FF. */
export const TWO_BYTE: readonly OpcodeEntry[] = (() => {
  const t: OpcodeEntry[] = new Array(256).fill(null);
  t[0x00] = '#8';
  t[0x01] = '#9';
  t[0x02] = 'lar Gv,Ew';
  t[0x03] = 'lsl Gv,Ew';
  t[0x06] = 'clts';
  t[0x08] = 'invd';
  t[0x09] = 'wbinvd';
  t[0x0b] = 'ud2';
  t[0x20] = 'mov Rd,Cd';
  t[0x21] = 'mov Rd,Dd';
  t[0x22] = 'mov Cd,Rd';
  t[0x23] = 'mov Dd,Rd';
  t[0x30] = 'wrmsr';
  t[0x31] = 'rdtsc';
  t[0x32] = 'rdmsr';
  for (let i = 0; i < 16; i++) {
    t[0x40 + i] = `cmov${CC[i]} Gv,Ev`;
    t[0x80 + i] = `j${CC[i]} Jz`;
    t[0x90 + i] = `set${CC[i]} Eb`;
    t[0xc8 + (i & 7)] = `bswap ${['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'][i & 7]}`;
  }
  t[0xa0] = 'push FS';
  t[0xa1] = 'pop FS';
  t[0xa2] = 'cpuid';
  t[0xa3] = 'bt Ev,Gv';
  t[0xa4] = 'shld Ev,Gv,Ib';
  t[0xa5] = 'shld Ev,Gv,CL';
  t[0xa8] = 'push GS';
  t[0xa9] = 'pop GS';
  t[0xab] = 'bts Ev,Gv';
  t[0xac] = 'shrd Ev,Gv,Ib';
  t[0xad] = 'shrd Ev,Gv,CL';
  t[0xaf] = 'imul Gv,Ev';
  t[0xb0] = 'cmpxchg Eb,Gb';
  t[0xb1] = 'cmpxchg Ev,Gv';
  t[0xb2] = 'lss Gv,Mp';
  t[0xb3] = 'btr Ev,Gv';
  t[0xb4] = 'lfs Gv,Mp';
  t[0xb5] = 'lgs Gv,Mp';
  t[0xb6] = 'movzx Gv,Eb';
  t[0xb7] = 'movzx Gv,Ew';
  t[0xba] = '#10 Ev,Ib';
  t[0xbb] = 'btc Ev,Gv';
  t[0xbc] = 'bsf Gv,Ev';
  t[0xbd] = 'bsr Gv,Ev';
  t[0xbe] = 'movsx Gv,Eb';
  t[0xbf] = 'movsx Gv,Ew';
  t[0xc0] = 'xadd Eb,Gb';
  t[0xc1] = 'xadd Ev,Gv';
  t[0xc7] = '#11';
  return t;
})();

/** Operand forms that are followed by a ModR/M byte. */
export const MODRM_OPERANDS = new Set([
  'Eb',
  'Ev',
  'Ew',
  'Gb',
  'Gv',
  'Gw',
  'Sw',
  'M',
  'Ma',
  'Mp',
  'Mq',
  'Rd',
  'Cd',
  'Dd',
  'F',
]);
