// dump_page() (mm/debug.c): what a Bad page state report says about the page.

import type { PageAllocator } from './page_alloc.js';
import { format_page_flags, PG_buddy } from './page-flags.js';

const B_BUDDY = 1 << PG_buddy;

/** The lines dump_page() prints: refcount/mapcount/pfn, the flags, and the reason. */
export function dump_page(pa: PageAllocator, page: number, reason: string): string[] {
  const flags = pa.page_flags[page];
  const refcount = flags & B_BUDDY ? 0 : pa._refcount[page];
  return [
    `page: refcount:${refcount} mapcount:${pa.page_mapcount(page)} mapping:00000000 index:0x0 pfn:0x${page.toString(16)}`,
    `flags: 0x${flags.toString(16)}(${format_page_flags(flags)})`,
    `page dumped because: ${reason}`,
  ];
}
