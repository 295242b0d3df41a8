import { describe, expect, it } from 'vitest';
import faultsRom from './testdata/faults.bin';
import { loadReal, testMachine } from './testMachine.js';

describe('exceptions and interrupts', () => {
  it('escalates to #DF and then to a triple fault, which resets the CPU', () => {
    const m = testMachine();
    let resets = 0;
    m.cpu.onTripleFault = () => resets++;
    loadReal(m, 0x7c00, faultsRom);
    m.cpu.run(10_000);
    expect(String.fromCharCode(...m.out)).toBe('D0');
    expect(m.cpu.stopReason).toBe('triple-fault');
    expect(resets).toBe(1);
    expect(m.cpu.eip).toBe(0xfff0);
    expect(m.cpu.getSegment('cs').base).toBe(0xffff0000);
  });

  it('delivers #DE to the real-mode IVT with the faulting instruction address', () => {
    const m = testMachine();
    // xor bl,bl; div bl; hlt   ; handler at 0x2000: out 0xe9,al ; hlt
    loadReal(m, 0x1000, [0x30, 0xdb, 0xf6, 0xf3, 0xf4]);
    m.bus.writeBytes(0x2000, Uint8Array.of(0xb0, 0x44, 0xe6, 0xe9, 0xf4));
    m.bus.write16(0, 0x2000);
    m.cpu.run(100);
    expect(m.out).toEqual([0x44]);
    expect(m.bus.read16(0x7000 - 6)).toBe(0x1002); // pushed IP = the DIV
  });

  it('holds off INTR for one instruction after STI and takes NMI regardless of IF', () => {
    let pending = false;
    const m = testMachine({
      intr: () => pending,
      acknowledge: () => {
        pending = false;
        return 0x20;
      },
    });
    // sti; inc ax; inc ax; hlt   ; int 0x20 handler: mov bl,al ; iret ; NMI handler: mov cl,1; iret
    loadReal(m, 0x1000, [0xfb, 0x40, 0x40, 0xf4]);
    m.bus.writeBytes(0x3000, Uint8Array.of(0x88, 0xc3, 0xcf));
    m.bus.writeBytes(0x3100, Uint8Array.of(0xb1, 0x01, 0xcf));
    m.bus.write16(0x20 * 4, 0x3000);
    m.bus.write16(2 * 4, 0x3100);
    m.cpu.eax = 0;
    pending = true;
    m.cpu.run(100);
    expect(m.cpu.ebx & 0xff).toBe(1); // the interrupt came after the first INC, not before it
    expect(m.cpu.stopReason).toBe('hlt');
    m.cpu.nmi();
    m.cpu.run(100);
    expect(m.cpu.ecx & 0xff).toBe(1);
  });

  it('raises #NM (7) for ESC opcodes when CR0.EM is set', () => {
    const m = testMachine();
    // fninit ; hlt    ; #NM handler at 0x2000: mov al,7 ; out 0xe9,al ; hlt
    loadReal(m, 0x1000, [0xdb, 0xe3, 0xf4]);
    m.bus.writeBytes(0x2000, Uint8Array.of(0xb0, 0x07, 0xe6, 0xe9, 0xf4));
    m.bus.write16(7 * 4, 0x2000);
    m.cpu.cr0 = m.cpu.cr0 | 4;
    m.cpu.run(100);
    expect(m.out).toEqual([7]);
  });

  it('stops at a breakpoint and calls the instruction hook', () => {
    const m = testMachine();
    loadReal(m, 0x1000, [0x40, 0x40, 0x40, 0xf4]);
    const seen: number[] = [];
    m.cpu.onInstruction = (cpu) => seen.push(cpu.eip);
    m.cpu.addBreakpoint(0x1002);
    expect(m.cpu.run(100)).toBe(2);
    expect(m.cpu.stopReason).toBe('breakpoint');
    m.cpu.removeBreakpoint(0x1002);
    m.cpu.run(100);
    expect(seen).toEqual([0x1000, 0x1001, 0x1002, 0x1003]);
    expect(m.cpu.eax & 0xffff).toBe(3);
  });
});
