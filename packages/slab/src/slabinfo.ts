// /proc/slabinfo (mm/slab_common.c: print_slabinfo_header, cache_show, SLUB's get_slabinfo) and
// the summary procps' slabtop prints over it. Text producers only: the kernel core wires them to
// procfs.

import { PAGE_SIZE } from '@k/page-alloc';
import type { KmemCache, Slub } from './slub.js';

/** struct slabinfo as SLUB fills it in (get_slabinfo). */
export interface SlabInfo {
  name: string;
  active_objs: number;
  num_objs: number;
  objsize: number;
  objects_per_slab: number;
  pages_per_slab: number;
  limit: number;
  batchcount: number;
  shared: number;
  active_slabs: number;
  num_slabs: number;
  shared_avail: number;
}

/**
 * get_slabinfo(): like SLUB, free objects are only those on the partial list, so the free
 * objects of the CPU slab count as active.
 */
export function get_slabinfo(a: Slub, s: KmemCache): SlabInfo {
  const free = a.count_partial_free(s);
  return {
    name: s.name,
    active_objs: s.total_objects - free,
    num_objs: s.total_objects,
    objsize: s.size,
    objects_per_slab: s.objects,
    pages_per_slab: 1 << s.order,
    limit: 0,
    batchcount: 0,
    shared: 0,
    active_slabs: s.nr_slabs,
    num_slabs: s.nr_slabs,
    shared_avail: 0,
  };
}

function right(value: number, width: number): string {
  return String(value).padStart(width, ' ');
}

/** The caches in /proc/slabinfo order: newest first, as slab_caches is walked. */
export function slab_caches_in_order(a: Slub): KmemCache[] {
  return [...a.slab_caches].reverse();
}

/** The text of /proc/slabinfo: `slabinfo - version: 2.1`, the column line, one line per cache. */
export function slabinfo(a: Slub): string {
  let out = 'slabinfo - version: 2.1\n';
  out += '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>';
  out += ' : tunables <limit> <batchcount> <sharedfactor>';
  out += ' : slabdata <active_slabs> <num_slabs> <sharedavail>\n';
  for (const s of slab_caches_in_order(a)) {
    const i = get_slabinfo(a, s);
    out += `${i.name.padEnd(17, ' ')} ${right(i.active_objs, 6)} ${right(i.num_objs, 6)} ${right(i.objsize, 6)} ${right(i.objects_per_slab, 4)} ${right(i.pages_per_slab, 4)}`;
    out += ` : tunables ${right(i.limit, 4)} ${right(i.batchcount, 4)} ${right(i.shared, 4)}`;
    out += ` : slabdata ${right(i.active_slabs, 6)} ${right(i.num_slabs, 6)} ${right(i.shared_avail, 6)}\n`;
  }
  return out;
}

/** The totals slabtop computes from /proc/slabinfo (procps' slabinfo_summary). */
export interface SlabtopSummary {
  nr_objs: number;
  nr_active_objs: number;
  nr_slabs: number;
  nr_active_slabs: number;
  nr_caches: number;
  nr_active_caches: number;
  total_size: number;
  active_size: number;
  min_obj_size: number;
  avg_obj_size: number;
  max_obj_size: number;
}

export function slabtop_summary(a: Slub): SlabtopSummary {
  const sum: SlabtopSummary = {
    nr_objs: 0,
    nr_active_objs: 0,
    nr_slabs: 0,
    nr_active_slabs: 0,
    nr_caches: 0,
    nr_active_caches: 0,
    total_size: 0,
    active_size: 0,
    min_obj_size: 0,
    avg_obj_size: 0,
    max_obj_size: 0,
  };
  let first = true;
  for (const s of a.slab_caches) {
    const i = get_slabinfo(a, s);
    if (first || i.objsize < sum.min_obj_size) sum.min_obj_size = i.objsize;
    if (first || i.objsize > sum.max_obj_size) sum.max_obj_size = i.objsize;
    first = false;
    if (i.active_objs !== 0) sum.nr_active_caches++;
    sum.nr_caches++;
    sum.nr_objs += i.num_objs;
    sum.nr_active_objs += i.active_objs;
    sum.total_size += i.num_objs * i.objsize;
    sum.active_size += i.active_objs * i.objsize;
    sum.nr_slabs += i.num_slabs;
    sum.nr_active_slabs += i.active_slabs;
  }
  if (sum.nr_objs !== 0) sum.avg_obj_size = Math.floor(sum.total_size / sum.nr_objs);
  return sum;
}

