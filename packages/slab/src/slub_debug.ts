// SLUB's debugging (the CONFIG_SLUB_DEBUG half of mm/slub.c): the slub_debug option, poisoning,
// red zones and alloc/free tracking written into simulated memory around each object, the checks
// on alloc and free, and the reports in the kernel's words. A failed check never lets a bad free
// through: the object is reported and not freed ("Object at 0x... not freed").
//
// Object layout (s.size bytes per slot, object address = slot + red_left_pad):
//   [left red zone][object (object_size)][right red zone to inuse][free pointer if outside]
//   [struct track alloc][struct track free][padding 0x5a to size]

import { KERN_INFO, PAGE_OFFSET, PAGE_SIZE, type Printk } from '@k/page-alloc';
import { defineStruct, offsetof } from './container_of.js';
import { POISON_END, POISON_FREE, POISON_INUSE, SLUB_RED_ACTIVE, SLUB_RED_INACTIVE } from './poison.js';
import {
  DEBUG_DEFAULT_FLAGS,
  POINTER_SIZE,
  SLAB_CONSISTENCY_CHECKS,
  SLAB_POISON,
  SLAB_RED_ZONE,
  SLAB_STORE_USER,
  SLAB_TRACE,
} from './slab.js';
import type { KmemCache, Slub } from './slub.js';

/** struct track (32-bit, without a stack depot handle). */
export const struct_track = defineStruct('track', [
  ['addr', 'u32'],
  ['cpu', 'int'],
  ['pid', 'int'],
  ['when', 'u32'],
]);
export const TRACK_SIZE = struct_track.size;
export const TRACK_ALLOC = 0;
export const TRACK_FREE = 1;

// ---- the slub_debug option ----------------------------------------------------------------------

/** One `flags,slab,slab` block of slub_debug. */
export interface SlubDebugBlock {
  flags: number;
  slabs: string[];
}

function parse_flags(text: string, printk: Printk | null): number {
  let flags = 0;
  for (const ch of text) {
    switch (ch.toLowerCase()) {
      case '-':
        flags = 0;
        break;
      case 'f':
        flags |= SLAB_CONSISTENCY_CHECKS;
        break;
      case 'z':
        flags |= SLAB_RED_ZONE;
        break;
      case 'p':
        flags |= SLAB_POISON;
        break;
      case 'u':
        flags |= SLAB_STORE_USER;
        break;
      case 't':
        flags |= SLAB_TRACE;
        break;
      case 'a':
      case 'o':
        break;
      default:
        printk?.(`\x013slub_debug option '${ch}' unknown. skipped\n`);
    }
  }
  return flags;
}

/** setup_slub_debug(): parses the boot option's value into global flags and per-slab blocks. */
export function parse_slub_debug(
  option: boolean | string,
  printk: Printk,
): { global: number; blocks: SlubDebugBlock[] } {
  if (option === false) return { global: 0, blocks: [] };
  let text = option === true ? '' : String(option);
  text = text.replace(/^(?:slub_debug|slab_debug)=?/, '');
  if (text === '') return { global: DEBUG_DEFAULT_FLAGS, blocks: [] };
  let global = 0;
  let globalChanged = false;
  const blocks: SlubDebugBlock[] = [];
  for (const block of text.split(';')) {
    if (block === '') continue;
    const comma = block.indexOf(',');
    const flagText = comma < 0 ? block : block.slice(0, comma);
    const flags = comma === 0 ? DEBUG_DEFAULT_FLAGS : parse_flags(flagText, printk);
    if (comma < 0) {
      global = flags;
      globalChanged = true;
    } else {
      blocks.push({
        flags,
        slabs: block
          .slice(comma + 1)
          .split(',')
          .filter((n) => n !== ''),
      });
    }
  }
  return { global: globalChanged ? global : 0, blocks };
}

/** kmem_cache_flags(): the debug flags slub_debug adds to a cache called `name`. */
export function kmem_cache_flags(
  debug: { global: number; blocks: SlubDebugBlock[] },
  flags: number,
  name: string,
): number {
  for (const block of debug.blocks) {
    for (const pattern of block.slabs) {
      const glob = pattern.indexOf('*');
      const match = glob >= 0 ? name.startsWith(pattern.slice(0, glob)) : name === pattern;
      if (match) return flags | block.flags;
    }
  }
  return flags | debug.global;
}

