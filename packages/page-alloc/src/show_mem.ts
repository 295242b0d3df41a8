// show_mem() / show_free_areas() (mm/show_mem.c): the Mem-Info block printed after an
// allocation failure, as one string per line.

import { ZONE_HIGHMEM } from './gfp.js';
import { NR_PAGE_ORDERS, PAGE_SIZE } from './memlayout.js';
import { WMARK_HIGH, WMARK_LOW, WMARK_MIN } from './mmzone.js';
import type { PageAllocator } from './page_alloc.js';
import { free_blocks_by_type } from './vmstat.js';

export function show_mem(pa: PageAllocator): string[] {
  const kb = (pages: number) => `${pages * (PAGE_SIZE >> 10)}kB`;
  const st = pa.node_stats;
  let free_pcp = 0;
  for (const z of pa.zones) free_pcp += z.pcp.count;
  const out: string[] = [
    'Mem-Info:',
    `active_anon:${st.nr_anon_pages} inactive_anon:0 isolated_anon:0`,
    ` active_file:${st.nr_file_pages} inactive_file:0 isolated_file:0`,
    ' unevictable:0 dirty:0 writeback:0',
    ` slab_reclaimable:${st.nr_slab_reclaimable} slab_unreclaimable:${st.nr_slab_unreclaimable}`,
    ` mapped:0 shmem:0 pagetables:${st.nr_page_table_pages}`,
    ' sec_pagetables:0 bounce:0',
    ' kernel_misc_reclaimable:0',
    ` free:${pa.nr_free_pages()} free_pcp:${free_pcp} free_cma:0`,
    `Node 0 active_anon:${kb(st.nr_anon_pages)} inactive_anon:0kB active_file:${kb(st.nr_file_pages)} inactive_file:0kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB writeback_tmp:0kB kernel_stack:${st.nr_kernel_stack_kb}kB pagetables:${kb(st.nr_page_table_pages)} sec_pagetables:0kB all_unreclaimable? no`,
  ];
  for (const z of pa.zones) {
    if (!z.populated) continue;
    out.push(
      `${z.name} free:${kb(z.nr_free_pages)} boost:0kB min:${kb(z._watermark[WMARK_MIN])} low:${kb(z._watermark[WMARK_LOW])} high:${kb(z._watermark[WMARK_HIGH])} reserved_highatomic:0KB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB zspages:0kB present:${kb(z.present_pages)} managed:${kb(z.managed_pages)} mlocked:0kB bounce:0kB free_pcp:${kb(z.pcp.count)} local_pcp:${kb(z.pcp.count)} free_cma:0kB`,
    );
    out.push(`lowmem_reserve[]: ${z.lowmem_reserve.join(' ')}`);
  }
  for (const z of pa.zones) {
    if (!z.populated) continue;
    let line = `${z.name}: `;
    let total = 0;
    const byType = free_blocks_by_type(pa, z);
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      const nr = z.free_area[o].nr_free;
      line += `${nr}*${4 << o}kB `;
      // show_migration_types(): U(nmovable) M(ovable) E (reclaimable) H(ighatomic) I(solate)
      if (nr)
        line += `(${'UMEHI'
          .split('')
          .filter((_, mt) => byType[mt][o] > 0)
          .join('')}) `;
      total += nr << o;
    }
    out.push(`${line}= ${kb(total)}`);
  }
  let present = 0;
  let managed = 0;
  for (const z of pa.zones) {
    present += z.present_pages;
    managed += z.managed_pages;
  }
  out.push(
    `${st.nr_file_pages} total pagecache pages`,
    '0 pages in swap cache',
    'Free swap  = 0kB',
    'Total swap = 0kB',
    `${present} pages RAM`,
    `${pa.zones[ZONE_HIGHMEM].present_pages} pages HighMem/MovableOnly`,
    `${present - managed} pages reserved`,
  );
  return out;
}
