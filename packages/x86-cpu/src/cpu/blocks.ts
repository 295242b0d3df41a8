// The cache of translated blocks (translate.ts), kept per host frame of guest memory and indexed by
// the offset in that frame. Keying by frame rather than by linear address means a block survives
// CR3 reloads and TLB flushes and is found again through any mapping of the same physical page; each
// block checks its own code bytes on entry, so no write anywhere needs to invalidate it.
// An offset is translated once it has started an instruction HOT times on the interpreter: code
// that runs once (most of a boot) never pays for compilation.

import type { Cpu } from './cpu.js';
import { type Block, blockMode, translate } from './translate.js';

/** Interpreted executions of an address before its block is translated. */
export const HOT = 32;

/** Never written: the block table of a page with no block yet. */
const NO_BLOCKS: (Block | undefined)[] = new Array(4096).fill(undefined);

/** Stands in for a block where the first instruction cannot be translated. */
function untranslatable(eip: number, mode: number): Block {
  return { eip, mode, length: Number.MAX_SAFE_INTEGER, bytes: 0, run: () => false };
}

/** The blocks that start in one 4 KiB frame. */
export class PageBlocks {
  /** The frame as 32-bit words, for the blocks' code checks. */
  readonly words: Int32Array;
  blocks: (Block | undefined)[] = NO_BLOCKS;
  /** Interpreted instruction starts per offset, up to HOT. */
  readonly heat = new Uint8Array(4096);
  /** Blocks at each offset found stale (their code rewritten), up to REWRITES. */
  private readonly rewrites = new Uint8Array(4096);

  constructor(readonly frame: Uint8Array) {
    this.words = new Int32Array(frame.buffer, frame.byteOffset, 1024);
  }

  /** Translates the block at `off` for the CPU's current EIP and mode, stores it and returns it. */
  add(c: Cpu, off: number): Block {
    let block: Block | null;
    try {
      block = translate(c, this.frame, this.words, off, c.ip);
    } catch {
      // A translator bug must not become a guest-visible failure: the interpreter runs this code.
      block = null;
    }
    if (this.blocks === NO_BLOCKS) this.blocks = new Array(4096).fill(undefined);
    const stored = block ?? untranslatable(c.ip, blockMode(c));
    this.blocks[off] = stored;
    return stored;
  }

  /** The block at `off` found its code changed: drop it, or keep the address interpreted for good. */
  stale(c: Cpu, off: number): void {
    this.blocks[off] = ++this.rewrites[off] >= REWRITES ? untranslatable(c.ip, blockMode(c)) : undefined;
  }
}

/**
 * Code rewritten this often at one address stays on the interpreter: translating it again after
 * every rewrite would cost more (a compile per rewrite) than it saves.
 */
export const REWRITES = 4;

export class BlockCache {
  private readonly pages = new WeakMap<Uint8Array, PageBlocks>();

  /** The block table of a frame, created on first use; null for frames the translator cannot check. */
  forFrame(frame: Uint8Array): PageBlocks | null {
    let page = this.pages.get(frame);
    if (page === undefined) {
      if (frame.length !== 4096 || frame.byteOffset & 3) return null;
      page = new PageBlocks(frame);
      this.pages.set(frame, page);
    }
    return page;
  }
}
