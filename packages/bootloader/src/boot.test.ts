import { PC } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import { BIOS_ROM } from './bios.js';
import { bootToCode32Start } from './boot.js';
import { buildDiskImage } from './disk_image.js';
import { buildKernelImage } from './kernel_image.js';

const MIB = 1024 * 1024;

describe("k's own image boots to code32_start", () => {
  for (const [label, ramSize] of [
    ['16 MiB', 16 * MIB],
    ['256 MiB', 256 * MIB],
    ['1 GiB', 1024 * MIB],
    ['4 GiB', 4096 * MIB],
  ] as const) {
    it(`with ${label} of RAM, a command line and an initramfs`, () => {
      const initrd = new Uint8Array(300_000).map((_, i) => i & 0xff);
      const cmdline = `console=ttyS0 root=/dev/ram0 k.mem=${label.replace(' ', '')}`;
      const r = bootToCode32Start({ ramSize, cmdline, initrd });
      expect(r.reason).toMatch(/^reached code32_start \(0x00100000\) in protected mode/);
      expect(r.reached).toBe(true);
      expect(r.cpu.protectedMode).toBe(true);
      expect(r.cpu.eip).toBe(0x100000);
      expect(r.cpu.cs).toBe(0x10);
      const bp = r.bootParams!;
      expect(bp.address).toBe(r.cpu.esi);
      // e820: what the kernel got = what the BIOS built = what the CMOS says
      expect(bp.e820_table).toEqual(r.biosE820);
      expect(r.biosE820).toEqual(r.expectedE820);
      expect(bp.e820_entries).toBe(5);
      const top = Math.min(ramSize, 0xfffc0000);
      expect(bp.e820_table[3]).toEqual({ addr: 0x100000, size: top - 0x100000, type: 1 });
      // fields the loader owns
      expect(bp.hdr.type_of_loader).toBe(0xff);
      expect(bp.hdr.loadflags).toBe(0x81);
      expect(bp.hdr.heap_end_ptr).toBe(0x9600);
      expect(bp.cmdline).toBe(cmdline);
      expect(bp.hdr.ramdisk_size).toBe(initrd.length);
      const initrdTop = Math.min(top, 0x38000000);
      expect(bp.hdr.ramdisk_image).toBe(initrdTop - 303104);
      expect(r.pc.memory.readBytes(bp.hdr.ramdisk_image, initrd.length)).toEqual(initrd);
      // what setup detected
      expect(bp.alt_mem_k).toBe(
        Math.min(top / 1024 - 1024, 15 * 1024 + Math.floor((top - 16 * MIB) / 65536) * 64),
      );
      expect(bp.screen_info.ext_mem_k).toBe(Math.min(top / 1024 - 1024, 0xfc00));
      expect(bp.screen_info.orig_video_mode).toBe(3);
      expect(bp.screen_info.orig_video_cols).toBe(80);
      expect(bp.screen_info.orig_video_lines).toBe(25);
      expect(bp.screen_info.orig_video_isVGA).toBe(1);
      expect(bp.ist_info.signature).toBe(0x8680); // AH=86h: unsupported, the rest of AX kept
    });
  }

  it('the debug build logs every step of main() on COM1, in order', () => {
    const r = bootToCode32Start({ ramSize: 32 * MIB });
    const steps = [
      'k BIOS',
      'k stage2: loading the kernel',
      'k stage2: starting the setup code',
      'k setup: main',
      'k setup: copy_boot_params',
      'k setup: init_heap',
      'k setup: validate_cpu',
      'k setup: detect_memory_e820: entries 0x00000005',
      'k setup: detect_memory_e801',
      'k setup: detect_memory_88',
      'k setup: keyboard_init',
      'k setup: query_ist',
      'k setup: vga_probe: VGA',
      'k setup: vesa_probe: no VBE',
      'k setup: set_video',
      'k setup: go_to_protected_mode',
      'k setup: enable_a20',
      'k setup: mask_all_interrupts',
      'k setup: setup_idt',
      'k setup: setup_gdt',
      'k setup: protected_mode_jump: code32_start 0x00100000',
    ];
    let at = 0;
    for (const step of steps) {
      const i = r.serial.indexOf(step, at);
      expect(i, `"${step}" after offset ${at} in:\n${r.serial}`).toBeGreaterThanOrEqual(0);
      at = i;
    }
    expect(r.reached).toBe(true);
    // ESI points at boot_params inside the setup segment, as protected_mode_jump passes it
    expect(r.serial).toContain(`boot_params 0x${r.cpu.esi.toString(16).padStart(8, '0')}`);
  });

  it('a larger EBDA moves the setup code lower, as real loaders do', () => {
    const r = bootToCode32Start({
      ramSize: 32 * MIB,
      configure: (pc) => {
        pc.cmos.ram[0x15] = 0x00; // 512 KiB of base memory: the EBDA sits at 0x7FC00
        pc.cmos.ram[0x16] = 0x02;
      },
    });
    expect(r.reached).toBe(true);
    expect(r.biosE820[0]).toEqual({ addr: 0, size: 0x7fc00, type: 1 });
    expect(r.bootParams!.e820_table).toEqual(r.biosE820);
    // X = (0x7FC00 - 0xA000) & ~0xFFF = 0x75000; boot_params lives in setup's bss
    expect(r.cpu.esi).toBeGreaterThan(0x75000);
    expect(r.cpu.esi).toBeLessThan(0x7d000);
    expect(r.bootParams!.hdr.cmd_line_ptr).toBe(0x75000 + 0x9800);
  });

  it('memory above 4 GiB in the CMOS reaches boot_params as a 64-bit e820 entry', () => {
    const r = bootToCode32Start({
      ramSize: 64 * MIB,
      configure: (pc) => {
        pc.cmos.ram[0x5b] = 0x00; // 0x000100 blocks of 64 KiB = 16 MiB above 4 GiB
        pc.cmos.ram[0x5c] = 0x01;
        pc.cmos.ram[0x5d] = 0x00;
      },
    });
    expect(r.reached).toBe(true);
    expect(r.biosE820.at(-1)).toEqual({ addr: 2 ** 32, size: 16 * MIB, type: 1 });
    expect(r.bootParams!.e820_table).toEqual(r.biosE820);
    expect(r.biosE820).toEqual(r.expectedE820);
  });

  it('the BIOS hands over with A20 off; setup turns it on through the BIOS and verifies it', () => {
    const r = bootToCode32Start({ ramSize: 32 * MIB });
    expect(r.reached).toBe(true);
    expect(r.serial).toContain('k setup: enable_a20: on through the BIOS (int 15h AX=2401h)');
    expect(r.pc.bus.a20Enabled).toBe(true);
  });

  it('the release build is quiet and lands in the same place', () => {
    const r = bootToCode32Start({ kernel: buildKernelImage({ debug: false }), ramSize: 32 * MIB });
    expect(r.reached).toBe(true);
    expect(r.serial).not.toContain('k setup:');
  });

  it('past code32_start the stub reports and halts', () => {
    const r = bootToCode32Start({ ramSize: 32 * MIB });
    const run = r.pc.run(1_000_000);
    expect(run.reason).toBe('hlt');
  });
});

