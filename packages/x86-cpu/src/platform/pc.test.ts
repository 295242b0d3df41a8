import { describe, expect, it } from 'vitest';
import timer from '../../roms/timer.bin';
import { PC, PcError } from './pc.js';

/** A 64 KiB ROM whose reset vector jumps to `code` placed at F000:0000. */
function romWith(code: number[]): Uint8Array {
  const rom = new Uint8Array(0x10000).fill(0xf4);
  rom.set(code, 0);
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0); // jmp f000:0000
  return rom;
}

describe('PC', () => {
  it('validates its options, naming the field', () => {
    expect(() => new PC({ ramSize: 1000 })).toThrow(/ramSize/);
    expect(() => new PC({ ramSize: 1 << 20, rom: new Uint8Array(100) })).toThrow(PcError);
    expect(() => new PC({ ramSize: 1 << 20, rom: new Uint8Array(100) })).toThrow(/rom must be/);
  });

  it('starts at the reset vector through the alias below 4 GiB and writes the POST port', () => {
    const posts: number[] = [];
    const out: number[] = [];
    // mov al,0x12; out 0x80,al; mov al,'A'; out 0xe9,al; cli; hlt
    const pc = new PC({
      ramSize: 1 << 20,
      rom: romWith([0xb0, 0x12, 0xe6, 0x80, 0xb0, 0x41, 0xe6, 0xe9, 0xfa, 0xf4]),
      onPost: (c) => posts.push(c),
      debugOut: (b) => out.push(b),
    });
    const r = pc.run(1000);
    expect(r.reason).toBe('hlt');
    expect(posts).toEqual([0x12]);
    expect(out).toEqual([0x41]);
    expect(pc.postCode).toBe(0x12);
  });
});

describe('PC with the chipset test ROM (roms/timer.asm)', () => {
  function machine() {
    const out: number[] = [];
    const serial: number[] = [];
    const posts: number[] = [];
    const callbacks = {
      debugOut: (b: number) => out.push(b),
      serial: (b: number) => serial.push(b),
      onPost: (c: number) => posts.push(c),
    };
    return { callbacks, out, serial, posts };
  }

  it('takes timer interrupts through the 8259A, idles in HLT in virtual time, talks to COM1 and the RTC', () => {
    const m = machine();
    const pc = new PC({ ramSize: 1 << 20, rom: timer, ...m.callbacks });
    pc.uart.receive('ping');
    const r = pc.run(100_000);
    expect(r.reason).toBe('hlt');
    expect(new TextDecoder().decode(Uint8Array.from(m.out))).toBe(
      '10 timer interrupts, RTC year 26\n5 RTC periodic interrupts\nCOM1 received: ping\n',
    );
    expect(new TextDecoder().decode(Uint8Array.from(m.serial))).toBe('hello from COM1\r\n');
    expect(m.posts).toEqual([1, 2, 3, 4, 5, 0xff]);
    expect(pc.pic.isr).toBe(0);
    // programming mode 2 raises OUT at once (the first interrupt), then nine 1 ms periods pass, then
    // five RTC periods of ~0.98 ms, all in virtual time although only a few hundred instructions run
    expect(pc.now()).toBeGreaterThan(8_990_000 + 4_000_000);
    expect(pc.now()).toBeLessThan(8_990_000 + 6_000_000);
    expect(r.instructions).toBeLessThan(2_000);
  });

  it('saves mid-run and the restored machine continues identically', () => {
    const a = machine();
    const pc = new PC({ ramSize: 1 << 20, rom: timer, ...a.callbacks });
    expect(pc.run(200).reason).toBe('limit');
    const state = JSON.parse(JSON.stringify(pc.saveState()));
    const b = machine();
    const copy = PC.restoreState(state, b.callbacks);
    const ra = pc.run(100_000);
    const rb = copy.run(100_000);
    expect(rb).toEqual(ra);
    expect(b.out).toEqual(a.out.slice(a.out.length - b.out.length));
    expect(b.out.length).toBeGreaterThan(0);
    expect(copy.cpu.getState()).toEqual(pc.cpu.getState());
    expect(copy.now()).toBe(pc.now());
    expect(copy.saveState()).toEqual(pc.saveState());
  });
});

