import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { PhysicalMemory } from '../memory.js';
import { Cpu, MemoryBus } from './index.js';
import { loadReal, testMachine } from './testMachine.js';

describe('Cpu (real mode)', () => {
  it('starts at F000:FFF0 with CS base 0xFFFF0000 and a reset signature in EDX', () => {
    const { cpu } = testMachine();
    expect(cpu.eip).toBe(0xfff0);
    expect(cpu.getSegment('cs')).toMatchObject({ selector: 0xf000, base: 0xffff0000 });
    expect(cpu.edx).toBe(0x633);
    expect(cpu.cr0 & 1).toBe(0);
  });

  it('runs MOV/ADD/OUT/LOOP/INT/IRET/HLT', () => {
    const m = testMachine();
    // mov ax,0x1234; add ax,0x101; mov bx,ax; out 0xe9,al; mov cx,10; l: inc dx; loop l; int 0x21; hlt
    // handler: mov si,0x55; iret
    const code = [
      0xb8, 0x34, 0x12, 0x05, 0x01, 0x01, 0x89, 0xc3, 0xe6, 0xe9, 0xb9, 0x0a, 0x00, 0x42, 0xe2, 0xfd, 0xcd,
      0x21, 0xf4, 0xbe, 0x55, 0x00, 0xcf,
    ];
    loadReal(m, 0x7c00, code);
    m.bus.write16(0x21 * 4, 0x7c00 + 19);
    m.bus.write16(0x21 * 4 + 2, 0);
    m.cpu.edx = 0;
    const n = m.cpu.run(1000);
    expect(m.cpu.stopReason).toBe('hlt');
    expect(m.cpu.halted).toBe(true);
    expect(n).toBe(29);
    expect(m.cpu.eax).toBe(0x1335);
    expect(m.cpu.ebx).toBe(0x1335);
    expect(m.cpu.edx).toBe(10);
    expect(m.cpu.esi).toBe(0x55);
    expect(m.out).toEqual([0x35]);
    expect(m.cpu.eip).toBe(0x7c00 + 19);
  });

  it('wakes from HLT on INTR when IF=1', () => {
    let pending = false;
    const m = testMachine({
      intr: () => pending,
      acknowledge: () => {
        pending = false;
        return 0x08;
      },
    });
    // sti; hlt; out 0xe9,al; hlt    ; handler: mov al,7; iret
    loadReal(m, 0x1000, [0xfb, 0xf4, 0xe6, 0xe9, 0xf4, 0xb0, 0x07, 0xcf]);
    m.bus.write16(8 * 4, 0x1005);
    expect(m.cpu.run(100)).toBe(2);
    expect(m.cpu.stopReason).toBe('hlt');
    pending = true;
    m.cpu.run(100);
    expect(m.out).toEqual([7]);
    expect(m.cpu.stopReason).toBe('hlt');
  });

  it('round-trips its state through JSON', () => {
    const m = testMachine();
    loadReal(m, 0x1000, [0x40, 0xf4]);
    m.cpu.eax = 0xfffffffe;
    const saved = JSON.parse(JSON.stringify(m.cpu.getState()));
    m.cpu.run(10);
    expect(m.cpu.eax).toBe(0xffffffff);
    m.cpu.setState(saved);
    expect(m.cpu.eax).toBe(0xfffffffe);
    expect(m.cpu.eip).toBe(0x1000);
    m.cpu.run(10);
    expect(m.cpu.eax).toBe(0xffffffff);
  });

  it('runs the README example as written', () => {
    const bus = new MemoryBus(new PhysicalMemory(16 << 20));
    bus.writeBytes(0x7c00, Uint8Array.of(0xb8, 0x34, 0x12, 0x40, 0xf4)); // mov ax,0x1234; inc ax; hlt
    const cpu = new Cpu(bus, new IoBus());
    cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, attributes: 0x9b });
    cpu.eip = 0x7c00;
    expect([cpu.run(100), cpu.stopReason, cpu.eax.toString(16)]).toEqual([3, 'hlt', '1235']);
  });

  it('translates linear addresses through the page tables without side effects', () => {
    const m = testMachine();
    m.bus.write32(0x10000, 0x11000 | 7); // PDE 0 -> page table at 0x11000
    m.bus.write32(0x11000 + 5 * 4, 0x200000 | 5); // linear 0x5000 -> 0x200000, user, read-only
    m.bus.write32(0x11000 + 6 * 4, 0x300000 | 3); // linear 0x6000 -> 0x300000, supervisor, writable
    m.cpu.cr0 = m.cpu.cr0 | 1;
    m.cpu.cr3 = 0x10000;
    m.cpu.cr0 = m.cpu.cr0 | 0x80010000;
    expect(m.cpu.translate(0x5123, false, true)).toBe(0x200123);
    expect(m.cpu.translate(0x5123, true, false)).toBe(-1); // CR0.WP
    expect(m.cpu.translate(0x6000, false, true)).toBe(-1); // supervisor page
    expect(m.cpu.translate(0x7000, false, false)).toBe(-1); // not present
    expect(m.bus.read32(0x11000 + 5 * 4) & 0x20).toBe(0); // accessed bit untouched
    m.cpu.writeLinear32(0x6004, 0xcafef00d);
    expect(m.bus.read32(0x300004)).toBe(0xcafef00d);
    expect(m.cpu.readLinear32(0x6004)).toBe(0xcafef00d);
    expect(() => m.cpu.readLinear8(0x7000)).toThrow(/0x7000 is not mapped/);
  });

  it('runs REP MOVSD/STOSB/CMPSB with 32-bit addressing across REP slices in flat protected mode', () => {
    const m = testMachine();
    const { cpu, bus } = m;
    cpu.cr0 = cpu.cr0 | 1;
    cpu.setSegment('cs', { selector: 8, base: 0, limit: 0xffffffff, attributes: 0xc09b });
    for (const s of ['ds', 'es', 'ss'] as const) {
      cpu.setSegment(s, { selector: 16, base: 0, limit: 0xffffffff, attributes: 0xc093 });
    }
    const src = Uint8Array.from({ length: 40000 }, (_, i) => (i * 7) & 0xff);
    bus.writeBytes(0x200000, src);
    // cld; mov esi,0x200000; mov edi,0x300000; mov ecx,10000; rep movsd
    // mov edi,0x400000; mov al,0x5a; mov ecx,5000; rep stosb
    // mov esi,0x200000; mov edi,0x300000; mov ecx,40000; repe cmpsb; hlt
    const code = [
      0xfc, 0xbe, 0x00, 0x00, 0x20, 0x00, 0xbf, 0x00, 0x00, 0x30, 0x00, 0xb9, 0x10, 0x27, 0x00, 0x00, 0xf3,
      0xa5, 0xbf, 0x00, 0x00, 0x40, 0x00, 0xb0, 0x5a, 0xb9, 0x88, 0x13, 0x00, 0x00, 0xf3, 0xaa, 0xbe, 0x00,
      0x00, 0x20, 0x00, 0xbf, 0x00, 0x00, 0x30, 0x00, 0xb9, 0x40, 0x9c, 0x00, 0x00, 0xf3, 0xa6, 0xf4,
    ];
    bus.writeBytes(0x1000, Uint8Array.from(code));
    cpu.eip = 0x1000;
    cpu.esp = 0x8000;
    cpu.run(1000);
    expect(cpu.stopReason).toBe('hlt');
    expect(bus.readBytes(0x300000, 40000)).toEqual(src);
    expect(bus.read8(0x400000 + 4999)).toBe(0x5a);
    expect(bus.read8(0x400000 + 5000)).toBe(0);
    expect(cpu.ecx).toBe(0); // every byte compared equal
    expect(cpu.esi).toBe(0x200000 + 40000);
  });

  it('stops at a breakpoint inside a translated loop and resumes from it, one instruction exact', () => {
    const m = testMachine();
    // 0x1000 mov cx,100 | 0x1003 inc ax | 0x1004 inc bx | 0x1005 loop 0x1003 | 0x1007 hlt
    loadReal(m, 0x1000, [0xb9, 0x64, 0x00, 0x40, 0x43, 0xe2, 0xfc, 0xf4]);
    m.cpu.translateAfter = 2;
    expect(m.cpu.run(49)).toBe(49); // MOV and 16 passes: the loop now runs as a block
    expect(m.cpu.eip).toBe(0x1003);
    m.cpu.addBreakpoint(0x1004);
    expect(m.cpu.run(1000)).toBe(1);
    expect([m.cpu.stopReason, m.cpu.eip, m.cpu.eax & 0xffff]).toEqual(['breakpoint', 0x1004, 17]);
    expect(m.cpu.run(1000)).toBe(3);
    expect([m.cpu.stopReason, m.cpu.eip, m.cpu.ebx & 0xffff]).toEqual(['breakpoint', 0x1004, 17]);
    m.cpu.removeBreakpoint(0x1004);
    m.cpu.run(1000);
    expect(m.cpu.stopReason).toBe('hlt');
    expect([m.cpu.eax & 0xffff, m.cpu.ebx & 0xffff, m.cpu.ecx & 0xffff]).toEqual([100, 100, 0]);
    expect(m.cpu.instructionCount).toBe(1 + 3 * 100 + 1);
  });

  it('refuses a translation threshold outside 1..255', () => {
    const { cpu } = testMachine();
    expect(() => {
      cpu.translateAfter = 0;
    }).toThrow('translateAfter must be an integer from 1 to 255, got 0');
    expect(() => {
      cpu.translateAfter = 1.5;
    }).toThrow(/got 1.5/);
    cpu.translateAfter = 255;
    expect(cpu.translateAfter).toBe(255);
  });

  it('shifts SRC:DST right in a 16-bit SHRD (values recorded on a 386 by test386.asm)', () => {
    // From test386-EE-reference.txt, "0FAC SHRD W" (shrd ax, dx, 8): AX, DX in; AX and CF/PF/ZF/SF out.
    for (const [ax, dx, result, flags] of [
      [0x0000, 0x0001, 0x0100, 0x04],
      [0x0001, 0x8000, 0x0000, 0x44],
      [0x8000, 0x0001, 0x0180, 0x00],
      [0xffff, 0x0001, 0x01ff, 0x05],
    ]) {
      const m = testMachine();
      loadReal(m, 0x1000, [0x0f, 0xac, 0xd0, 0x08, 0xf4]); // shrd ax, dx, 8 ; hlt
      m.cpu.eax = ax;
      m.cpu.edx = dx;
      m.cpu.run(10);
      expect([m.cpu.eax & 0xffff, m.cpu.eflags & 0xc5]).toEqual([result, flags]);
    }
  });
});