// ---- formatting ---------------------------------------------------------------------------------

/** %p of a 32-bit pointer. */
export function ptr(p: number): string {
  return (p >>> 0).toString(16).padStart(8, '0');
}

function phys(v: number): number {
  return v - PAGE_OFFSET;
}

/** print_section(): print_hex_dump(DUMP_PREFIX_ADDRESS, 16 bytes a row, ASCII column). */
export function print_section(a: Slub, level: string, text: string, addr: number, length: number): void {
  for (let i = 0; i < length; i += 16) {
    const n = Math.min(16, length - i);
    let hex = '';
    let ascii = '';
    for (let j = 0; j < n; j++) {
      const b = a.mem.read8(phys(addr + i + j));
      hex += (j === 0 ? '' : ' ') + b.toString(16).padStart(2, '0');
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    a.printk(`${level}${text}${ptr(addr + i)}: ${hex.padEnd(49, ' ')}${ascii}\n`);
  }
}

function pr_err(a: Slub, text: string): void {
  a.pr_err(text);
}

/** slab_bug(): the report banner. */
export function slab_bug(a: Slub, s: KmemCache, text: string): void {
  pr_err(a, '=============================================================================');
  pr_err(a, `BUG ${s.name} (${a.print_tainted()}): ${text}`);
  pr_err(a, '-----------------------------------------------------------------------------');
  pr_err(a, '');
}

/** slab_fix(): what the allocator did about it. */
export function slab_fix(a: Slub, s: KmemCache, text: string): void {
  pr_err(a, `FIX ${s.name}: ${text}`);
}

function slab_address(slab: number): number {
  return PAGE_OFFSET + slab * PAGE_SIZE;
}

/** print_slab_info() */
export function print_slab_info(a: Slub, slab: number): void {
  const flags = a.slab_order[slab] > 0 ? '0x10200(slab|head)' : '0x200(slab)';
  pr_err(
    a,
    `Slab 0x${ptr(slab_address(slab))} objects=${a.slab_objects[slab]} used=${a.slab_inuse[slab]} fp=0x${ptr(a.slab_freelist[slab])} flags=${flags}`,
  );
}

/** dump_stack(): the caller of the slab API and the slab function that reported. */
export function dump_stack(a: Slub, where = 'dump_stack'): void {
  a.dump_stack([where, a.callers.symbolize(a.callers.capture(1))]);
}

function get_freepointer(a: Slub, s: KmemCache, object: number): number {
  return a.mem.read32(phys(object + s.offset));
}

function get_info_end(s: KmemCache): number {
  return s.offset >= s.inuse ? s.inuse + POINTER_SIZE : s.inuse;
}

function size_from_object(s: KmemCache): number {
  return s.flags & SLAB_RED_ZONE ? s.size - s.red_left_pad : s.size;
}

function get_track(s: KmemCache, object: number, which: number): number {
  return object + get_info_end(s) + which * TRACK_SIZE;
}

/** set_track(): record who allocated or freed the object, in the object's metadata. */
export function set_track(a: Slub, s: KmemCache, object: number, which: number, addr: number): void {
  const t = phys(get_track(s, object, which));
  a.mem.write32(t + offsetof(struct_track, 'addr'), addr);
  a.mem.write32(t + offsetof(struct_track, 'cpu'), 0);
  a.mem.write32(t + offsetof(struct_track, 'pid'), a.context.current_pid());
  a.mem.write32(t + offsetof(struct_track, 'when'), a.jiffies() >>> 0);
}

function print_track(a: Slub, what: string, t: number, now: number): void {
  const addr = a.mem.read32(phys(t + offsetof(struct_track, 'addr')));
  if (addr === 0) return;
  const cpu = a.mem.read32(phys(t + offsetof(struct_track, 'cpu')));
  const pid = a.mem.read32(phys(t + offsetof(struct_track, 'pid'))) | 0;
  const when = a.mem.read32(phys(t + offsetof(struct_track, 'when')));
  pr_err(a, `${what} in ${a.callers.symbolize(addr)} age=${(now - when) >>> 0} cpu=${cpu} pid=${pid}`);
}

/** print_tracking(): "Allocated in ..." / "Freed in ..." */
export function print_tracking(a: Slub, s: KmemCache, object: number): void {
  if (!(s.flags & SLAB_STORE_USER)) return;
  const now = a.jiffies() >>> 0;
  print_track(a, 'Allocated', get_track(s, object, TRACK_ALLOC), now);
  print_track(a, 'Freed', get_track(s, object, TRACK_FREE), now);
}

/** print_trailer(): everything known about an object, in hex. */
export function print_trailer(a: Slub, s: KmemCache, slab: number, p: number): void {
  const addr = slab_address(slab);
  print_tracking(a, s, p);
  print_slab_info(a, slab);
  pr_err(a, `Object 0x${ptr(p)} @offset=${p - addr} fp=0x${ptr(get_freepointer(a, s, p))}`);
  pr_err(a, '');
  if (s.flags & SLAB_RED_ZONE) print_section(a, '\x013', 'Redzone  ', p - s.red_left_pad, s.red_left_pad);
  else if (p > addr + 16) print_section(a, '\x013', 'Bytes b4 ', p - 16, 16);
  print_section(a, '\x013', 'Object   ', p, Math.min(s.object_size, PAGE_SIZE));
  if (s.flags & SLAB_RED_ZONE)
    print_section(a, '\x013', 'Redzone  ', p + s.object_size, s.inuse - s.object_size);
  let off = get_info_end(s);
  if (s.flags & SLAB_STORE_USER) off += 2 * TRACK_SIZE;
  if (off !== size_from_object(s)) print_section(a, '\x013', 'Padding  ', p + off, size_from_object(s) - off);
  dump_stack(a);
}

/** object_err() */
export function object_err(a: Slub, s: KmemCache, slab: number, object: number, reason: string): void {
  slab_bug(a, s, reason);
  print_trailer(a, s, slab, object);
  a.add_taint();
}

/** slab_err() */
export function slab_err(a: Slub, s: KmemCache, slab: number, text: string): void {
  slab_bug(a, s, text);
  print_slab_info(a, slab);
  dump_stack(a);
  a.add_taint();
}

// ---- poisoning and red zones --------------------------------------------------------------------

/** init_object(): red zones to `val`, the object itself poisoned (0x6b ... 0xa5). */
export function init_object(a: Slub, s: KmemCache, object: number, val: number): void {
  const mem = a.mem;
  if (s.flags & SLAB_RED_ZONE) mem.fill(phys(object - s.red_left_pad), s.red_left_pad, val);
  if (s.object_poison) {
    mem.fill(phys(object), s.object_size - 1, POISON_FREE);
    mem.write8(phys(object + s.object_size - 1), POISON_END);
  }
  if (s.flags & SLAB_RED_ZONE) mem.fill(phys(object + s.object_size), s.inuse - s.object_size, val);
}

/** setup_slab_debug(): a new poisoned slab starts out all 0x5a. */
export function setup_slab_debug(a: Slub, s: KmemCache, start: number, length: number): void {
  if (s.flags & SLAB_POISON) a.mem.fill(phys(start), length, POISON_INUSE);
}

/** setup_object_debug(): a new object starts inactive, with empty tracking. */
export function setup_object_debug(a: Slub, s: KmemCache, object: number): void {
  if (!(s.flags & (SLAB_STORE_USER | SLAB_RED_ZONE)) && !s.object_poison) return;
  init_object(a, s, object, SLUB_RED_INACTIVE);
  if (s.flags & SLAB_STORE_USER) a.mem.fill(phys(get_track(s, object, TRACK_ALLOC)), 2 * TRACK_SIZE, 0);
}

function memchr_inv(a: Slub, start: number, value: number, bytes: number): number {
  for (let i = 0; i < bytes; i++) if (a.mem.read8(phys(start + i)) !== value) return start + i;
  return 0;
}

function restore_bytes(a: Slub, s: KmemCache, message: string, data: number, from: number, to: number): void {
  slab_fix(a, s, `Restoring ${message} 0x${ptr(from)}-0x${ptr(to - 1)}=0x${data.toString(16)}`);
  a.mem.fill(phys(from), to - from, data);
}

function check_bytes_and_report(
  a: Slub,
  s: KmemCache,
  slab: number,
  object: number,
  what: string,
  start: number,
  value: number,
  bytes: number,
): boolean {
  const fault = memchr_inv(a, start, value, bytes);
  if (fault === 0) return true;
  let end = start + bytes;
  while (end > fault && a.mem.read8(phys(end - 1)) === value) end--;
  slab_bug(a, s, `${what} overwritten`);
  pr_err(
    a,
    `0x${ptr(fault)}-0x${ptr(end - 1)} @offset=${fault - slab_address(slab)}. First byte 0x${a.mem.read8(phys(fault)).toString(16)} instead of 0x${value.toString(16)}`,
  );
  print_trailer(a, s, slab, object);
  a.add_taint();
  restore_bytes(a, s, what, value, fault, end);
  return false;
}

function check_pad_bytes(a: Slub, s: KmemCache, slab: number, p: number): boolean {
  let off = get_info_end(s);
  if (s.flags & SLAB_STORE_USER) off += 2 * TRACK_SIZE;
  if (size_from_object(s) === off) return true;
  return check_bytes_and_report(
    a,
    s,
    slab,
    p,
    'Object padding',
    p + off,
    POISON_INUSE,
    size_from_object(s) - off,
  );
}

/** slab_pad_check(): the bytes after the last object of a poisoned slab. */
export function slab_pad_check(a: Slub, s: KmemCache, slab: number): void {
  if (!(s.flags & SLAB_POISON)) return;
  const start = slab_address(slab);
  const length = PAGE_SIZE << a.slab_order[slab];
  const remainder = length % s.size;
  if (remainder === 0) return;
  let end = start + length;
  const pad = end - remainder;
  const fault = memchr_inv(a, pad, POISON_INUSE, remainder);
  if (fault === 0) return;
  while (end > fault && a.mem.read8(phys(end - 1)) === POISON_INUSE) end--;
  slab_err(a, s, slab, `Padding overwritten. 0x${ptr(fault)}-0x${ptr(end - 1)} @offset=${fault - start}`);
  print_section(a, '\x013', 'Padding ', pad, remainder);
  restore_bytes(a, s, 'slab padding', POISON_INUSE, fault, end);
}

/** check_valid_pointer(): NULL or the start of one of the slab's objects. */
export function check_valid_pointer(a: Slub, s: KmemCache, slab: number, object: number): boolean {
  if (object === 0) return true;
  const base = slab_address(slab);
  const o = object - s.red_left_pad;
  return !(o < base || o >= base + a.slab_objects[slab] * s.size || (o - base) % s.size !== 0);
}

/** check_object(): red zones, poison, padding and the free pointer of one object. */
export function check_object(a: Slub, s: KmemCache, slab: number, object: number, val: number): boolean {
  const p = object;
  const endobject = object + s.object_size;
  if (s.flags & SLAB_RED_ZONE) {
    if (
      !check_bytes_and_report(
        a,
        s,
        slab,
        object,
        'Left Redzone',
        object - s.red_left_pad,
        val,
        s.red_left_pad,
      )
    ) {
      return false;
    }
    if (
      !check_bytes_and_report(a, s, slab, object, 'Right Redzone', endobject, val, s.inuse - s.object_size)
    ) {
      return false;
    }
  } else if (s.flags & SLAB_POISON && s.object_size < s.inuse) {
    check_bytes_and_report(
      a,
      s,
      slab,
      p,
      'Alignment padding',
      endobject,
      POISON_INUSE,
      s.inuse - s.object_size,
    );
  }
  if (s.flags & SLAB_POISON) {
    if (val !== SLUB_RED_ACTIVE && s.object_poison) {
      if (!check_bytes_and_report(a, s, slab, p, 'Poison', p, POISON_FREE, s.object_size - 1)) return false;
      if (!check_bytes_and_report(a, s, slab, p, 'End Poison', p + s.object_size - 1, POISON_END, 1))
        return false;
    }
    check_pad_bytes(a, s, slab, p);
  }
  // Object and free pointer overlap: the free pointer cannot be checked while allocated.
  if (s.offset < s.inuse && val === SLUB_RED_ACTIVE) return true;
  if (!check_valid_pointer(a, s, slab, get_freepointer(a, s, p))) {
    object_err(a, s, slab, p, 'Freepointer corrupt');
    a.mem.write32(phys(p + s.offset), 0);
    return false;
  }
  return true;
}

/** on_freelist(): is `search` on the slab's freelist? Repairs a corrupt chain or count. */
export function on_freelist(a: Slub, s: KmemCache, slab: number, search: number): boolean {
  let nr = 0;
  let fp = a.slab_freelist[slab];
  let object = 0;
  const objects = a.slab_objects[slab];
  while (fp !== 0 && nr <= objects) {
    if (fp === search) return true;
    if (!check_valid_pointer(a, s, slab, fp)) {
      if (object !== 0) {
        object_err(a, s, slab, object, 'Freechain corrupt');
        a.mem.write32(phys(object + s.offset), 0);
      } else {
        slab_err(a, s, slab, 'Freepointer corrupt');
        a.slab_freelist[slab] = 0;
        a.slab_inuse[slab] = objects;
        slab_fix(a, s, 'Freelist cleared');
        return false;
      }
      break;
    }
    object = fp;
    fp = get_freepointer(a, s, object);
    nr++;
  }
  if (a.slab_inuse[slab] !== objects - nr) {
    slab_err(
      a,
      s,
      slab,
      `Wrong object count. Counter is ${a.slab_inuse[slab]} but counted were ${objects - nr}`,
    );
    a.slab_inuse[slab] = objects - nr;
    slab_fix(a, s, 'Object count adjusted');
  }
  return search === 0;
}

function trace(a: Slub, s: KmemCache, slab: number, object: number, alloc: boolean): void {
  if (!(s.flags & SLAB_TRACE)) return;
  a.printk(
    `${KERN_INFO}TRACE ${s.name} ${alloc ? 'alloc' : 'free'} 0x${ptr(object)} inuse=${a.slab_inuse[slab]} fp=0x${ptr(a.slab_freelist[slab])}\n`,
  );
  if (!alloc) print_section(a, KERN_INFO, 'Object ', object, s.object_size);
}

// ---- the alloc and free paths -------------------------------------------------------------------

/** alloc_debug_processing(): check the object about to be handed out, then mark it active. */
export function alloc_debug_processing(
  a: Slub,
  s: KmemCache,
  slab: number,
  object: number,
  caller: number,
): boolean {
  slab_pad_check(a, s, slab);
  let ok = true;
  if (!check_valid_pointer(a, s, slab, object)) {
    object_err(a, s, slab, object, 'Freelist Pointer check fails');
    ok = false;
  } else if (!check_object(a, s, slab, object, SLUB_RED_INACTIVE)) {
    ok = false;
  }
  if (!ok) {
    // Marking all objects used keeps the rest of this slab from being touched.
    slab_fix(a, s, 'Marking all objects used');
    a.slab_inuse[slab] = a.slab_objects[slab];
    a.slab_freelist[slab] = 0;
    return false;
  }
  trace(a, s, slab, object, true);
  init_object(a, s, object, SLUB_RED_ACTIVE);
  if (s.flags & SLAB_STORE_USER) set_track(a, s, object, TRACK_ALLOC, caller);
  return true;
}

/** free_debug_processing(): refuse a bad free; otherwise mark the object free and poisoned. */
export function free_debug_processing(
  a: Slub,
  s: KmemCache,
  slab: number,
  object: number,
  caller: number,
): boolean {
  let ok = true;
  if (!check_valid_pointer(a, s, slab, object)) {
    slab_err(a, s, slab, `Invalid object pointer 0x${ptr(object)}`);
    ok = false;
  } else if (on_freelist(a, s, slab, object)) {
    object_err(a, s, slab, object, 'Object already free');
    ok = false;
  } else if (!check_object(a, s, slab, object, SLUB_RED_ACTIVE)) {
    ok = false;
  }
  if (!ok) {
    slab_fix(a, s, `Object at 0x${ptr(object)} not freed`);
    return false;
  }
  if (s.flags & SLAB_STORE_USER) set_track(a, s, object, TRACK_FREE, caller);
  trace(a, s, slab, object, false);
  init_object(a, s, object, SLUB_RED_INACTIVE);
  return true;
}

/** A non-debug cache's free that the cheap checks refused: a bad pointer or a double free. */
export function slab_free_checks(a: Slub, s: KmemCache, slab: number, object: number): void {
  if (!check_valid_pointer(a, s, slab, object)) {
    slab_err(a, s, slab, `Invalid object pointer 0x${ptr(object)}`);
  } else {
    object_err(a, s, slab, object, 'Object already free');
  }
  slab_fix(a, s, `Object at 0x${ptr(object)} not freed`);
}

/** kmem_cache_free() of something that is not an object of `s`: warn and refuse. */
export function slab_report_bad_free(
  a: Slub,
  s: KmemCache | null,
  x: number,
  slab: number,
  fn: string,
): void {
  if (slab < 0) {
    a.WARN('virt_to_cache', 'mm/slab.h', 'virt_to_cache: Object is not a Slab page!');
    a.pr_err(`${fn}: object pointer: 0x${ptr(x)}`);
    return;
  }
  const cachep = a.caches[a.slab_cache[slab] - 1];
  if (cachep === undefined) return;
  a.WARN(
    'cache_from_obj',
    'mm/slab.h',
    `cache_from_obj: Wrong slab cache. ${s?.name ?? '(null)'} but object is from ${cachep.name}`,
  );
  print_tracking(a, cachep, x);
}

/**
 * The objects on a slab's freelist (__fill_map() in mm/slub.c), followed at most one step past the
 * object count, so a looping freelist ends the walk.
 */
function free_objects(a: Slub, s: KmemCache, slab: number): Set<number> {
  const free = new Set<number>();
  for (
    let p = a.slab_freelist[slab];
    p !== 0 && free.size <= a.slab_objects[slab];
    p = get_freepointer(a, s, p)
  ) {
    free.add(p);
  }
  return free;
}

/** list_slab_objects(): what kmem_cache_destroy() finds still allocated. */
export function list_slab_objects(a: Slub, s: KmemCache, slab: number, text: string): void {
  slab_err(a, s, slab, text);
  const free = free_objects(a, s, slab);
  const addr = slab_address(slab);
  for (let i = 0; i < a.slab_objects[slab]; i++) {
    const p = addr + i * s.size + s.red_left_pad;
    if (free.has(p)) continue;
    pr_err(a, `Object 0x${ptr(p)} @offset=${p - addr}`);
    print_tracking(a, s, p);
  }
}

/** free_slab() of a debug cache: the padding and every (free) object are checked once more. */
export function check_slab_on_discard(a: Slub, s: KmemCache, slab: number): void {
  if (!(s.flags & SLAB_CONSISTENCY_CHECKS)) return;
  slab_pad_check(a, s, slab);
  const addr = slab_address(slab);
  for (let i = 0; i < a.slab_objects[slab]; i++) {
    check_object(a, s, slab, addr + i * s.size + s.red_left_pad, SLUB_RED_INACTIVE);
  }
}

/** validate_slab(): the slab's freelist and count, then every object against its state. */
export function validate_slab(a: Slub, s: KmemCache, slab: number): void {
  slab_pad_check(a, s, slab);
  if (!on_freelist(a, s, slab, 0)) return;
  const free = free_objects(a, s, slab);
  const addr = slab_address(slab);
  for (let i = 0; i < a.slab_objects[slab]; i++) {
    const p = addr + i * s.size + s.red_left_pad;
    if (!check_object(a, s, slab, p, free.has(p) ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE)) break;
  }
}
