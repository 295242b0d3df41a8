// The /proc files of mm/vmstat.c (buddyinfo, zoneinfo, pagetypeinfo) and fs/proc/meminfo.c, as
// text producers: the kernel core mounts them in procfs. Formats are the kernel's seq_printf()s.

import { NR_PAGE_ORDERS, PAGE_SHIFT, pageblock_nr_pages, pageblock_order } from './memlayout.js';
import { NIL, type Zone } from './mmzone.js';
import type { PageAllocator } from './page_alloc.js';

/** migratetype_names[] (CONFIG_MEMORY_ISOLATION, no CMA). All pageblocks start MIGRATE_MOVABLE. */
export const migratetype_names = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate'];

/** Free blocks per [migratetype][order] in a zone (walks the free lists). */
export function free_blocks_by_type(pa: PageAllocator, zone: Zone): number[][] {
  return migratetype_names.map((_, mt) =>
    zone.free_area.map((area) => {
      let n = 0;
      for (let p = area.free_list[mt]; p !== NIL; p = pa._lru[p]) n++;
      return n;
    }),
  );
}

/** Node-wide counters other subsystems report into (mod_node_page_state()); pages unless _kb. */
export interface NodeStats {
  nr_slab_reclaimable: number;
  nr_slab_unreclaimable: number;
  nr_kernel_stack_kb: number;
  nr_page_table_pages: number;
  nr_anon_pages: number;
  nr_file_pages: number;
}

export function newNodeStats(): NodeStats {
  return {
    nr_slab_reclaimable: 0,
    nr_slab_unreclaimable: 0,
    nr_kernel_stack_kb: 0,
    nr_page_table_pages: 0,
    nr_anon_pages: 0,
    nr_file_pages: 0,
  };
}

/** /proc/buddyinfo: free blocks per order for each populated zone. */
export function buddyinfo(pa: PageAllocator): string {
  let out = '';
  for (const zone of pa.zones) {
    if (!zone.populated) continue;
    out += `Node 0, zone ${zone.name.padStart(8)} `;
    for (let o = 0; o < NR_PAGE_ORDERS; o++) out += `${String(zone.free_area[o].nr_free).padStart(6)} `;
    out += '\n';
  }
  return out;
}

/** /proc/zoneinfo (zoneinfo_show_print()) for every zone; unpopulated ones stop after protection. */
export function zoneinfo(pa: PageAllocator): string {
  let out = '';
  let first = true;
  for (const zone of pa.zones) {
    out += `Node 0, zone ${zone.name.padStart(8)}`;
    if (first && zone.populated) {
      first = false;
      out += '\n  per-node stats';
      const s = pa.node_stats;
      const nodeItems: [string, number][] = [
        ['nr_inactive_anon', 0],
        ['nr_active_anon', s.nr_anon_pages],
        ['nr_inactive_file', 0],
        ['nr_active_file', s.nr_file_pages],
        ['nr_unevictable', 0],
        ['nr_slab_reclaimable', s.nr_slab_reclaimable],
        ['nr_slab_unreclaimable', s.nr_slab_unreclaimable],
        ['nr_isolated_anon', 0],
        ['nr_isolated_file', 0],
        ['nr_anon_pages', s.nr_anon_pages],
        ['nr_mapped', 0],
        ['nr_file_pages', s.nr_file_pages],
        ['nr_dirty', 0],
        ['nr_writeback', 0],
        ['nr_shmem', 0],
        ['nr_kernel_stack', s.nr_kernel_stack_kb],
        ['nr_page_table_pages', s.nr_page_table_pages],
      ];
      for (const [name, v] of nodeItems) out += `\n      ${name.padEnd(12)} ${v}`;
    }
    out += `\n  pages free     ${zone.nr_free_pages}`;
    out += `\n        boost    0`;
    out += `\n        min      ${zone._watermark[0]}`;
    out += `\n        low      ${zone._watermark[1]}`;
    out += `\n        high     ${zone._watermark[2]}`;
    out += `\n        promo    ${zone._watermark[3]}`;
    out += `\n        spanned  ${zone.spanned_pages}`;
    out += `\n        present  ${zone.present_pages}`;
    out += `\n        managed  ${zone.managed_pages}`;
    out += `\n        cma      0`;
    out += `\n        protection: (${zone.lowmem_reserve.join(', ')})`;
    if (!zone.populated) {
      out += '\n';
      continue;
    }
    const zoneItems: [string, number][] = [
      ['nr_free_pages', zone.nr_free_pages],
      ['nr_free_pages_blocks', free_pages_in_pageblocks(zone)],
      ['nr_zone_inactive_anon', 0],
      ['nr_zone_active_anon', 0],
      ['nr_zone_inactive_file', 0],
      ['nr_zone_active_file', 0],
      ['nr_zone_unevictable', 0],
      ['nr_zone_write_pending', 0],
      ['nr_mlock', 0],
      ['nr_zspages', 0],
      ['nr_free_cma', 0],
    ];
    for (const [name, v] of zoneItems) out += `\n      ${name.padEnd(12)} ${v}`;
    const pcp = zone.pcp;
    out += '\n  pagesets';
    out += '\n    cpu: 0';
    out += `\n              count:    ${pcp.count}`;
    out += `\n              high:     ${pcp.high}`;
    out += `\n              batch:    ${pcp.batch}`;
    out += `\n              high_min: ${pcp.high}`;
    out += `\n              high_max: ${pcp.high}`;
    out += `\n  vm stats threshold: ${vm_stat_threshold(zone)}`;
    out += '\n  node_unreclaimable:  0';
    out += `\n  start_pfn:           ${zone.zone_start_pfn}`;
    out += '\n';
  }
  return out;
}