describe('bad input on the guest side: the loader or BIOS message, then a clean halt', () => {
  const good = buildKernelImage({ debug: false });
  const damaged = (offset: number, values: number[]) => {
    const k = good.slice();
    k.set(values, offset);
    return k;
  };
  const cases: [string, Parameters<typeof bootToCode32Start>[0], string][] = [
    [
      'a kernel without HdrS',
      { kernel: damaged(0x202, [0, 0, 0, 0]) },
      'stage2: kernel image has no HdrS signature',
    ],
    ['a too-old protocol', { kernel: damaged(0x206, [0x01, 0x02]) }, 'stage2: kernel boot protocol too old'],
    ['setup_sects that do not fit', { kernel: damaged(0x1f1, [100]) }, 'stage2: setup_sects too large'],
    ['a zImage', { kernel: damaged(0x211, [0]) }, 'stage2: not a bzImage (LOADED_HIGH clear)'],
    ['a truncated image', { kernel: good.slice(0, 2048) }, 'stage2: kernel image truncated'],
    ['an image smaller than a header', { kernel: good.slice(0, 600) }, 'stage2: kernel image truncated'],
    [
      'a kernel too large for the RAM',
      {
        kernel: buildKernelImage({ debug: false, protectedMode: new Uint8Array(16 * MIB) }),
        ramSize: 16 * MIB,
      },
      'stage2: the kernel does not fit in RAM above 1 MiB',
    ],
    [
      'an initramfs too large for the RAM below initrd_addr_max',
      { kernel: good, initrd: new Uint8Array(15 * MIB), ramSize: 16 * MIB },
      'stage2: initrd does not fit between the kernel and initrd_addr_max',
    ],
  ];
  for (const [what, options, message] of cases) {
    it(what, () => {
      const r = bootToCode32Start({ ramSize: 32 * MIB, ...options, validate: false });
      expect(r.reached).toBe(false);
      expect(r.stop).toBe('hlt');
      expect(r.serial).toContain(message);
      expect(r.reason).toContain(`last console line: "${message}`);
    });
  }

  it('a disk without 0x55AA: the BIOS says so and halts', () => {
    const disk = buildDiskImage({ kernel: good }).bytes;
    disk[510] = 0;
    disk[511] = 0;
    const r = bootToCode32Start({ disk, ramSize: 16 * MIB });
    expect(r.stop).toBe('hlt');
    expect(r.serial).toContain(
      'k BIOS: no bootable disk: the boot sector has no 0x55AA signature; system halted',
    );
  });

  it('a disk without an active partition: the MBR says so', () => {
    const disk = buildDiskImage({ kernel: good }).bytes;
    disk[0x1be] = 0;
    const r = bootToCode32Start({ disk, ramSize: 16 * MIB });
    expect(r.stop).toBe('hlt');
    expect(r.serial).toContain('MBR: no active partition');
  });

  it('no disk at all: the BIOS says so and halts', () => {
    const serial: number[] = [];
    const pc = new PC({ ramSize: 16 * MIB, rom: BIOS_ROM, serial: (b) => serial.push(b) });
    expect(pc.run(10_000_000).reason).toBe('hlt');
    expect(Buffer.from(serial).toString()).toContain('k BIOS: no bootable disk: no ATA drive answered');
  });

  it('an invalid opcode in real mode: the BIOS reports where and halts', () => {
    const disk = new Uint8Array(16 * 63 * 512);
    disk.set([0x90, 0x0f, 0x0b], 0); // nop; ud2
    disk[510] = 0x55;
    disk[511] = 0xaa;
    const r = bootToCode32Start({ disk, ramSize: 16 * MIB });
    expect(r.stop).toBe('hlt');
    expect(r.serial).toContain('k BIOS: invalid opcode (#UD) at 0000:7c01; system halted');
  });

  it('an instruction limit is reported as such', () => {
    const r = bootToCode32Start({ ramSize: 16 * MIB, maxInstructions: 5000 });
    expect(r.stop).toBe('limit');
    expect(r.reason).toMatch(/^gave up after 5000 instructions \(real mode/);
  });

  it('host-side validation stops a bad image before power-on, naming the field', () => {
    expect(() => bootToCode32Start({ kernel: good.slice(0, 600) })).toThrow(/^image: truncated/);
    expect(() =>
      bootToCode32Start({
        kernel: buildKernelImage({ protectedMode: new Uint8Array(16 * MIB) }),
        ramSize: 16 * MIB,
      }),
    ).toThrow(/^kernel: the protected-mode part ends at 0x01100000, above the top of RAM \(0x01000000\)/);
    expect(() => bootToCode32Start({ maxInstructions: 0 })).toThrow(
      /^maxInstructions: expected a positive integer/,
    );
  });
});
