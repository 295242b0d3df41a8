// The GFP flags and memory-layout constants slab uses, all from @k/page-alloc.

export {
  __GFP_COMP,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_HIGHMEM,
  __GFP_NO_GROW,
  __GFP_NOFAIL,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_ZERO,
  format_gfp,
  GFP_DMA,
  GFP_KERNEL,
  GFP_ZONEMASK,
  MAX_PAGE_ORDER,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
} from '@k/page-alloc';