/** Free pages sitting in blocks of at least pageblock_order. */
function free_pages_in_pageblocks(zone: Zone): number {
  let n = 0;
  for (let o = pageblock_order; o < NR_PAGE_ORDERS; o++) n += zone.free_area[o].nr_free << o;
  return n;
}

/** calculate_normal_threshold() with one online CPU: 2 * fls(cpus) * (1 + fls(mem)), at most 125. */
function vm_stat_threshold(zone: Zone): number {
  const mem = zone.managed_pages >> (27 - PAGE_SHIFT);
  return Math.min(125, 2 * fls(1) * (1 + fls(mem)));
}

function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

/** /proc/pagetypeinfo: the header, free blocks per migrate type and order, and block counts. */
export function pagetypeinfo(pa: PageAllocator): string {
  let out = `Page block order: ${pageblock_order}\n`;
  out += `Pages per block:  ${pageblock_nr_pages}\n\n`;
  out += `${'Free pages count per migrate type at order'.padEnd(43)} `;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) out += `${String(o).padStart(6)} `;
  out += '\n';
  const zones = pa.zones.filter((z) => z.populated);
  for (const zone of zones) {
    const counts = free_blocks_by_type(pa, zone);
    for (let mt = 0; mt < migratetype_names.length; mt++) {
      out += `Node ${'0'.padStart(4)}, zone ${zone.name.padStart(8)}, type ${migratetype_names[mt].padStart(12)} `;
      for (let o = 0; o < NR_PAGE_ORDERS; o++) out += `${String(counts[mt][o]).padStart(6)} `;
      out += '\n';
    }
  }
  out += `\n${'Number of blocks type '.padEnd(23)}`;
  for (const name of migratetype_names) out += `${name.padStart(12)} `;
  out += '\n';
  for (const zone of zones) {
    // pagetypeinfo_showblockcount_print(): pageblocks whose first pfn lies in the zone.
    const blocks = new Array(migratetype_names.length).fill(0);
    const first = Math.ceil(zone.zone_start_pfn / pageblock_nr_pages) * pageblock_nr_pages;
    for (let pfn = first; pfn < zone.zone_end_pfn; pfn += pageblock_nr_pages) {
      blocks[pa.get_pageblock_migratetype(pfn)]++;
    }
    if (zone.zone_start_pfn % pageblock_nr_pages) blocks[pa.get_pageblock_migratetype(zone.zone_start_pfn)]++;
    out += `Node 0, zone ${zone.name.padStart(8)} `;
    for (let mt = 0; mt < migratetype_names.length; mt++) out += `${String(blocks[mt]).padStart(12)} `;
    out += '\n';
  }
  return out;
}

