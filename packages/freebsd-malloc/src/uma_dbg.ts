// sys/vm/uma_dbg.c's INVARIANTS checks, word for word. In FreeBSD they panic; here the allocator
// reports them (printf) and refuses the operation, or panics when created with
// `invariants: 'panic'`.

import { fmtp } from './kern_shutdown.js';

/** uma_dbg_free(): the item's page belongs to no slab of this zone. */
export function msg_not_in_zone(item: number, zone: string): string {
  return `uma: Freed item ${fmtp(item)} did not belong to zone ${zone}`;
}

/** uma_dbg_free(): index past the slab's items. */
export function msg_invalid_free(
  item: number,
  zone: number,
  name: string,
  slab: number,
  freei: number,
): string {
  return `Invalid free of ${fmtp(item)} from zone ${fmtp(zone)}(${name}) slab ${fmtp(slab)}(${freei})`;
}

/** uma_dbg_free(): the pointer is inside an item, not at its start. */
export function msg_unaligned_free(
  item: number,
  zone: number,
  name: string,
  slab: number,
  freei: number,
): string {
  return `Unaligned free of ${fmtp(item)} from zone ${fmtp(zone)}(${name}) slab ${fmtp(slab)}(${freei})`;
}

/** uma_dbg_free(): the item is not allocated. */
export function msg_duplicate_free(
  item: number,
  zone: number,
  name: string,
  slab: number,
  freei: number,
): string {
  return `Duplicate free of ${fmtp(item)} from zone ${fmtp(zone)}(${name}) slab ${fmtp(slab)}(${freei})`;
}

/** uma_dbg_alloc(): the keg handed out an item that is already allocated. */
export function msg_duplicate_alloc(
  item: number,
  zone: number,
  name: string,
  slab: number,
  freei: number,
): string {
  return `Duplicate alloc of ${fmtp(item)} from zone ${fmtp(zone)}(${name}) slab ${fmtp(slab)}(${freei})`;
}

/** uma_junk: the pattern INVARIANTS kernels fill free malloc(9) memory with. */
export const uma_junk = 0xdeadc0de;

/** What the trash callbacks need from the kernel. */
export interface TrashHost {
  readonly mem: {
    read32(addr: number): number;
    readBytes(addr: number, length: number): Uint8Array;
    writeBytes(addr: number, bytes: Uint8Array): void;
  };
  printf(message: string): void;
  /** panic() under `invariants: 'panic'`, otherwise report and carry on. */
  violation(message: string): void;
  /** ks_shortdesc of the malloc type at `mtp`, or null if it is not a valid type. */
  type_name(mtp: number): string | null;
}

const PAGE_OFFSET = 0xc0000000;
let junk = new Uint8Array(0);

function junk_bytes(n: number): Uint8Array {
  if (junk.length < n) {
    junk = new Uint8Array(Math.max(n, 4096));
    const w = new DataView(junk.buffer);
    for (let i = 0; i + 4 <= junk.length; i += 4) w.setUint32(i, uma_junk, true);
  }
  return junk.subarray(0, n);
}

/**
 * mtrash_ctor/dtor/init/fini of uma_dbg.c: malloc(9)'s zones under INVARIANTS. Free items are
 * filled with uma_junk except their last pointer (where free() saved the freeing type); an
 * allocation finds any other word changed and reports "Memory modified after free", then panics
 * "Most recently used by <type>".
 */
export function mtrash(host: TrashHost) {
  const ctor = (mem: number, size: number): number => {
    size -= 4;
    const cnt = size >>> 2;
    const bytes = host.mem.readBytes(mem - PAGE_OFFSET, cnt * 4);
    const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < cnt; i++) {
      const v = words.getUint32(4 * i, true);
      if (v !== uma_junk) {
        host.printf(
          `Memory modified after free ${fmtp(mem)}(${size}) val=${v.toString(16)} @ ${fmtp(mem + 4 * i)}\n`,
        );
        const ksp = host.mem.read32(mem - PAGE_OFFSET + size);
        host.violation(`Most recently used by ${ksp === 0 ? 'none' : (host.type_name(ksp) ?? 'none')}`);
        return 0;
      }
    }
    return 0;
  };
  const dtor = (mem: number, size: number): void => {
    host.mem.writeBytes(mem - PAGE_OFFSET, junk_bytes(((size - 4) >>> 2) * 4));
  };
  return {
    ctor: (mem: number, size: number, _arg: number, _flags: number) => ctor(mem, size),
    dtor: (mem: number, size: number, _arg: number) => dtor(mem, size),
    init: (mem: number, size: number, _flags: number) => {
      dtor(mem, size);
      return 0;
    },
    fini: (mem: number, size: number) => {
      ctor(mem, size);
    },
  };
}