describe('PC chipset wiring', () => {
  it('gates A20 through the 8042 output port and port 0x92', () => {
    const pc = new PC({ ramSize: 2 << 20 });
    expect(pc.bus.a20Enabled).toBe(true);
    pc.io.out8(0x64, 0xd1);
    pc.io.out8(0x60, 0xdd);
    expect(pc.bus.a20Enabled).toBe(false);
    pc.io.out8(0x92, 0x02);
    expect(pc.bus.a20Enabled).toBe(true);
    expect(pc.io.in8(0x92)).toBe(0x02);
  });

  it('resets the CPU on 8042 command 0xFE and on port 0x92 bit 0, after the current instruction', () => {
    // mov al,0xfe; out 0x64,al; (never reached) jmp $
    const pc = new PC({ ramSize: 1 << 20, rom: romWith([0xb0, 0xfe, 0xe6, 0x64, 0xeb, 0xfe]) });
    pc.run(3);
    // after the OUT the CPU was reset: it is back at the reset vector
    expect(pc.cpu.getState().cs.selector).toBe(0xf000);
    expect(pc.cpu.eip).toBe(0xfff0);
    // inc byte [0x500]; mov al,[0x500]; out 0x80,al; mov al,1; out 0x92,al; jmp $ — RAM survives the reset
    const posts: number[] = [];
    const code = [0xfe, 0x06, 0x00, 0x05, 0xa0, 0x00, 0x05, 0xe6, 0x80, 0xb0, 0x01, 0xe6, 0x92, 0xeb, 0xfe];
    const pc2 = new PC({ ramSize: 1 << 20, rom: romWith(code), onPost: (c) => posts.push(c) });
    expect(pc2.run(18).reason).toBe('limit');
    expect(posts).toEqual([1, 2, 3]);
    expect(pc2.io.in8(0x92) & 1).toBe(0);
  });

  it('exposes CMOS memory size, the PIC registers and the ATA disk', () => {
    const disk = new Uint8Array(512 * 64);
    const pc = new PC({ ramSize: 32 << 20, disk });
    pc.io.out8(0x70, 0x30);
    const lo = pc.io.in8(0x71);
    pc.io.out8(0x70, 0x31);
    expect(lo | (pc.io.in8(0x71) << 8)).toBe(31 * 1024);
    pc.pic.raiseIrq(3);
    expect(pc.pic.irr & 8).toBe(8);
    expect(pc.io.in8(0x1f7)).toBe(0x50);
    expect(() => new PC({ ramSize: 1 << 20, clock: 'sundial' as 'wall' })).toThrow(/clock must be/);
  });

  it('runs on the wall clock too', () => {
    const pc = new PC({ ramSize: 1 << 20, rom: timer, clock: 'wall' });
    expect(pc.run(1_000_000).reason).toBe('hlt');
  });
});

describe('PC robustness', () => {
  it('survives random port traffic to every device without a host exception', () => {
    let seed = 0x12345678;
    const rnd = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const ports = [
      0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64, 0x70, 0x71, 0x92, 0x80, 0xe9, 0x1f0,
      0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe,
      0x3ff,
    ];
    const pc = new PC({ ramSize: 1 << 20, disk: new Uint8Array(512 * 32), rom: timer });
    for (let i = 0; i < 200_000; i++) {
      const port = ports[rnd() % ports.length];
      const op = rnd() % 8;
      if (op < 3) pc.io.out8(port, rnd() & 0xff);
      else if (op < 6) pc.io.in8(port);
      else if (op === 6) pc.io.out16(port, rnd() & 0xffff);
      else pc.io.in32(port);
      if (i % 1000 === 0) {
        pc.uart.receive([rnd() & 0xff]);
        pc.kbc.sendScancodes([rnd() & 0xff]);
        if (pc.pic.intr()) pc.pic.acknowledge();
      }
    }
    expect(() => pc.run(10_000)).not.toThrow();
    expect(() => JSON.stringify(pc.saveState())).not.toThrow();
  });
});
