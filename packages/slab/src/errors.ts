// Errors a host-side caller gets for impossible arguments. Guest-visible misuse (a double free,
// a too-large kmalloc) is reported the kernel way instead: printk and NULL, never an exception.

/** A bad argument to the slab API; the message names the field and the value. */
export class SlabError extends RangeError {
  override name = 'SlabError';
}

/** panic(): the kernel cannot continue (SLAB_PANIC cache creation failed). */
export class KernelPanic extends Error {
  override name = 'KernelPanic';
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && Number.isInteger(value) && value > 0xffff)
    return `0x${value.toString(16)}`;
  return String(value);
}

/** Throws SlabError("<fn>: <field> must be <what>, got <value>"). */
export function badArgument(fn: string, field: string, what: string, value: unknown): never {
  throw new SlabError(`${fn}: ${field} must be ${what}, got ${show(value)}`);
}

/** Checks an unsigned 32-bit integer argument (a size_t, gfp_t or pointer). */
export function checkU32(fn: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    badArgument(fn, field, 'an unsigned 32-bit integer', value);
  }
  return value;
}
