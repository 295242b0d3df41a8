import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoBus, PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import { DESC_KERNEL_CODE, pack_descriptor } from './desc.js';
import { ENTRY_AREA_SIZE, entry_32_bin, entry_layout, KERNEL_GATE_PORT, KernelEntry } from './entry_32.js';
import { GATE_INTR, GATE_TRAP_T } from './entry_32.testutil.js';
import { PT_CS, PT_EAX, PT_EFLAGS, PT_EIP, PT_ORIG_EAX, PT_REGS_SIZE } from './ptrace.js';
import { __KERNEL_CS, __KERNEL_DS, __KERNEL_TSS, __USER_CS, __USER_DS } from './segment.js';
import { collectingPrintk, fakeCpu, physicalMemory } from './testing.js';

function hasNasm(): boolean {
  try {
    execFileSync('nasm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function setup() {
  const ram = new PhysicalMemory(1 << 20);
  const io = new IoBus();
  const cpu = fakeCpu();
  const printk = collectingPrintk();
  const lines = printk.lines;
  const entry = new KernelEntry({
    memory: physicalMemory(ram),
    io,
    cpu,
    base: 0x10000,
    esp0: 0x9000,
    printk,
  });
  return { ram, io, cpu, entry, lines };
}

describe('entry_32.bin', () => {
  it.skipIf(!hasNasm())('re-assembles from entry_32.asm to the committed bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irq-nasm-'));
    const out = join(dir, 'entry_32.bin');
    execFileSync('nasm', ['-f', 'bin', '-o', out, join(__dirname, 'entry_32.asm')]);
    expect(new Uint8Array(readFileSync(out))).toEqual(entry_32_bin);
    expect(existsSync(out)).toBe(true);
  });

  it('has a header naming its entry points and 16-byte stubs', () => {
    const l = entry_layout();
    expect(l.port).toBe(KERNEL_GATE_PORT);
    expect(l.stubSize).toBe(16);
    expect(l.stubs + 256 * 16).toBeLessThanOrEqual(l.error_code);
    expect(entry_32_bin.length).toBeLessThan(ENTRY_AREA_SIZE - 0x4000);
    // stub 0 (#DE, no error code): push 0; push 0; jmp error_code
    expect([...entry_32_bin.subarray(l.stubs, l.stubs + 5)]).toEqual([0x6a, 0x00, 0x6a, 0x00, 0xe9]);
    // stub 14 (#PF): push 14; jmp
    const pf = l.stubs + 14 * 16;
    expect([...entry_32_bin.subarray(pf, pf + 3)]).toEqual([0x6a, 14, 0xe9]);
    // stub 0x80: push eax
    expect(entry_32_bin[l.stubs + 0x80 * 16]).toBe(0x50);
    // stub 0x20: push ~0x20
    const irq0 = l.stubs + 0x20 * 16;
    expect([...entry_32_bin.subarray(irq0, irq0 + 3)]).toEqual([0x6a, 0xdf, 0xe9]); // push byte -33 (sign-extended)
  });
});

