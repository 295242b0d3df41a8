// The VM side under malloc(9) and UMA: FreeBSD's kmem_malloc()/kmem_free() (sys/vm/vm_kern.c) and
// UMA's page_alloc()/page_free(), here served by the Linux-style buddy allocator of @k/page-alloc.
// A FreeBSD-on-Linux port maps the malloc(9) wait flags onto GFP flags:
//
//   M_WAITOK      -> GFP_KERNEL: may sleep, so the page allocator runs direct reclaim and the
//                    shrinkers (UMA's among them). malloc(9) promises M_WAITOK never returns NULL, so
//                    if memory is still short the allocator panics (see kern_malloc.ts / uma_core.ts).
//   M_NOWAIT      -> GFP_NOWAIT: no sleeping and no reserves; NULL on failure.
//   neither flag  -> treated as M_NOWAIT for the page allocator (after malloc's "Bad malloc flags").
//   M_USE_RESERVE -> __GFP_HIGH | __GFP_MEMALLOC: may dip below the watermarks into the reserve.
//   M_ZERO        -> __GFP_ZERO for whole-page allocations (UMA zeroes items itself).
//   M_NODUMP, M_EXEC -> no GFP equivalent; recorded per page (kmem_malloc's dump_drop_page and an
//                    executable mapping), visible through page_flags().
// Linux's "page allocation failure" warning is suppressed with __GFP_NOWARN: FreeBSD reports
// allocation failures its own way.

import {
  __GFP_HIGH,
  __GFP_MEMALLOC,
  __GFP_NOWARN,
  __GFP_ZERO,
  GFP_KERNEL,
  GFP_NOWAIT,
  PAGE_SIZE,
  type PageAllocator,
} from '@k/page-alloc';
import { M_EXEC, M_NODUMP, M_NOWAIT, M_USE_RESERVE, M_WAITOK, M_ZERO } from './malloc.js';

export { __GFP_COMP, __GFP_ZERO, PAGE_OFFSET, PAGE_SHIFT, PAGE_SIZE } from '@k/page-alloc';
export const PAGE_MASK = PAGE_SIZE - 1;

/** What UMA needs from the page allocator: @k/page-alloc's PageAllocator. */
export type VmPageAllocator = PageAllocator;

/** malloc(9) flags -> GFP mask for the page allocator, as documented at the top of this file. */
export function malloc2gfp(flags: number): number {
  let gfp = (flags & M_NOWAIT) !== 0 || (flags & M_WAITOK) === 0 ? GFP_NOWAIT : GFP_KERNEL;
  gfp |= __GFP_NOWARN;
  if (flags & M_USE_RESERVE) gfp |= __GFP_HIGH | __GFP_MEMALLOC;
  if (flags & M_ZERO) gfp |= __GFP_ZERO;
  return gfp;
}

/** Per-page flag bits kept beside the page allocator's own (see page_flags()). */
export const PG_NODUMP = 0x1;
export const PG_EXEC = 0x2;

/** Per-page flags from malloc flags. */
export function malloc2pgflags(flags: number): number {
  return (flags & M_NODUMP ? PG_NODUMP : 0) | (flags & M_EXEC ? PG_EXEC : 0);
}

/** The buddy order that holds `npages` pages. */
export function order_for_pages(npages: number): number {
  let order = 0;
  while (1 << order < npages) order++;
  return order;
}
