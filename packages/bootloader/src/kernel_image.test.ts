import { describe, expect, it } from 'vitest';
import { buildKernelImage, HEAD_32, setupCode } from './kernel_image.js';
import { parseSetupHeader } from './setup_header.js';

describe('buildKernelImage', () => {
  it('is setup code followed by the protected-mode part, with syssize and init_size patched', () => {
    const img = buildKernelImage();
    const setup = setupCode(true);
    const h = parseSetupHeader(img);
    expect((h.setup_sects + 1) * 512).toBe(setup.length);
    expect(img.subarray(setup.length, setup.length + HEAD_32.length)).toEqual(HEAD_32);
    expect(h.syssize * 16).toBe(img.length - setup.length);
    expect(h.init_size).toBeGreaterThanOrEqual(h.syssize * 16);
    expect(h.init_size % 4096).toBe(0);
  });

  it('the debug build carries the step log, the release build does not', () => {
    const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
    expect(text(setupCode(true))).toContain('k setup: go_to_protected_mode');
    expect(text(setupCode(false))).not.toContain('k setup:');
    expect(text(setupCode(false))).toContain('A20 gate not responding, unable to boot...');
  });

  it('takes another protected-mode part', () => {
    const pm = new Uint8Array([0xf4, 0xeb, 0xfd]);
    const img = buildKernelImage({ debug: false, protectedMode: pm });
    expect(parseSetupHeader(img).syssize).toBe(1);
    expect(() => buildKernelImage({ protectedMode: new Uint8Array(0) })).toThrow(
      /^protectedMode: expected a non-empty/,
    );
  });
});
