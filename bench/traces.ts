// Allocation traces shared by the allocator benchmarks (@k/slab, @k/freebsd-malloc, one copy at the
// repository root because neither package may import the other): plain
// deterministic data, no dependency on any allocator. A trace is a sequence of operations on
// numbered slots: allocate `size` bytes into slot `slot`, or free the object in slot `slot`.
// Every allocated slot is freed by the end, so a trace can be replayed any number of times.

/** One operation kind per entry: TRACE_ALLOC or TRACE_FREE. */
export const TRACE_ALLOC = 0;
export const TRACE_FREE = 1;

export interface Trace {
  /** TRACE_ALLOC or TRACE_FREE, per operation. */
  readonly kind: Uint8Array;
  /** The slot an operation works on (0 .. slots - 1). */
  readonly slot: Uint32Array;
  /** Bytes to allocate (allocations only; 0 for frees). */
  readonly size: Uint32Array;
  /** Number of distinct slots (the most objects live at once is at most this). */
  readonly slots: number;
  /** Number of allocations (= number of frees). */
  readonly allocs: number;
}

/** mulberry32: a small seeded PRNG, so every run replays the same trace. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A kernel-like size mix: mostly small objects (8..128 bytes, 60%), some medium (129..1024, 30%),
 * a few large (1025..8192, 10%).
 */
export function mixedSize(rand: () => number): number {
  const r = rand();
  if (r < 0.6) return 8 + Math.floor(rand() * 121);
  if (r < 0.9) return 129 + Math.floor(rand() * 896);
  return 1025 + Math.floor(rand() * 7168);
}

/**
 * The mixed trace: `allocs` allocations of mixedSize() bytes interleaved with frees of random
 * live objects (at most `maxLive` live at once), then frees of everything left.
 */
export function mixedTrace(allocs = 100_000, seed = 0x5eed, maxLive = 2_000): Trace {
  const rand = mulberry32(seed);
  const n = 2 * allocs;
  const kind = new Uint8Array(n);
  const slot = new Uint32Array(n);
  const size = new Uint32Array(n);
  const live: number[] = [];
  const freeSlots: number[] = [];
  let slots = 0;
  let done = 0;
  let i = 0;
  while (done < allocs || live.length > 0) {
    const alloc = done < allocs && (live.length === 0 || (live.length < maxLive && rand() < 0.55));
    if (alloc) {
      const s = freeSlots.length > 0 ? freeSlots.pop()! : slots++;
      kind[i] = TRACE_ALLOC;
      slot[i] = s;
      size[i] = mixedSize(rand);
      live.push(s);
      done++;
    } else {
      const j = Math.floor(rand() * live.length);
      const s = live[j];
      live[j] = live[live.length - 1];
      live.pop();
      freeSlots.push(s);
      kind[i] = TRACE_FREE;
      slot[i] = s;
    }
    i++;
  }
  return { kind, slot, size, slots, allocs };
}

/**
 * Replays a trace against any allocator: `alloc(size)` returns a pointer (0 on failure, which
 * throws), `free(ptr)` releases it. Returns the number of alloc+free pairs done.
 */
export function replay(
  trace: Trace,
  alloc: (size: number) => number,
  free: (ptr: number) => void,
  ptrs: Float64Array = new Float64Array(trace.slots),
): number {
  const { kind, slot, size } = trace;
  for (let i = 0; i < kind.length; i++) {
    if (kind[i] === TRACE_ALLOC) {
      const p = alloc(size[i]);
      if (p === 0) throw new Error(`replay: allocation ${i} of ${size[i]} bytes failed`);
      ptrs[slot[i]] = p;
    } else {
      free(ptrs[slot[i]]);
    }
  }
  return trace.allocs;
}
