// struct page flag bits (include/linux/page-flags.h) and the zone number kept in the top bits of
// page->flags (ZONES_PGSHIFT, include/linux/mm.h). Our flags word is 16 bits: 12 flag bits, then
// two zone bits. PG_buddy and PG_highmem are the 2.6-era flags the seed documents describe; today
// the kernel derives them from page_type and the zone.

export const PG_locked = 0;
export const PG_referenced = 1;
export const PG_uptodate = 2;
export const PG_dirty = 3;
export const PG_lru = 4;
export const PG_head = 5;
export const PG_tail = 6;
export const PG_slab = 7;
export const PG_reserved = 8;
export const PG_private = 9;
export const PG_buddy = 10;
export const PG_highmem = 11;

export const ZONES_PGSHIFT = 12;
export const ZONES_MASK = 3;

/** The names %pGp prints, by bit. */
export const pageflag_names: readonly string[] = [
  'locked',
  'referenced',
  'uptodate',
  'dirty',
  'lru',
  'head',
  'tail',
  'slab',
  'reserved',
  'private',
  'buddy',
  'highmem',
];

/** PAGE_FLAGS_CHECK_AT_FREE: flags a page must not carry when it is freed. */
export const PAGE_FLAGS_CHECK_AT_FREE =
  (1 << PG_locked) |
  (1 << PG_lru) |
  (1 << PG_slab) |
  (1 << PG_reserved) |
  (1 << PG_private) |
  (1 << PG_buddy);

/** The `%pGp` text of a flags word: set flag names, then zone=N. */
export function format_page_flags(flags: number): string {
  const names: string[] = [];
  for (let bit = 0; bit < pageflag_names.length; bit++) {
    if (flags & (1 << bit)) names.push(pageflag_names[bit]);
  }
  names.push(`zone=${(flags >>> ZONES_PGSHIFT) & ZONES_MASK}`);
  return names.join('|');
}
