// struct pt_regs on i386 (arch/x86/include/asm/ptrace.h): the frame the entry stubs push on the
// kernel stack. A pt_regs pointer is a number (a linear address); fields are read at these offsets.
// `sp` and `ss` are present only when the CPU switched stacks (entry from ring 3).

export const PT_EBX = 0;
export const PT_ECX = 4;
export const PT_EDX = 8;
export const PT_ESI = 12;
export const PT_EDI = 16;
export const PT_EBP = 20;
export const PT_EAX = 24;
export const PT_DS = 28;
export const PT_ES = 32;
export const PT_FS = 36;
export const PT_GS = 40;
export const PT_ORIG_EAX = 44;
export const PT_EIP = 48;
export const PT_CS = 52;
export const PT_EFLAGS = 56;
export const PT_OLDESP = 60;
export const PT_OLDSS = 64;
/** sizeof(struct pt_regs): the full frame, including sp and ss. */
export const PT_REGS_SIZE = 68;
/** The frame of an entry from ring 0 stops before sp/ss. */
export const PT_REGS_KERNEL_SIZE = 60;

/** Field offsets by the kernel's names (bx cx dx si di bp ax ds es fs gs orig_ax ip cs flags sp ss). */
export const pt_regs = {
  bx: PT_EBX,
  cx: PT_ECX,
  dx: PT_EDX,
  si: PT_ESI,
  di: PT_EDI,
  bp: PT_EBP,
  ax: PT_EAX,
  ds: PT_DS,
  es: PT_ES,
  fs: PT_FS,
  gs: PT_GS,
  orig_ax: PT_ORIG_EAX,
  ip: PT_EIP,
  cs: PT_CS,
  flags: PT_EFLAGS,
  sp: PT_OLDESP,
  ss: PT_OLDSS,
} as const;
export type PtRegsField = keyof typeof pt_regs;

/** EFLAGS bits the IRQ layer looks at. */
export const X86_EFLAGS_IF = 1 << 9;
export const X86_EFLAGS_VM = 1 << 17;

/** The linear-address view of guest memory the kernel side reads and writes. */
export interface GuestMemory {
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
}

/** user_mode(regs): the frame was pushed on entry from ring 3 (or vm86). */
export function user_mode(mem: GuestMemory, regs: number): boolean {
  return (mem.read32(regs + PT_CS) & 3) !== 0 || (mem.read32(regs + PT_EFLAGS) & X86_EFLAGS_VM) !== 0;
}

/** A plain copy of a pt_regs frame, for reports and tests. */
export type PtRegsSnapshot = Record<PtRegsField, number>;

/** Reads a whole frame (sp/ss are the values after the frame when the entry came from ring 0). */
export function read_pt_regs(mem: GuestMemory, regs: number): PtRegsSnapshot {
  const out = {} as PtRegsSnapshot;
  for (const [name, off] of Object.entries(pt_regs) as [PtRegsField, number][]) {
    out[name] = mem.read32(regs + off) >>> 0;
  }
  for (const seg of ['ds', 'es', 'fs', 'gs', 'cs'] as const) out[seg] &= 0xffff;
  if (!user_mode(mem, regs)) {
    // kernel_stack_pointer(): the frame ended at &regs->sp; the stack segment is the kernel's.
    out.sp = (regs + PT_OLDESP) >>> 0;
    out.ss = 0x68;
  } else {
    out.ss &= 0xffff;
  }
  return out;
}