function kb_line(label: string, pages: number, unit = PAGE_SHIFT - 10): string {
  return `${`${label}:`.padEnd(16)}${String(pages << unit).padStart(8)} kB\n`;
}

/** /proc/meminfo's memory lines (meminfo_proc_show()) through VmallocChunk. */
export function meminfo(pa: PageAllocator): string {
  const s = pa.node_stats;
  const totalram = pa.totalram_pages();
  const free = pa.nr_free_pages();
  const totalhigh = pa.totalhigh_pages();
  const freehigh = pa.nr_free_highpages();
  // si_mem_available(): free pages above the reserves, plus half the reclaimable slab.
  let totalreserve = 0;
  let wmark_low = 0;
  for (const z of pa.zones) {
    totalreserve += Math.max(0, ...z.lowmem_reserve) + z.high_wmark_pages();
    wmark_low += z.low_wmark_pages();
  }
  let available = free - totalreserve;
  available += s.nr_slab_reclaimable - Math.min(s.nr_slab_reclaimable >> 1, wmark_low);
  available = Math.max(available, 0);
  const vmallocTotalKb = (pa.vmap_area.VMALLOC_END - pa.vmap_area.VMALLOC_START) / 1024;
  const kbRaw = (label: string, kb: number) => `${`${label}:`.padEnd(16)}${String(kb).padStart(8)} kB\n`;
  let out = '';
  out += kb_line('MemTotal', totalram);
  out += kb_line('MemFree', free);
  out += kb_line('MemAvailable', available);
  out += kb_line('Buffers', 0);
  out += kb_line('Cached', s.nr_file_pages);
  out += kb_line('SwapCached', 0);
  out += kb_line('Active', s.nr_anon_pages + s.nr_file_pages);
  out += kb_line('Inactive', 0);
  out += kb_line('Active(anon)', s.nr_anon_pages);
  out += kb_line('Inactive(anon)', 0);
  out += kb_line('Active(file)', s.nr_file_pages);
  out += kb_line('Inactive(file)', 0);
  out += kb_line('Unevictable', 0);
  out += kb_line('Mlocked', 0);
  out += kb_line('HighTotal', totalhigh);
  out += kb_line('HighFree', freehigh);
  out += kb_line('LowTotal', totalram - totalhigh);
  out += kb_line('LowFree', free - freehigh);
  out += kb_line('SwapTotal', 0);
  out += kb_line('SwapFree', 0);
  out += kb_line('Dirty', 0);
  out += kb_line('Writeback', 0);
  out += kb_line('AnonPages', s.nr_anon_pages);
  out += kb_line('Mapped', 0);
  out += kb_line('Shmem', 0);
  out += kb_line('KReclaimable', s.nr_slab_reclaimable);
  out += kb_line('Slab', s.nr_slab_reclaimable + s.nr_slab_unreclaimable);
  out += kb_line('SReclaimable', s.nr_slab_reclaimable);
  out += kb_line('SUnreclaim', s.nr_slab_unreclaimable);
  out += kbRaw('KernelStack', s.nr_kernel_stack_kb);
  out += kb_line('PageTables', s.nr_page_table_pages);
  out += kb_line('SecPageTables', 0);
  out += kb_line('NFS_Unstable', 0);
  out += kb_line('Bounce', 0);
  out += kb_line('WritebackTmp', 0);
  out += kb_line('CommitLimit', totalram >> 1);
  out += kb_line('Committed_AS', s.nr_anon_pages);
  out += kbRaw('VmallocTotal', vmallocTotalKb);
  out += kbRaw('VmallocUsed', pa.vmap_area.used_bytes() / 1024);
  out += kbRaw('VmallocChunk', 0);
  return out;
}
