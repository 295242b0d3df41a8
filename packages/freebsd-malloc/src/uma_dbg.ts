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
