import { describe, expect, it } from 'vitest';
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
});
