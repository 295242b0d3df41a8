// Tests of the 286 recordings that a correct 386 is expected to fail, each rule with its 286-vs-386
// reason. A rule only matches the narrow situation it documents (usually: the 286 raised a specific
// exception), so a real bug in the same opcode still shows up as an unexpected failure.

export interface RecordedTest {
  hash: string;
  bytes: number[];
  exception?: { number: number };
}

export interface ExpectedFailureRule {
  id: string;
  /** Opcode file names (e.g. "81.0", "A5") the rule applies to; empty = any. */
  opcodes: string[];
  reason: string;
  match(t: RecordedTest): boolean;
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf2, 0xf3]);

/** The ModR/M byte after the prefixes and the opcode byte. */
function modrmOf(t: RecordedTest): number {
  let i = 0;
  while (PREFIXES.has(t.bytes[i])) i++;
  return t.bytes[i + 1] ?? 0;
}

const STRING_WORD_OPS = ['6D', '6F', 'A5', 'A7', 'AB', 'AD', 'AF'];

export const EXPECTED_FAILURES: readonly ExpectedFailureRule[] = [
  {
    id: 'instruction-length-10',
    opcodes: [],
    reason:
      'The 286 limits an instruction to 10 bytes and raises an exception (#UD 6 or #GP 13) for a longer ' +
      'prefix run; the 386 accepts up to 15 bytes and executes the instruction.',
    match: (t) => (t.exception?.number === 6 || t.exception?.number === 13) && t.bytes.length - 1 > 10,
  },
  {
    id: 'fs-gs-segment-registers',
    opcodes: ['8C', '8E'],
    reason:
      'ModR/M reg values 4 and 5 name FS and GS on the 386; the 286 has no FS/GS and raises #UD (6) ' +
      'for MOV to or from them.',
    match: (t) => t.exception?.number === 6 && [4, 5].includes((modrmOf(t) >> 3) & 7),
  },
  {
    id: 'string-word-at-ffff',
    opcodes: STRING_WORD_OPS,
    reason:
      'A word string access at offset 0FFFFh raises #GP (13) on both, but the 286 has already ' +
      'stepped SI/DI (and CX under REP) when it faults; the 386 faults with the registers unchanged ' +
      'so the instruction restarts.',
    match: (t) => t.exception?.number === 13,
  },
  {
    id: 'pop-memory-fault-sp',
    opcodes: ['8F'],
    reason:
      'POP to a memory operand that faults (#GP 13 at offset 0FFFFh): the 286 leaves SP incremented; ' +
      'the 386 restores ESP so the instruction can restart.',
    match: (t) => t.exception?.number === 13,
  },
];

/** The matching rule's id when a failing test is an expected 286-vs-386 difference, else null. */
export function expectedFailure(opcode: string, t: RecordedTest): string | null {
  for (const rule of EXPECTED_FAILURES) {
    if (rule.opcodes.length > 0 && !rule.opcodes.includes(opcode)) continue;
    if (rule.match(t)) return rule.id;
  }
  return null;
}