describe('KernelEntry', () => {
  it('writes the i386 GDT with Linux selectors and the TSS', () => {
    const { ram, entry } = setup();
    expect([__KERNEL_CS, __KERNEL_DS, __USER_CS, __USER_DS, __KERNEL_TSS]).toEqual([
      0x60, 0x68, 0x73, 0x7b, 0x80,
    ]);
    const kcs = [ram.read32(entry.gdt_table + 0x60), ram.read32(entry.gdt_table + 0x64)];
    expect(kcs).toEqual(pack_descriptor(0, 0xfffff, DESC_KERNEL_CODE, 0xc));
    expect(kcs).toEqual([0x0000ffff, 0x00cf9a00]);
    expect(ram.read32(entry.gdt_table + 0x78 + 4)).toBe(0x00cff200); // user data, DPL 3
    expect(ram.read32(entry.tss + 4)).toBe(0x9000);
    expect(ram.read16(entry.tss + 8)).toBe(__KERNEL_DS);
    expect(ram.read16(entry.tss + 102)).toBe(0x8000);
    expect(ram.read16(entry.descr)).toBe(255);
    expect(ram.read32(entry.descr + 2)).toBe(entry.gdt_table);
    expect(ram.read16(entry.descr + 8)).toBe(2047);
    expect(ram.read32(entry.descr + 10)).toBe(entry.idt_table);
  });

  it('points every IDT gate at its stub and sets the gate kinds', () => {
    const { entry } = setup();
    const noop = () => {};
    entry.set_intr_gate(14, noop);
    entry.set_trap_gate(6, noop);
    entry.set_system_trap_gate(0x80, noop);
    entry.set_system_intr_gate(0x81, noop);
    expect(entry.idt.gate(14)).toEqual({ ...GATE_INTR, dpl: 0, offset: entry.stub(14), selector: 0x60 });
    expect(entry.idt.gate(6)).toEqual({ ...GATE_TRAP_T, dpl: 0, offset: entry.stub(6), selector: 0x60 });
    expect(entry.idt.gate(0x80)).toMatchObject({ type: 0xf, dpl: 3, offset: entry.stub(0x80) });
    expect(entry.idt.gate(0x81)).toMatchObject({ type: 0xe, dpl: 3 });
    expect(entry.idt.gate(0x30)).toMatchObject({
      type: 0xe,
      dpl: 0,
      present: true,
      offset: entry.stub(0x30),
    });
    expect(() => entry.set_intr_gate(256, noop)).toThrow(/vector 256/);
  });

  it('runs the handler for the vector in ECX with the pt_regs pointer from the OUT', () => {
    const { io, cpu, entry, ram } = setup();
    const seen: number[][] = [];
    entry.set_system_trap_gate(0x80, (regs, err, vector) => {
      seen.push([regs, err, vector, ram.read32(regs + PT_ORIG_EAX)]);
      ram.write32(regs + PT_EAX, 42);
    });
    const regs = 0x8000 - PT_REGS_SIZE;
    ram.write32(regs + PT_ORIG_EAX, 20);
    cpu.ecx = 0x80;
    cpu.edx = 0;
    io.out32(KERNEL_GATE_PORT, regs);
    expect(seen).toEqual([[regs, 0, 0x80, 20]]);
    expect(ram.read32(regs + PT_EAX)).toBe(42);
    expect(entry.entries).toBe(1);
    expect(entry.depth).toBe(0);
  });

  it('dispatches registered non-IDT entries and refuses ids below 0x100', () => {
    const { io, cpu, entry } = setup();
    let hit = 0;
    entry.gate_register(0x100, () => hit++);
    cpu.ecx = 0x100;
    io.out32(KERNEL_GATE_PORT, 0x7000);
    expect(hit).toBe(1);
    expect(() => entry.gate_register(0x80, () => {})).toThrow(/0x100/);
  });

  it('oopses with the register dump for an exception without a handler', () => {
    const { io, cpu, ram, lines } = setup();
    const regs = 0x8000 - PT_REGS_SIZE;
    ram.write32(regs + PT_EIP, 0xc0101234);
    ram.write32(regs + PT_CS, 0x60);
    ram.write32(regs + PT_EFLAGS, 0x10246);
    ram.write32(regs + PT_EAX, 0xdeadbeef);
    cpu.ecx = 14;
    cpu.edx = 2;
    cpu.cr2 = 0;
    io.out32(KERNEL_GATE_PORT, regs);
    expect(lines[0]).toBe('BUG: unable to handle kernel NULL pointer dereference at 00000000');
    expect(lines).toContain('Oops: 0002 [#1]');
    expect(lines).toContain('EIP: 0060:[<c0101234>] EFLAGS: 00010246 CPU: 0');
    expect(lines.find((l) => l.startsWith('EAX: '))).toBe(
      'EAX: deadbeef EBX: 00000000 ECX: 00000000 EDX: 00000000',
    );
    expect(lines.some((l) => /^ DS: 0000 ES: 0000 FS: 0000 GS: 0000 SS: 0068$/.test(l))).toBe(true);
    expect(cpu.stopped).toBe(true);

    cpu.ecx = 13;
    cpu.edx = 0;
    io.out32(KERNEL_GATE_PORT, regs);
    expect(lines).toContain('general protection fault: 0000 [#2]');
  });

  it('reports an unexpected IRQ vector instead of oopsing', () => {
    const { io, cpu, lines } = setup();
    cpu.ecx = 0x41;
    io.out32(KERNEL_GATE_PORT, 0x7000);
    expect(lines).toEqual(['unexpected IRQ trap at vector 41']);
  });
});