function pct(part: number, whole: number): string {
  return (whole === 0 ? 0 : (100 * part) / whole).toFixed(1);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)}K`;
}

/** slabtop's sort keys (its -s option letters). */
export type SlabtopSort = 'a' | 'b' | 'c' | 'l' | 'v' | 'n' | 'o' | 'p' | 's' | 'u';

/**
 * What `slabtop --once` prints for these caches: the five summary lines, then one row per cache,
 * sorted like slabtop (default: by number of objects, largest first).
 */
export function slabtop(a: Slub, options: { sort?: SlabtopSort; lines?: number } = {}): string {
  const t = slabtop_summary(a);
  let out = '';
  out += ` Active / Total Objects (% used)    : ${t.nr_active_objs} / ${t.nr_objs} (${pct(t.nr_active_objs, t.nr_objs)}%)\n`;
  out += ` Active / Total Slabs (% used)      : ${t.nr_active_slabs} / ${t.nr_slabs} (${pct(t.nr_active_slabs, t.nr_slabs)}%)\n`;
  out += ` Active / Total Caches (% used)     : ${t.nr_active_caches} / ${t.nr_caches} (${pct(t.nr_active_caches, t.nr_caches)}%)\n`;
  out += ` Active / Total Size (% used)       : ${kb(t.active_size)} / ${kb(t.total_size)} (${pct(t.active_size, t.total_size)}%)\n`;
  out += ` Minimum / Average / Maximum Object : ${kb(t.min_obj_size)} / ${kb(t.avg_obj_size)} / ${kb(t.max_obj_size)}\n`;
  out += '\n';
  out += `  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE ${'NAME'.padEnd(23, ' ')}\n`;
  const rows = slab_caches_in_order(a).map((s) => {
    const i = get_slabinfo(a, s);
    return {
      i,
      use: i.num_objs === 0 ? 0 : Math.floor((100 * i.active_objs) / i.num_objs),
      cache_size: (i.num_slabs * i.pages_per_slab * PAGE_SIZE) / 1024,
    };
  });
  const key = (r: (typeof rows)[number]): number | string => {
    switch (options.sort ?? 'o') {
      case 'a':
        return r.i.active_objs;
      case 'b':
        return r.i.objects_per_slab;
      case 'c':
        return r.cache_size;
      case 'l':
      case 's':
        return r.i.num_slabs;
      case 'v':
        return r.i.active_slabs;
      case 'n':
        return r.i.name;
      case 'p':
        return r.i.pages_per_slab;
      case 'u':
        return r.use;
      default:
        return r.i.num_objs;
    }
  };
  rows.sort((x, y) => {
    const kx = key(x);
    const ky = key(y);
    if (typeof kx === 'string' && typeof ky === 'string') return kx < ky ? -1 : kx > ky ? 1 : 0;
    return (ky as number) - (kx as number);
  });
  for (const r of rows.slice(0, options.lines ?? rows.length)) {
    const i = r.i;
    out += `${right(i.num_objs, 6)} ${right(i.active_objs, 6)} ${right(r.use, 3)}% ${(i.objsize / 1024).toFixed(2).padStart(7, ' ')}K ${right(i.num_slabs, 6)} ${right(i.objects_per_slab, 8)} ${right(r.cache_size, 9)}K ${i.name.padEnd(23, ' ')}\n`;
  }
  return out;
}
